package org.m365mail.admin;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the console reads off a Check setup: whether all is done, the first step to fix, and what a test mail must confirm. */
class SetupReportTest {

    private static SetupReport report(SetupStep... steps) {
        return new SetupReport(List.of(steps), "https://graph.microsoft.com", "tenant-1", List.of("Mail.Send"),
                List.of(), Instant.parse("2030-01-01T00:00:00Z"));
    }

    private static final SetupStep TOKEN = new SetupStep("Sign in to Entra", true, "a token was obtained");
    private static final SetupStep TENANT = new SetupStep("Tenant", true, "the token is for tenant-1");
    private static final SetupStep PERMISSION = new SetupStep("Mail.Send permission", false,
            "the token has no Mail.Send role: grant it with admin consent");
    private static final SetupStep SMTP_AUTH = new SetupStep("SMTP AUTH", false, "SMTP AUTH is disabled");
    private static final SetupStep MAILBOX = new SetupStep("Mailbox", null, "a test mail confirms it");
    private static final SetupStep SEND_AS = new SetupStep("Send As", null, "a test mail confirms it");

    @Test
    void aReportWhoseStepsAreAllDoneIsOkAndNamesNoMissingStep() {
        SetupReport report = report(TOKEN, TENANT);
        assertTrue(report.ok());
        assertNull(report.firstMissing());
        assertEquals(0, report.unchecked());
    }

    @Test
    void stepsThatCouldNotBeCheckedDoNotMakeTheReportFail() {
        SetupReport report = report(TOKEN, MAILBOX, SEND_AS);
        assertTrue(report.ok(), "only a test mail can confirm them");
        assertNull(report.firstMissing());
        assertEquals(2, report.unchecked());
    }

    @Test
    void aSetupReportWithAMissingStepIsNotOkAndNamesTheFirstOne() {
        SetupReport report = report(TOKEN, TENANT, PERMISSION, SMTP_AUTH, MAILBOX);
        assertFalse(report.ok());
        assertEquals(PERMISSION, report.firstMissing(), "the one to fix first, in the order the guide takes them");
        assertEquals(1, report.unchecked(), "done and missing steps are not counted as unchecked");
    }

    @Test
    void anEmptyReportIsOkWithNothingUnchecked() {
        SetupReport report = report();
        assertTrue(report.ok());
        assertNull(report.firstMissing());
        assertEquals(0, report.unchecked());
    }
}
