package org.m365mail.transport.smtp;

import jakarta.mail.MessagingException;
import org.junit.jupiter.api.Test;
import org.m365mail.config.MailSettings;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.SocketTimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hint an unreachable SMTP server's error gets when the port speaks the other TLS mode: a plain greeting where
 * implicit TLS expected a handshake, or silence where STARTTLS expected a greeting. Other failures get no hint.
 */
class SmtpTlsModeHintTest {

    private static final String PLAIN_GREETING = "Unsupported or unrecognized SSL message";

    /** As Angus Mail reports a connect failure: the cause under a MessagingException. */
    private static MessagingException connectFailure(Exception cause) {
        return new MessagingException("Could not connect to SMTP host: 127.0.0.1", new IOException("wrapped", cause));
    }

    @Test
    void implicitTlsOnAPortThatAnswersInPlainTextSuggestsStarttls() throws Exception {
        MailSettings implicit = RelaySettings.settings("IMPLICIT", 2587);
        String hint = SmtpChannel.tlsModeHint(implicit, connectFailure(new SSLException(PLAIN_GREETING)));
        assertTrue(hint.contains("Port 2587 answered in plain text"), hint);
        assertTrue(hint.contains("set smtpTls=STARTTLS"), hint);
    }

    @Test
    void starttlsOnAPortThatSendsNoGreetingSuggestsImplicitTls() throws Exception {
        MailSettings starttls = RelaySettings.settings("STARTTLS", 2465);
        String hint = SmtpChannel.tlsModeHint(starttls, connectFailure(new SocketTimeoutException("Read timed out")));
        assertTrue(hint.contains("No SMTP greeting came from port 2465"), hint);
        assertTrue(hint.contains("set smtpTls=IMPLICIT"), hint);
    }

    @Test
    void otherFailuresAndTheOtherModesFailureGetNoHint() throws Exception {
        MailSettings implicit = RelaySettings.settings("IMPLICIT", 465);
        MailSettings starttls = RelaySettings.settings("STARTTLS", 587);
        MailSettings plain = RelaySettings.settings("PLAINTEXT_LOOPBACK_ONLY", 25);
        Exception timeout = connectFailure(new SocketTimeoutException("Read timed out"));
        Exception plainGreeting = connectFailure(new SSLException(PLAIN_GREETING));
        Exception otherTls = connectFailure(new SSLException("Received fatal alert: handshake_failure"));
        Exception notTls = connectFailure(new IOException(PLAIN_GREETING));
        assertEquals("", SmtpChannel.tlsModeHint(implicit, timeout));
        assertEquals("", SmtpChannel.tlsModeHint(implicit, otherTls));
        assertEquals("", SmtpChannel.tlsModeHint(implicit, notTls), "only a TLS failure says so");
        assertEquals("", SmtpChannel.tlsModeHint(starttls, plainGreeting));
        assertEquals("", SmtpChannel.tlsModeHint(plain, timeout));
        assertEquals("", SmtpChannel.tlsModeHint(plain, plainGreeting));
    }
}
