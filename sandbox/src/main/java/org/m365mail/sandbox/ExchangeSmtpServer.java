package org.m365mail.sandbox;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Exchange Online's SMTP client submission endpoint (smtp.office365.com:587): STARTTLS required before AUTH,
 * TLS 1.2 or newer, {@code AUTH LOGIN XOAUTH2}, Exchange's replies and limits.
 *
 * <p>Behaviour from https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365
 * (port 587, STARTTLS, TLS 1.2), the greeting from
 * https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/fix-issues-with-printers-scanners-and-lob-applications-that-send-email-using-off
 * ({@code 220 <host>.outlook.office365.com Microsoft ESMTP MAIL Service ready at <date>}), limits and their replies
 * from https://learn.microsoft.com/en-us/exchange/troubleshoot/send-emails/smtp-submission-improvements (three
 * messages submitted at once per mailbox, else {@code 432 4.3.2 STOREDRV.ClientSubmit; sender thread limit
 * exceeded}; 10,000 recipients a day, else {@code 554 5.2.0 STOREDRV.Submission.Exception:
 * SubmissionQuotaExceededException}), recipients per message (500) and the default 35 MB MaxSendSize from
 * https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits.
 * A submitted message is answered {@code 250 2.0.0 OK <message-id> [Hostname=...]}; a From the login may not use gets
 * {@code 554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied}. SubEtha's fixed
 * texts for STARTTLS, AUTH success and EHLO differ slightly from Exchange's; clients act on the codes, which match.
 */
final class ExchangeSmtpServer {

    /** What Exchange Online advertises in EHLO's SIZE. */
    static final int ADVERTISED_SIZE = 157_286_400;
    static final int MAX_RECIPIENTS = 500;
    static final int CONCURRENT_SUBMISSIONS = 3;

    private final SMTPServer server;
    private final String hostName;
    private final SmtpAuthentication authentication;
    private final SmtpSessions sessions = new SmtpSessions();
    private final SmtpFaults faults = new SmtpFaults();
    private final SandboxDirectory directory;
    private final Map<String, Deque<Instant>> recipientsSent = new ConcurrentHashMap<>();
    /** Exchange Online's per-mailbox limits (3 submissions at once, daily recipients); off for benchmarks. */
    private volatile boolean exchangeLimits = true;

    void exchangeLimits(boolean on) {
        this.exchangeLimits = on;
    }

    ExchangeSmtpServer(int port, SSLContext tls, SandboxDirectory directory, TokenIssuer issuer, Outbox outbox) {
        this.hostName = "SANDBOX01.outlook.office365.test";
        this.directory = directory;
        this.authentication = new SmtpAuthentication(directory, issuer, hostName, sessions);
        // SubEtha greets with "220 {hostName} ESMTP {softwareName}"; these two make Exchange's banner.
        this.server = SMTPServer.port(port)
                .bindAddress(InetAddress.getLoopbackAddress())
                .hostName(hostName + " Microsoft")
                .softwareName("MAIL Service ready at " + java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                        .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)))
                .enableTLS()
                .requireTLS()
                .requireAuth()
                .startTlsSocketFactory(socket -> startTls(tls, socket))
                .authenticationHandlerFactory(authentication)
                .sessionHandler(sessions)
                .messageHandlerFactory(context -> new Submission(context, outbox))
                .maxMessageSize(ADVERTISED_SIZE)
                .maxRecipients(MAX_RECIPIENTS)
                .connectionTimeout(10 * 60, java.util.concurrent.TimeUnit.SECONDS)
                .build();
    }

    void start() {
        server.start();
    }

    void stop() {
        server.stop();
    }

    SmtpAuthentication authentication() {
        return authentication;
    }

    SmtpSessions sessions() {
        return sessions;
    }

    SmtpFaults faults() {
        return faults;
    }

    int port() {
        return server.getPortAllocated();
    }

    private SSLSocket startTls(SSLContext tls, java.net.Socket socket) throws IOException {
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory()
                .createSocket(socket, remote.getHostString(), socket.getPort(), true);
        ssl.setUseClientMode(false);
        // Exchange Online refuses TLS 1.0 and 1.1 for client submission.
        ssl.setEnabledProtocols(new String[]{"TLSv1.3", "TLSv1.2"});
        return new LongAuthLineSocket(ssl, socket, sessions::command);
    }

    /** Counts recipients in a rolling 24 hours; true when {@code count} more would pass the mailbox's limit. */
    private boolean overDailyQuota(SandboxDirectory.Mailbox mailbox, int count) {
        Deque<Instant> sent = recipientsSent.computeIfAbsent(mailbox.address(), m -> new ConcurrentLinkedDeque<>());
        Instant dayAgo = Instant.now().minus(Duration.ofDays(1));
        while (!sent.isEmpty() && sent.peekFirst().isBefore(dayAgo)) {
            sent.pollFirst();
        }
        if (exchangeLimits && sent.size() + count > mailbox.dailyRecipientLimit()) {
            return true;
        }
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            sent.addLast(now);
        }
        return false;
    }

    /** One message transaction of an authenticated session. */
    private final class Submission implements MessageHandler {
        private final MessageContext context;
        private final Outbox outbox;
        private String envelopeFrom;
        private final List<String> recipients = new ArrayList<>();
        private String counted;

        Submission(MessageContext context, Outbox outbox) {
            this.context = context;
            this.outbox = outbox;
        }

        private SmtpAuthentication.Login login() throws RejectException {
            return context.getAuthenticationHandler()
                    .map(h -> (SmtpAuthentication.Login) h.getIdentity())
                    .orElseThrow(() -> new RejectException(530, "5.7.57 Client not authenticated to send mail."));
        }

        @Override
        public void from(String from) throws RejectException {
            SmtpAuthentication.Login login = login();
            if (faults.take(SmtpFaults.Fault.RESET_ON_MAIL)) {
                dropConnection();
                throw new DropConnectionException(421, "4.4.2 Connection dropped");
            }
            if (faults.take(SmtpFaults.Fault.CLOSING_ON_MAIL)) {
                throw new DropConnectionException(421, "4.3.2 Service not available, closing transmission channel");
            }
            counted = login.mailbox();
            if (sessions.startSubmission(counted) > CONCURRENT_SUBMISSIONS && exchangeLimits) {
                throw new RejectException(432, "4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname="
                        + hostName + "]");
            }
            envelopeFrom = from;
        }

        @Override
        public void recipient(String recipient) throws RejectException {
            if (faults.take(SmtpFaults.Fault.BUSY_ON_RECIPIENT)) {
                throw new RejectException(451, "4.7.500 Server busy. Please try again later.");
            }
            if (faults.take(SmtpFaults.Fault.REJECT_RECIPIENT)) {
                throw new RejectException(550, "5.4.1 Recipient address rejected: Access denied. AS(201806281)");
            }
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream data) throws RejectException, IOException {
            SmtpAuthentication.Login login = login();
            byte[] raw = data.readAllBytes();
            if (faults.take(SmtpFaults.Fault.STALL_AFTER_DATA)) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                dropConnection();
                return null;
            }
            if (faults.take(SmtpFaults.Fault.BUSY_ON_DATA)) {
                throw new RejectException(451, "4.7.500 Server busy. Please try again later.");
            }
            SandboxDirectory.Tenant tenant = directory.tenant(login.tenantId()).orElseThrow();
            SandboxDirectory.Mailbox loginMailbox = tenant.mailbox(login.mailbox()).orElseThrow();
            if (raw.length > loginMailbox.maxSendSize()) {
                throw new RejectException(552, "5.3.4 Message size exceeds fixed maximum message size");
            }
            try {
                MimeMessageReader reader = new MimeMessageReader(raw);
                InternetAddress from = reader.from();
                InternetAddress senderHeader = (InternetAddress) reader.message.getSender();
                String fromAddress = from == null ? envelopeFrom : from.getAddress();
                String sender = senderHeader == null ? null : senderHeader.getAddress();
                if (!maySendAs(tenant, login.mailbox(), fromAddress, sender)
                        || !maySendAs(tenant, login.mailbox(), envelopeFrom, sender)) {
                    throw new RejectException(554, "5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException."
                            + "MapiExceptionSendAsDenied; Failed to process message due to a permanent exception "
                            + "with message Cannot submit message. [Hostname=" + hostName + "]");
                }
                if (overDailyQuota(loginMailbox, recipients.size())) {
                    throw new RejectException(554, "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException;"
                            + " Failed to process message due to a permanent exception with message Cannot submit "
                            + "message. [Hostname=" + hostName + "]");
                }
                List<String> to = reader.addresses(Message.RecipientType.TO);
                List<String> cc = reader.addresses(Message.RecipientType.CC);
                Set<String> visible = new HashSet<>();
                to.forEach(a -> visible.add(a.toLowerCase(Locale.ROOT)));
                cc.forEach(a -> visible.add(a.toLowerCase(Locale.ROOT)));
                List<String> bcc = recipients.stream()
                        .filter(r -> !visible.contains(r.toLowerCase(Locale.ROOT))).toList();
                String internalId = UUID.randomUUID().toString();
                String messageId = reader.message.getMessageID();
                outbox.add(reader.delivered("SMTP", "SMTP", login.mailbox(), envelopeFrom, bcc, true, internalId,
                        raw));
                // The submission ends here, before the reply: a client that has its 250 may start the next one.
                done();
                if (faults.take(SmtpFaults.Fault.DROP_AFTER_ACCEPTING_DATA)) {
                    dropConnection();
                    return null;
                }
                if (faults.take(SmtpFaults.Fault.RESET_AFTER_ACCEPTING_DATA)) {
                    if (context instanceof Session session) {
                        SmtpSessions.reset(session);
                    }
                    return null;
                }
                // Exchange Online's reply to DATA, as seen in SMTP AUTH transcripts (on-premises Exchange says
                // "250 2.6.0 ... Queued mail for delivery" instead).
                return "2.0.0 OK " + (messageId == null ? "<" + internalId + "@" + hostName + ">" : messageId)
                        + " [Hostname=" + hostName + "]";
            } catch (MessagingException e) {
                throw new RejectException(554, "5.6.0 Corrupt message content; " + e.getMessage());
            }
        }

        /** Send As: From is the login; or the login has Send As on From; or Sender is the login with Send on Behalf. */
        private boolean maySendAs(SandboxDirectory.Tenant tenant, String login, String address, String sender) {
            if (address == null || login.equalsIgnoreCase(address)) {
                return true;
            }
            return tenant.mailbox(address).map(m -> m.allowsSendAs(login)
                    || (login.equalsIgnoreCase(sender) && m.allowsSendOnBehalf(login))).orElse(false);
        }

        private void dropConnection() {
            if (context instanceof Session session) {
                SmtpSessions.abort(session);
            }
        }

        @Override
        public void done() {
            if (counted != null) {
                sessions.endSubmission(counted);
                counted = null;
            }
        }
    }
}
