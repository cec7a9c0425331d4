package org.m365mail.transport.smtp;

import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.config.MailSettings;
import org.m365mail.config.SmtpTls;
import org.m365mail.transport.MailChannel;
import org.m365mail.logging.LogText;
import org.m365mail.policy.Admission;
import org.m365mail.policy.MailboxLimits;
import org.m365mail.policy.MessageSize;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One SMTP connection, signed in and kept open between sends, that heals itself.
 *
 * <ul>
 *   <li>Before reuse it checks that the token it signed in with is still good; if not, it reconnects with a new one.
 *   <li>A connection the server closed (idle timeout, {@code 421}, reset) is replaced and the message sent once more
 *       on the new connection, unless the message data had already been sent in full: then the server may have
 *       accepted it, and a second attempt could deliver it twice, so the send fails and says so.
 *   <li>A {@code 4xx} reply (busy, too many connections) is retried with backoff; a {@code 5xx} reply fails the send
 *       with the server's text and what to change.
 * </ul>
 */
final class SmtpChannel implements MailChannel {

    private static final Logger LOG = Logger.getLogger(SmtpChannel.class.getName());
    private static final int MAX_ATTEMPTS = 3;
    private static final long BACKOFF_MILLIS = 400;
    /** Idle longer than this, a connection is asked whether it is still open before it is used. */
    private static final Duration PROBE_AFTER_IDLE = Duration.ofSeconds(5);

    /** How a failed attempt ended. */
    enum Failure { CONNECTION_LOST, OUTCOME_UNKNOWN, TRANSIENT, PERMANENT }

    private final SmtpXoauth2Transport owner;
    private Transport transport;
    private java.time.Instant usableUntil;
    /** The SIZE the server announced in EHLO on this connection; 0 for none. */
    private long announcedSize;
    private long lastUsedNanos;
    private volatile boolean broken;
    /** The socket under the current connection, so that the pool can abort it under a send in progress. */
    private volatile Socket socket;
    private volatile boolean aborted;

    SmtpChannel(SmtpXoauth2Transport owner) {
        this.owner = owner;
    }

    /** Opens and signs in the connection now, rather than at the first send: the pool's Ping tests it so. */
    @Override
    public void open() throws MailSendException {
        connection();
    }

    /**
     * Closes the socket at once, from any thread: a send in progress fails (and is not sent again), and the
     * connection is not used again. Angus Mail's own {@code close()} waits for a send in progress to finish.
     */
    @Override
    public void abort() {
        aborted = true;
        broken = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.log(Level.FINE, "M365MAIL-4006 Closing the SMTP socket failed", e);
            }
        }
    }

    private MailSendException abortedError(String messageId, Exception cause) {
        return new MailSendException("The pool closed this SMTP connection while message " + messageId + " was "
                + "being sent (the pool shrank or the server is stopping); the message was not sent, get a new "
                + "connection and send it again", "ConnectionClosedByPool", cause);
    }

    @Override
    public SentMessage send(Message message) throws MailSendException {
        try (Admission admitted = owner.policy().admit(message);
             MailboxLimits.Slot slot = owner.limits().acquire(owner.events())) {
            return deliver(message, admitted.recipients(), admitted.messageId());
        }
    }

    private SentMessage deliver(Message message, Address[] recipients, String messageId) throws MailSendException {
        MailSettings settings = owner.settings();
        boolean reconnected = false;
        for (int attempt = 1; ; attempt++) {
            Transport connected = connection();
            checkSize(message);
            WatchedData data = new WatchedData(owner.session(), (MimeMessage) message);
            try {
                connected.sendMessage(data, recipients);
                String reply = SmtpReplies.lastReply(connected);
                LOG.fine(() -> "M365MAIL-4001 SMTP accepted " + LogText.of(messageId) + ": " + LogText.of(reply));
                return new SentMessage(messageId, "SMTP", reply, java.time.Instant.now(owner.clock()));
            } catch (IllegalStateException notConnected) {
                // Angus Mail had already seen the server close this connection: nothing of the message was sent.
                if (aborted) {
                    throw abortedError(messageId, notConnected);
                }
                close();
                if (reconnected) {
                    broken = true;
                    throw new MailSendException("The SMTP connection to " + settings.smtpHost() + ":"
                            + settings.smtpPort() + " closed twice before sending. The message was not sent.",
                            "ConnectionLost", notConnected);
                }
                reconnected = true;
                owner.events().retried();
            } catch (MessagingException e) {
                int code = code(e);
                Failure failure = classify(code, data.written());
                String reply = reply(e);
                switch (failure) {
                    case OUTCOME_UNKNOWN -> {
                        close();
                        throw new MailSendException("The SMTP connection to " + settings.smtpHost() + " broke after "
                                + "the whole message " + messageId + " had been sent, before the server confirmed "
                                + "it. The server may have accepted it, so it is not sent again (that could deliver it "
                                + "twice); look for " + messageId + " in the message trace.", "OutcomeUnknown", e);
                    }
                    case CONNECTION_LOST -> {
                        if (aborted) {
                            throw abortedError(messageId, e);
                        }
                        close();
                        if (reconnected) {
                            broken = true;
                            throw new MailSendException("The SMTP connection to " + settings.smtpHost() + ":"
                                    + settings.smtpPort() + " failed twice while sending: " + reply
                                    + ". The message was not sent.", "ConnectionLost", e);
                        }
                        reconnected = true;
                        owner.events().retried();
                        LOG.log(Level.FINE, "M365MAIL-4002 The SMTP server closed the connection ({0}); sending {1} "
                                + "again on a new connection", new Object[]{LogText.of(reply), LogText.of(messageId)});
                    }
                    case TRANSIENT -> {
                        if (code == 421) {
                            close();
                        }
                        if (attempt >= MAX_ATTEMPTS) {
                            throw new MailSendException("The SMTP server " + settings.smtpHost() + " kept deferring "
                                    + "the message (" + attempt + " attempts): " + reply + SmtpReplies.hint(reply)
                                    + ". The message was not sent.", SmtpReplies.code(reply), e);
                        }
                        owner.events().retried();
                        backoff(attempt, reply);
                    }
                    default -> throw new MailSendException("The SMTP server " + settings.smtpHost()
                            + " refused the message: " + reply + SmtpReplies.hint(reply), SmtpReplies.code(reply), e);
                }
            }
        }
    }

    /**
     * The server's reply the failure carries: its own text, or, when Angus Mail sums refused recipients up as
     * "Invalid Addresses", the reply to the first refused recipient (e.g. {@code 550 5.4.1 Recipient address
     * rejected}), so that the error names the server's reason and code.
     */
    private static String reply(MessagingException e) {
        for (Exception x = e; x instanceof MessagingException m; x = m.getNextException()) {
            if (SmtpReplies.returnCode(m) > 0 && m.getMessage() != null) {
                String text = m.getMessage().trim();
                return m == e ? text : e.getMessage() + ": " + text;
            }
        }
        return e.getMessage();
    }

    /** The reply code of the failure: the exception's own, or that of a nested one (refused recipients). */
    private static int code(MessagingException e) {
        for (Exception x = e; x instanceof MessagingException m; x = m.getNextException()) {
            int code = SmtpReplies.returnCode(m);
            if (code != 0) {
                return code;
            }
        }
        return 0;
    }

    /**
     * How an attempt ended. Without a reply the connection is gone, and whether the server may have the message
     * depends on one thing: whether its data was written in full, after which the end-of-data line follows at once.
     * Before that nothing can have been accepted, and the message is sent again on a new connection; after it the
     * server may have queued the message and only lost the chance to say so, and it is not sent again.
     */
    static Failure classify(int code, boolean dataWritten) {
        if (code == -1 || code == 0) {
            return dataWritten ? Failure.OUTCOME_UNKNOWN : Failure.CONNECTION_LOST;
        }
        if (code >= 400 && code < 500) {
            return Failure.TRANSIENT;
        }
        return Failure.PERMANENT;
    }

    /** How long to wait before attempt {@code attempt + 1}: doubling from the base, with up to a base of jitter. */
    static long backoffMillis(int attempt) {
        return BACKOFF_MILLIS * (1L << (attempt - 1)) + ThreadLocalRandom.current().nextLong(BACKOFF_MILLIS);
    }

    private static void backoff(int attempt, String reply) throws MailSendException {
        long wait = backoffMillis(attempt);
        LOG.log(Level.FINE, "M365MAIL-4003 The SMTP server deferred the message ({0}); retrying in {1} ms",
                new Object[]{LogText.of(reply), wait});
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while waiting to retry", e);
        }
    }

    /**
     * Refuses before sending a message larger than the server announced (EHLO {@code SIZE}) when that is below
     * {@code maxMessageBytes}, which the sending policy has checked already.
     */
    private void checkSize(Message message) throws MailSendException {
        long announced = announcedSize;
        if (announced <= 0 || announced >= owner.settings().sending().maxMessageBytes()) {
            return;
        }
        long size = MessageSize.exceeding(message, announced);
        if (size >= 0) {
            throw new MailSendException("The message is " + size + " bytes after encoding; the server "
                    + owner.settings().smtpHost() + " accepts at most " + announced + " bytes (its SIZE). Send smaller "
                    + "attachments or share a link. The message was not sent.", "MessageTooLarge", null);
        }
    }

    /**
     * An open, signed-in connection whose credential is good for a while yet.
     *
     * <p>Angus Mail's {@code isConnected()} asks the server ({@code NOOP}), a round trip that cost a small message
     * half its send time in the benchmark. A connection used within the last {@link #PROBE_AFTER_IDLE} is trusted
     * without asking; one that was closed all the same fails before its data is sent and is replaced by
     * {@link #deliver}, which sends the message again on a new connection.
     */
    private Transport connection() throws MailSendException {
        if (aborted) {
            throw new MailSendException("This SMTP connection was closed by the pool; get a new connection",
                    "ConnectionClosedByPool", null);
        }
        if (transport != null && java.time.Instant.now(owner.clock()).isBefore(usableUntil)) {
            long now = System.nanoTime();
            boolean recentlyUsed = now - lastUsedNanos < PROBE_AFTER_IDLE.toNanos();
            if (recentlyUsed || transport.isConnected()) {
                lastUsedNanos = now;
                return transport;
            }
        }
        close();
        broken = false;
        MailSettings settings = owner.settings();
        SmtpLogin login = owner.login();
        SmtpLogin.Credential credential = login.current();
        Transport fresh = owner.newTransport();
        try {
            connect(fresh, settings, login, credential);
        } catch (AuthenticationFailedException refused) {
            if (!login.usesTokens()) {
                throw signInRefused(settings, login, refused);
            }
            // A cached token can be refused after a permission change: one retry with a new token.
            login.refused(credential);
            credential = login.current();
            try {
                connect(fresh, settings, login, credential);
            } catch (AuthenticationFailedException again) {
                throw signInRefused(settings, login, again);
            } catch (MessagingException e) {
                throw unreachable(settings, e);
            }
        } catch (MessagingException e) {
            throw unreachable(settings, e);
        }
        transport = fresh;
        usableUntil = SmtpLogin.usableUntil(credential);
        announcedSize = SmtpReplies.announcedSizeLimit(fresh);
        lastUsedNanos = System.nanoTime();
        return fresh;
    }

    private void connect(Transport transport, MailSettings settings, SmtpLogin login,
                         SmtpLogin.Credential credential) throws MessagingException {
        owner.watchdog().capturing(created -> socket = created, () -> {
            transport.connect(settings.smtpHost(), settings.smtpPort(), login.username(), credential.secret());
            return null;
        });
    }

    private static MailSendException signInRefused(MailSettings settings, SmtpLogin login,
                                                   AuthenticationFailedException e) {
        String reply = e.getMessage();
        return new MailSendException("The SMTP server " + settings.smtpHost() + " refused the sign-in of "
                + login.username() + " (" + (login.usesTokens() ? "XOAUTH2" : "password") + "): " + reply
                + SmtpReplies.hint(reply), codeOr(reply, "SignInRefused"), e);
    }

    /** The reply's code, or {@code fallback} naming the failure when the server gave no coded reply. */
    private static String codeOr(String reply, String fallback) {
        String code = SmtpReplies.code(reply);
        return code == null ? fallback : code;
    }

    private static MailSendException unreachable(MailSettings settings, MessagingException e) {
        String reply = e.getMessage();
        return new MailSendException("Cannot open an SMTP connection to " + settings.smtpHost() + ":"
                + settings.smtpPort() + " (" + settings.smtpTls() + "): " + reply
                + (e.getCause() == null ? "" : " (" + e.getCause() + ")") + SmtpReplies.hint(reply)
                + tlsModeHint(settings, e)
                + "; check smtpHost, smtpPort, smtpTls, trustStorePath and the network path. The message was not sent.",
                codeOr(reply, "SmtpUnreachable"), e);
    }

    /**
     * What a port that speaks another TLS mode looks like, and the setting that matches it: with IMPLICIT, a plain
     * greeting arrives where the TLS handshake was expected; with STARTTLS, a TLS port waits for a handshake and
     * sends no greeting, so the read times out.
     */
    static String tlsModeHint(MailSettings settings, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage());
            if (settings.smtpTls() == SmtpTls.IMPLICIT && t instanceof javax.net.ssl.SSLException
                    && text.contains("Unsupported or unrecognized SSL message")) {
                return ". Port " + settings.smtpPort() + " answered in plain text, not TLS: it expects STARTTLS, so set "
                        + "smtpTls=STARTTLS (Exchange Online: port 587)";
            }
            if (settings.smtpTls() == SmtpTls.STARTTLS && t instanceof java.net.SocketTimeoutException) {
                return ". No SMTP greeting came from port " + settings.smtpPort() + " within readTimeoutMillis: if the "
                        + "port speaks TLS from the start (465), set smtpTls=IMPLICIT; Exchange Online takes STARTTLS on "
                        + "port 587";
            }
        }
        return "";
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
                LOG.log(Level.FINE, "M365MAIL-4007 Closing the SMTP connection failed", e);
            }
            transport = null;
            usableUntil = null;
        }
    }
}
