package org.m365mail.transport.smtp;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exchange Online's replies that an administrator can fix each get the fix; others get no made-up advice. */
class SmtpRepliesTest {

    @Test
    void theCodeIsTheReplyCodeAndEnhancedStatus() {
        assertEquals("535 5.7.3", SmtpReplies.code("535 5.7.3 Authentication unsuccessful [SN4PR0201CA0012]"));
        assertEquals("432 4.3.2", SmtpReplies.code("432-4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded"));
        assertEquals("550 5.4.1", SmtpReplies.code("Invalid Addresses: 550 5.4.1 Recipient address rejected"));
        assertNull(SmtpReplies.code("Exception reading response"));
        assertNull(SmtpReplies.code(null));
    }

    @Test
    void eachFixableReplyNamesWhatToChange() {
        Map<String, String> replies = Map.of(
                "535 5.7.3 Authentication unsuccessful", "SMTP.SendAsApp",
                "535 5.7.139 Authentication unsuccessful, basic authentication is disabled", "CLIENT_CREDENTIALS",
                "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox",
                "SmtpClientAuthenticationDisabled",
                "550 5.7.30 Basic authentication is not supported for Client Submission", "CLIENT_CREDENTIALS",
                "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied",
                "Add-RecipientPermission",
                "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", "10,000 recipients",
                "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", "smtpMaxConcurrentSends",
                "552 5.3.4 Message size exceeds fixed maximum message size", "MaxSendSize");
        replies.forEach((reply, fix) -> {
            String hint = SmtpReplies.hint(reply);
            assertTrue(hint.startsWith(". ") && hint.contains(fix), reply + " -> " + hint);
        });
    }

    @Test
    void otherRepliesGetNoAdvice() {
        assertEquals("", SmtpReplies.hint("451 4.7.500 Server busy. Please try again later."));
        assertEquals("", SmtpReplies.hint("Exception reading response"));
        assertEquals("", SmtpReplies.hint(null));
    }
}
