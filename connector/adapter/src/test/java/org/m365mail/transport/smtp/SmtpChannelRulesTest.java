package org.m365mail.transport.smtp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SMTP channel's rules without a server: how a failed attempt is classed and how long a retry waits. */
class SmtpChannelRulesTest {

    @Test
    void everyReplyCodeClassIsClassedByItsFirstDigit() {
        assertEquals(SmtpChannel.Failure.PERMANENT, SmtpChannel.classify(399, false), "not a deferral");
        assertEquals(SmtpChannel.Failure.TRANSIENT, SmtpChannel.classify(400, false));
        assertEquals(SmtpChannel.Failure.TRANSIENT, SmtpChannel.classify(421, false));
        assertEquals(SmtpChannel.Failure.TRANSIENT, SmtpChannel.classify(499, true));
        assertEquals(SmtpChannel.Failure.PERMANENT, SmtpChannel.classify(500, false));
        assertEquals(SmtpChannel.Failure.PERMANENT, SmtpChannel.classify(550, true));
        assertEquals(SmtpChannel.Failure.CONNECTION_LOST, SmtpChannel.classify(0, false));
        assertEquals(SmtpChannel.Failure.OUTCOME_UNKNOWN, SmtpChannel.classify(-1, true));
    }

    @Test
    void theBackoffDoublesFrom400MillisecondsWithUpTo400OfJitter() {
        for (int i = 0; i < 200; i++) {
            assertBetween(SmtpChannel.backoffMillis(1), 400, 800);
            assertBetween(SmtpChannel.backoffMillis(2), 800, 1200);
            assertBetween(SmtpChannel.backoffMillis(3), 1600, 2000);
        }
    }

    private static void assertBetween(long millis, long from, long to) {
        assertTrue(millis >= from && millis < to, millis + " not in [" + from + ", " + to + ")");
    }
}
