package org.m365mail.policy;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import org.m365mail.api.MailSendException;

import java.io.IOException;

/**
 * Refuses a message whose MIME structure no server should be sent: a multipart with no parts (RFC 2046 §5.1.1 asks
 * for at least one; Graph would send an empty body, Exchange's SMTP a broken message) or multiparts nested deeper
 * than any mail client writes. Only the structure is read, not the attachments' content.
 */
final class MimeStructure {

    /** Deeper nesting than mail clients write (they use 3 or 4: mixed, related, alternative). */
    static final int MAX_DEPTH = 16;

    private MimeStructure() {
    }

    static void check(Message message) throws MailSendException {
        try {
            check(message, 0);
        } catch (MessagingException | IOException e) {
            throw new MailSendException("Cannot read the message's MIME structure: " + e.getMessage() + ". The message "
                    + "was not sent.", "MalformedMessage", e);
        }
    }

    private static void check(Part part, int depth) throws MessagingException, IOException, MailSendException {
        // The data handler's type, not the part's header: a message not yet saved has no Content-Type header.
        jakarta.activation.DataHandler handler = part.getDataHandler();
        String type = handler == null ? null : handler.getContentType();
        if (type == null || !type.regionMatches(true, 0, "multipart/", 0, 10)) {
            return;
        }
        if (depth >= MAX_DEPTH) {
            throw new MailSendException("The message nests multiparts more than " + MAX_DEPTH + " deep; build it with "
                    + "fewer levels. The message was not sent.", "MalformedMessage", null);
        }
        Object content = handler.getContent();
        if (!(content instanceof Multipart multipart)) {
            return; // a multipart the provider cannot parse is sent as its bytes; the size check reads those
        }
        if (multipart.getCount() == 0) {
            throw new MailSendException("The message has a multipart (" + multipart.getContentType().split(";")[0]
                    + ") with no parts: add the body (a MimeBodyPart with text) or send the text without a multipart. "
                    + "The message was not sent.", "MalformedMessage", null);
        }
        for (int i = 0; i < multipart.getCount(); i++) {
            check(multipart.getBodyPart(i), depth + 1);
        }
    }
}
