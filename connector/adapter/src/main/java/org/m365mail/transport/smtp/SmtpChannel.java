package org.m365mail.transport.smtp;

import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.auth.AccessToken;
import org.m365mail.config.MailSettings;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.MessageIds;

import java.io.UnsupportedEncodingException;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One authenticated SMTP connection, kept open between sends so that the next send skips the TLS handshake and
 * the authentication.
 */
final class SmtpChannel implements MailChannel {

    private static final Logger LOG = Logger.getLogger(SmtpChannel.class.getName());
    /** Reconnect with a new token before the one the connection authenticated with runs out. */
    private static final Duration TOKEN_MARGIN = Duration.ofMinutes(1);

    private final SmtpXoauth2Transport owner;
    private Transport transport;
    private AccessToken authenticatedWith;
    private boolean broken;

    SmtpChannel(SmtpXoauth2Transport owner) {
        this.owner = owner;
    }

    @Override
    public SentMessage send(Message message) throws MailSendException {
        MailSettings settings = owner.settings();
        Address[] recipients;
        String messageId;
        try {
            if (message.getFrom() == null || message.getFrom().length == 0) {
                message.setFrom(new InternetAddress(settings.fromAddress().getAddress(), settings.fromName(),
                        "UTF-8"));
            }
            messageId = MessageIds.prepare(message, settings.fromAddress());
            recipients = message.getAllRecipients();
            if (recipients == null || recipients.length == 0) {
                throw new MailSendException("The message has no recipients: set To, Cc or Bcc");
            }
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new MailSendException("Cannot prepare the message for SMTP: " + e.getMessage(), e);
        }
        Transport connected = connection();
        try {
            connected.sendMessage(message, recipients);
        } catch (SendFailedException e) {
            // The server refused a sender or recipient, or the data: the connection itself is still good.
            throw new MailSendException("The SMTP server " + settings.smtpHost() + " refused the message: "
                    + e.getMessage() + SmtpReplies.hint(e.getMessage()), SmtpReplies.code(e.getMessage()), e);
        } catch (MessagingException e) {
            markBroken();
            throw new MailSendException("The SMTP connection to " + settings.smtpHost() + ":" + settings.smtpPort()
                    + " failed while sending: " + e.getMessage() + ". The message was not sent.", e);
        }
        String reply = SmtpReplies.lastReply(connected);
        LOG.fine(() -> "M365MAIL-4001 SMTP accepted " + messageId + ": " + reply);
        return new SentMessage(messageId, "SMTP", reply, Instant.now());
    }

    /** An open, authenticated connection whose token is good for a while yet. */
    private Transport connection() throws MailSendException {
        if (transport != null && transport.isConnected() && authenticatedWith != null
                && authenticatedWith.isFreshAt(Instant.now(), TOKEN_MARGIN)) {
            return transport;
        }
        close();
        broken = false;
        MailSettings settings = owner.settings();
        AccessToken token = owner.tokens().token();
        Transport fresh = owner.newTransport();
        try {
            connect(fresh, settings, token);
        } catch (AuthenticationFailedException rejected) {
            // A cached token can be refused after a permission change: one retry with a new token.
            owner.tokens().invalidate(token);
            token = owner.tokens().token();
            try {
                connect(fresh, settings, token);
            } catch (AuthenticationFailedException again) {
                throw new MailSendException("The SMTP server " + settings.smtpHost() + " refused XOAUTH2 for "
                        + settings.fromAddress().getAddress() + ": " + again.getMessage()
                        + SmtpReplies.hint(again.getMessage()), SmtpReplies.code(again.getMessage()), again);
            } catch (MessagingException e) {
                throw unreachable(settings, e);
            }
        } catch (MessagingException e) {
            throw unreachable(settings, e);
        }
        transport = fresh;
        authenticatedWith = token;
        return fresh;
    }

    private static void connect(Transport transport, MailSettings settings, AccessToken token)
            throws MessagingException {
        transport.connect(settings.smtpHost(), settings.smtpPort(), settings.fromAddress().getAddress(),
                token.value());
    }

    private static MailSendException unreachable(MailSettings settings, MessagingException e) {
        return new MailSendException("Cannot open an SMTP connection to " + settings.smtpHost() + ":"
                + settings.smtpPort() + ": " + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")")
                + "; check smtpHost, smtpPort, trustStorePath and the network path. The message was not sent.", e);
    }

    private void markBroken() {
        broken = true;
        close();
    }

    @Override
    public boolean isBroken() {
        return broken;
    }

    @Override
    public void close() {
        if (transport != null) {
            try {
                transport.close();
            } catch (MessagingException e) {
                LOG.log(Level.FINE, "Closing the SMTP connection failed", e);
            }
            transport = null;
            authenticatedWith = null;
        }
    }
}
