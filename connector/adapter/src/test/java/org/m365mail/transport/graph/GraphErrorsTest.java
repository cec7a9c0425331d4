package org.m365mail.transport.graph;

import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Graph's error answers become exceptions that say what to change: one hint per kind of refusal, chosen by Graph's
 * error code first and its status second (https://learn.microsoft.com/en-us/graph/errors).
 */
class GraphErrorsTest {

    private static final String MAILBOX = "orders@contoso.com";
    private final GraphErrors errors = new GraphErrors();

    private MailSendException refused(int status, String code, String message) {
        String body = "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}";
        return errors.toException(status, body, MAILBOX, "req-1", "<m1@contoso.com>", " (2 attempts)");
    }

    private static void assertHint(MailSendException e, String hint) {
        assertTrue(e.getMessage().contains(hint), "expected '" + hint + "' in: " + e.getMessage());
    }

    @Test
    void theMessageNamesTheMessageTheMailboxTheStatusTheCodeAndTheRequest() {
        MailSendException e = refused(400, "ErrorInvalidRecipients", "At least one recipient is not valid.");
        assertEquals("ErrorInvalidRecipients", e.getErrorCode());
        assertTrue(e.getMessage().startsWith("Microsoft Graph refused message <m1@contoso.com> from " + MAILBOX
                + " (HTTP 400, ErrorInvalidRecipients, request-id req-1): At least one recipient is not valid. "
                + "Check the message's To, Cc and Bcc addresses. (2 attempts)"), e.getMessage());
    }

    @Test
    void eachRefusalHasTheHintThatFixesIt() {
        assertHint(refused(403, "ErrorSendAsDenied", "denied"), "Add-RecipientPermission");
        assertHint(refused(403, "ErrorAccessDenied", "Access to OData is disabled."), "Test-ApplicationAccessPolicy");
        assertHint(refused(403, "ErrorAccessDenied", "Access is denied."), "Mail.Send application permission");
        assertHint(refused(403, "SomethingNew", "no"), "Mail.Send application permission");
        assertHint(refused(404, "MailboxNotEnabledForRESTAPI", "REST API is not yet supported"),
                "no Exchange Online licence");
        assertHint(refused(404, "ErrorInvalidUser", "The requested user is invalid"), "Check fromAddress: " + MAILBOX);
        assertHint(refused(404, "Other", "gone"), "Check fromAddress");
        assertHint(refused(401, "InvalidAuthenticationToken", "Access token validation failure"),
                "graphUrl and authorityUrl belong to the same cloud");
        assertHint(refused(401, "Other", "no"), "same cloud");
        assertHint(refused(400, "ErrorMessageSizeExceeded", "too big"), "-MaxSendSize 150MB");
        assertHint(refused(413, "RequestEntityTooLarge", "too big"), "larger than Graph accepts in one request");
    }

    @Test
    void anUnknownRefusalGetsNoHint() {
        MailSendException e = refused(400, "ErrorInvalidIdMalformed", "Id is malformed.");
        assertTrue(e.getMessage().contains("Id is malformed. (2 attempts)"), e.getMessage());
    }

    @Test
    void anAnswerThatIsNotGraphsJsonIsReportedByStatusAndShortened() {
        MailSendException empty = errors.toException(502, "", MAILBOX, "req-2", "<m2@contoso.com>", "");
        assertEquals("502", empty.getErrorCode());
        assertHint(empty, "(HTTP 502, request-id req-2): (empty body)");

        String page = "<html>" + "x".repeat(1000) + "</html>";
        MailSendException proxy = errors.toException(400, page, MAILBOX, "req-3", "<m3@contoso.com>", "");
        assertHint(proxy, "<html>" + "x".repeat(294) + " [...].");
        assertFalse(proxy.getMessage().contains("</html>"), "the page is cut");
        assertTrue(proxy.getMessage().length() < 500, proxy.getMessage());

        String long300 = "y".repeat(300);
        MailSendException exact = errors.toException(400, long300, MAILBOX, "req-4", "<m4@contoso.com>", "");
        assertHint(exact, long300 + ".");
        assertFalse(exact.getMessage().contains("[...]"), "300 characters are kept whole");
    }
}
