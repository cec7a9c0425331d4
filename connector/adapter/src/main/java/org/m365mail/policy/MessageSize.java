package org.m365mail.policy;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.m365mail.api.MailSendException;
import org.m365mail.logging.LogText;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Whether a message fits a size limit once encoded. The cheap {@link EncodedSizeBound} answers most messages; only
 * when it cannot show that the message fits is the message encoded, into a counter that keeps no byte, so a 100 MB
 * attachment is measured without 100 MB of heap.
 */
public final class MessageSize {

    /** What a server does not receive: Bcc is removed from the transmitted headers, Content-Length is not sent. */
    private static final String[] NOT_TRANSMITTED = {"Bcc", "Content-Length"};

    private MessageSize() {
    }

    /**
     * @return the message's encoded size when it is larger than {@code limit}, else {@code -1}
     * @throws MailSendException if the message cannot be encoded
     */
    public static long exceeding(Message message, long limit) throws MailSendException {
        long bound;
        try {
            bound = EncodedSizeBound.of(message);
        } catch (MessagingException e) {
            bound = -1;
        }
        if (bound >= 0 && bound <= limit) {
            return -1;
        }
        long size = encoded(message);
        return size > limit ? size : -1;
    }

    private static long encoded(Message message) throws MailSendException {
        CountingStream counter = new CountingStream();
        try {
            if (message instanceof MimeMessage mime) {
                mime.writeTo(counter, NOT_TRANSMITTED);
            } else {
                message.writeTo(counter);
            }
        } catch (IOException | MessagingException e) {
            throw new MailSendException("Cannot encode the message to measure it: " + LogText.of(e.getMessage())
                    + " (a body part or attachment could not be read, or the MIME structure is broken). The message "
                    + "was not sent.", "MalformedMessage", e);
        }
        return counter.count;
    }

    /** Counts bytes and keeps none. */
    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
