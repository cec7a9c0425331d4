package org.m365mail.sandbox;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Exchange Online's SMTP client submission endpoint (smtp.office365.com:587): STARTTLS required before AUTH,
 * TLS 1.2 or newer, {@code AUTH XOAUTH2} only, and Exchange's replies.
 *
 * <p>Behaviour from https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365
 * (port 587, STARTTLS, TLS 1.2), the greeting from
 * https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/fix-issues-with-printers-scanners-and-lob-applications-that-send-email-using-off
 * ({@code 220 <host>.outlook.office365.com Microsoft ESMTP MAIL Service ready at <date>}), and the XOAUTH2 page
 * cited in {@link Xoauth2Authentication}. A submitted message is answered {@code 250 2.0.0 OK <message-id>
 * [Hostname=...]}; a sender the login may not send as gets {@code 554 5.2.0 STOREDRV.Submission.Exception:
 * SendAsDeniedException.MapiExceptionSendAsDenied}. SubEtha's fixed texts for STARTTLS, AUTH success and EHLO differ
 * slightly from Exchange's; clients act on the codes, which match.
 */
final class ExchangeSmtpServer {

    /** What Exchange Online advertises in EHLO's SIZE. */
    static final int ADVERTISED_SIZE = 157_286_400;

    private final SMTPServer server;
    private final String hostName;
    private final Xoauth2Authentication authentication;

    ExchangeSmtpServer(int port, SSLContext tls, SandboxDirectory directory, TokenIssuer issuer, Outbox outbox) {
        this.hostName = "SANDBOX01.outlook.office365.test";
        this.authentication = new Xoauth2Authentication(directory, issuer, hostName);
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
                .messageHandlerFactory(context -> new Submission(context, outbox, hostName))
                .maxMessageSize(ADVERTISED_SIZE)
                .connectionTimeout(10 * 60, java.util.concurrent.TimeUnit.SECONDS)
                .build();
    }

    void start() {
        server.start();
    }

    void stop() {
        server.stop();
    }

    Xoauth2Authentication authentication() {
        return authentication;
    }

    int port() {
        return server.getPortAllocated();
    }

    private static SSLSocket startTls(SSLContext tls, java.net.Socket socket) throws IOException {
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory()
                .createSocket(socket, remote.getHostString(), socket.getPort(), true);
        ssl.setUseClientMode(false);
        // Exchange Online refuses TLS 1.0 and 1.1 for client submission.
        ssl.setEnabledProtocols(new String[]{"TLSv1.3", "TLSv1.2"});
        return new LongAuthLineSocket(ssl);
    }

    /** One message transaction of an authenticated session. */
    private static final class Submission implements MessageHandler {
        private final MessageContext context;
        private final Outbox outbox;
        private final String hostName;
        private String envelopeFrom;
        private final List<String> recipients = new ArrayList<>();

        Submission(MessageContext context, Outbox outbox, String hostName) {
            this.context = context;
            this.outbox = outbox;
            this.hostName = hostName;
        }

        private Xoauth2Authentication.Login login() throws RejectException {
            return context.getAuthenticationHandler()
                    .map(h -> (Xoauth2Authentication.Login) h.getIdentity())
                    .orElseThrow(() -> new RejectException(530, "5.7.57 Client not authenticated to send mail."));
        }

        @Override
        public void from(String from) throws RejectException {
            login();
            envelopeFrom = from;
        }

        @Override
        public void recipient(String recipient) {
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream data) throws RejectException, IOException {
            Xoauth2Authentication.Login login = login();
            byte[] raw = data.readAllBytes();
            try {
                MimeMessageReader reader = new MimeMessageReader(raw);
                InternetAddress from = reader.from();
                boolean sendAs = login.mailbox().equalsIgnoreCase(envelopeFrom)
                        && (from == null || login.mailbox().equalsIgnoreCase(from.getAddress()));
                if (!sendAs) {
                    throw new RejectException(554, "5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException."
                            + "MapiExceptionSendAsDenied; Failed to process message due to a permanent exception "
                            + "with message Cannot submit message. [Hostname=" + hostName + "]");
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
                outbox.add(new DeliveredMessage("SMTP", login.mailbox(), envelopeFrom,
                        from == null ? null : from.getAddress(), from == null ? null : from.getPersonal(),
                        reader.message.getSubject(), to, cc, bcc, reader.replyTo(), reader.text, reader.html,
                        List.copyOf(reader.attachments), reader.customHeaders(), messageId, true, internalId, raw,
                        Instant.now()));
                // Exchange Online's reply to DATA, as seen in SMTP AUTH transcripts (on-premises Exchange says
                // "250 2.6.0 ... Queued mail for delivery" instead).
                return "2.0.0 OK " + (messageId == null ? "<" + internalId + "@" + hostName + ">" : messageId)
                        + " [Hostname=" + hostName + "]";
            } catch (MessagingException e) {
                throw new RejectException(554, "5.6.0 Corrupt message content; " + e.getMessage());
            }
        }

        @Override
        public void done() {
        }
    }
}
