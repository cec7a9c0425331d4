package org.m365mail.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.m365mail.api.MailSendException;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureReasonTest {

    @ParameterizedTest
    @CsvSource({
            "AADSTS7000215, authentication",
            "AADSTS7000222, authentication",
            "ConsentExpired, authentication",
            "535 5.7.3, authentication",
            "PermissionMissing, permission",
            "ErrorAccessDenied, permission",
            "535 5.7.139, permission",
            "GraphUnreachable, connectivity",
            "EntraUnreachable, connectivity",
            "OutcomeUnknown, connectivity",
            "503, connectivity",
            "421 4.3.2, connectivity",
            "429, throttling",
            "432 4.3.2, throttling",
            "451 4.4.0, throttling",
            "ErrorInvalidRecipients, rejected",
            "550 5.1.10, rejected",
            "ErrorMessageSizeExceeded, rejected",
            "FromNotAllowed, refused",
            "TooManyRecipients, refused",
            "MessageTooLarge, refused",
            "ConnectionClosedByPool, closed"})
    void theServicesCodesSayTheKind(String code, String reason) {
        assertEquals(reason, FailureReason.of(new MailSendException("failed", code, null)).tag());
    }

    @Test
    void theDailyQuotaIsToldApartFromSendAsDenied() {
        assertEquals(FailureReason.QUOTA, FailureReason.of(new MailSendException(
                "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", "554 5.2.0", null)));
        assertEquals(FailureReason.PERMISSION, FailureReason.of(new MailSendException(
                "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException", "554 5.2.0", null)));
    }

    @Test
    void noCodeButANetworkCauseIsConnectivityAndNothingIsOther() {
        assertEquals(FailureReason.CONNECTIVITY,
                FailureReason.of(new MailSendException("broken", new IOException("reset"))));
        assertEquals(FailureReason.OTHER, FailureReason.of(new MailSendException("Interrupted")));
    }

    @Test
    void poolWideKindsAreTheOnesThatStopEveryMessage() {
        assertEquals(List.of(FailureReason.AUTHENTICATION, FailureReason.PERMISSION,
                        FailureReason.CONNECTIVITY, FailureReason.THROTTLING, FailureReason.QUOTA),
                Arrays.stream(FailureReason.values()).filter(FailureReason::poolWide).toList());
    }

    @Test
    void everyKindAnAdministratorCanActOnSaysWhatToDoAndAClosedConnectionNeedsNothing() {
        for (FailureReason reason : FailureReason.values()) {
            assertEquals(reason != FailureReason.CLOSED, !reason.fix().isBlank(), reason.tag());
        }
        assertTrue(FailureReason.AUTHENTICATION.fix().contains("clientSecret"), FailureReason.AUTHENTICATION.fix());
        assertTrue(FailureReason.PERMISSION.fix().contains("Mail.Send"), FailureReason.PERMISSION.fix());
    }
}
