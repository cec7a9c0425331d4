package org.m365mail.logging;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A value from outside cannot start a log line of its own, nor fill the log. */
class LogTextTest {

    @Test
    void lineBreaksAndControlCharactersCannotForgeALogLine() {
        String forged = "mail/Office365\r\n[2026-12-02] INFO M365MAIL-5001 Test mail sent by admin\u2028x\u0085y\u001b[31m";
        String logged = LogText.of(forged);
        assertFalse(logged.contains("\r") || logged.contains("\n") || logged.contains("\u2028")
                || logged.contains("\u0085") || logged.contains("\u001b"), logged);
        assertEquals("mail/Office365__[2026-12-02] INFO M365MAIL-5001 Test mail sent by admin_x_y_[31m", logged);
    }

    @Test
    void longValuesAreCutAndNullIsSaidSo() {
        String logged = LogText.of("x".repeat(10_000));
        assertEquals(303, logged.length());
        assertTrue(logged.endsWith("..."));
        assertEquals("null", LogText.of(null));
        assertEquals("<id@contoso.com>", LogText.of("<id@contoso.com>"));
    }
}
