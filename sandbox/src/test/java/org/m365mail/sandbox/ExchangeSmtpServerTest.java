package org.m365mail.sandbox;

import jakarta.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stand-in's SMTP server speaks Exchange Online's protocol on a raw socket. */
class ExchangeSmtpServerTest {

    private static M365Sandbox sandbox;

    @BeforeAll
    static void start() throws Exception {
        sandbox = M365Sandbox.builder().workDir(Path.of("target/sandbox-smtp-server")).start();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private static String token(String scope) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(sandbox.clientSslContext()).build();
        String form = "grant_type=client_credentials&client_id=" + SandboxDefaults.CLIENT_ID + "&client_secret="
                + URLEncoder.encode(SandboxDefaults.CLIENT_SECRET, StandardCharsets.UTF_8) + "&scope="
                + URLEncoder.encode(scope, StandardCharsets.UTF_8);
        String body = http.send(HttpRequest.newBuilder(URI.create(sandbox.authorityUrl() + "/"
                        + SandboxDefaults.TENANT_ID + "/oauth2/v2.0/token")).POST(HttpRequest.BodyPublishers.ofString(form))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return Json.createReader(new StringReader(body)).readObject().getString("access_token");
    }

    /** A tiny SMTP client on a socket, to see the server's exact replies. */
    private static final class Dialogue implements AutoCloseable {
        private Socket socket;
        private BufferedReader in;
        private OutputStream out;

        private final M365Sandbox target;

        Dialogue() throws IOException {
            this(new Socket("127.0.0.1", sandbox.smtpPort()), sandbox);
        }

        Dialogue(Socket socket, M365Sandbox target) throws IOException {
            this.target = target;
            attach(socket);
        }

        private void attach(Socket s) throws IOException {
            socket = s;
            in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out = s.getOutputStream();
        }

        String reply() throws IOException {
            StringBuilder all = new StringBuilder();
            String line;
            do {
                line = in.readLine();
                all.append(line).append('\n');
            } while (line != null && line.length() > 3 && line.charAt(3) == '-');
            return all.toString();
        }

        String send(String command) throws IOException {
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return reply();
        }

        void startTls() throws Exception {
            SSLSocket tls = (SSLSocket) target.clientSslContext().getSocketFactory()
                    .createSocket(socket, "127.0.0.1", socket.getPort(), true);
            tls.startHandshake();
            attach(tls);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A session past STARTTLS and EHLO, ready for AUTH. */
    private static Dialogue secured() throws Exception {
        Dialogue smtp = new Dialogue();
        smtp.reply();
        smtp.send("EHLO client.test");
        smtp.send("STARTTLS");
        smtp.startTls();
        smtp.send("EHLO client.test");
        return smtp;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String login(Dialogue smtp, String user, String password) throws IOException {
        assertTrue(smtp.send("AUTH LOGIN").startsWith("334 VXNlcm5hbWU6"));
        assertTrue(smtp.send(b64(user)).startsWith("334 UGFzc3dvcmQ6"));
        return smtp.send(b64(password));
    }

    @Test
    void basicAuthenticationWorksWhileTheTenantAllowsIt() throws Exception {
        SandboxDirectory.Tenant tenant = sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow();
        try (Dialogue smtp = secured()) {
            assertTrue(login(smtp, SandboxDefaults.USER, "wrong").startsWith("535 5.7.3 Authentication unsuccessful"));
        }
        try (Dialogue smtp = secured()) {
            assertTrue(login(smtp, SandboxDefaults.USER, SandboxDefaults.USER_PASSWORD).startsWith("235"));
        }
        try {
            tenant.basicAuthentication(SandboxDirectory.BasicAuthentication.DISABLED);
            try (Dialogue smtp = secured()) {
                String reply = login(smtp, SandboxDefaults.USER, SandboxDefaults.USER_PASSWORD);
                assertTrue(reply.startsWith("535 5.7.139 Authentication unsuccessful, basic authentication is disabled"),
                        reply);
            }
            tenant.basicAuthentication(SandboxDirectory.BasicAuthentication.RETIRED);
            try (Dialogue smtp = secured()) {
                String reply = login(smtp, SandboxDefaults.USER, SandboxDefaults.USER_PASSWORD);
                assertTrue(reply.startsWith("550 5.7.30 Basic authentication is not supported for Client Submission"),
                        reply);
            }
        } finally {
            tenant.basicAuthentication(SandboxDirectory.BasicAuthentication.ALLOWED);
        }
    }

    @Test
    void smtpAuthDisabledForTheMailboxWinsOverTheTenant() throws Exception {
        SandboxDirectory.Tenant tenant = sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow();
        SandboxDirectory.Mailbox mailbox = tenant.mailbox(SandboxDefaults.SENDER).orElseThrow();
        String token = token("https://outlook.office365.com/.default");
        try {
            tenant.smtpClientAuthenticationDisabled(true);
            try (Dialogue smtp = secured()) {
                String reply = smtp.send("AUTH XOAUTH2 " + xoauth2(SandboxDefaults.SENDER, token));
                assertTrue(reply.startsWith("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
                        + "disabled for the Tenant"), reply);
            }
            mailbox.smtpClientAuthenticationDisabled(false);
            try (Dialogue smtp = secured()) {
                assertTrue(smtp.send("AUTH XOAUTH2 " + xoauth2(SandboxDefaults.SENDER, token)).startsWith("235"));
            }
            tenant.smtpClientAuthenticationDisabled(false);
            mailbox.smtpClientAuthenticationDisabled(true);
            try (Dialogue smtp = secured()) {
                String reply = smtp.send("AUTH XOAUTH2 " + xoauth2(SandboxDefaults.SENDER, token));
                assertTrue(reply.contains("disabled for the Mailbox"), reply);
            }
        } finally {
            tenant.smtpClientAuthenticationDisabled(false);
            mailbox.smtpClientAuthenticationDisabled(null);
        }
    }

    @Test
    void aDelegatedTokenLogsInAsTheUserItNames() throws Exception {
        String token = sandbox.delegatedSmtpToken(SandboxDefaults.USER, 3600);
        try (Dialogue smtp = secured()) {
            assertTrue(smtp.send("AUTH XOAUTH2 " + xoauth2(SandboxDefaults.SENDER, token)).startsWith("535 5.7.3"),
                    "a user's token does not open another mailbox");
        }
        try (Dialogue smtp = secured()) {
            assertTrue(smtp.send("AUTH XOAUTH2 " + xoauth2(SandboxDefaults.USER, token)).startsWith("235"));
        }
    }

    @Test
    void aFourthSimultaneousSubmissionForOneMailboxGets432() throws Exception {
        String token = token("https://outlook.office365.com/.default");
        java.util.List<Dialogue> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                Dialogue smtp = secured();
                open.add(smtp);
                assertTrue(smtp.send("AUTH XOAUTH2 " + xoauth2(SandboxDefaults.SENDER, token)).startsWith("235"));
                String reply = smtp.send("MAIL FROM:<" + SandboxDefaults.SENDER + ">");
                if (i < 3) {
                    assertTrue(reply.startsWith("250"), reply);
                } else {
                    assertTrue(reply.startsWith("432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded"), reply);
                }
            }
            open.get(0).send("RSET");
            String afterOneFinished = open.get(3).send("MAIL FROM:<" + SandboxDefaults.SENDER + ">");
            assertTrue(afterOneFinished.startsWith("250"), afterOneFinished);
        } finally {
            for (Dialogue d : open) {
                d.close();
            }
        }
    }

    @Test
    void theDailyRecipientQuotaEndsIn554SubmissionQuotaExceeded() throws Exception {
        SandboxDirectory.Tenant tenant = sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow();
        tenant.addMailbox("quota@contoso.test", "Quota").password("pw").dailyRecipientLimit(2);
        try (Dialogue smtp = secured()) {
            assertTrue(login(smtp, "quota@contoso.test", "pw").startsWith("235"));
            for (int i = 0; i < 2; i++) {
                smtp.send("MAIL FROM:<quota@contoso.test>");
                smtp.send("RCPT TO:<" + SandboxDefaults.RECIPIENT + ">");
                smtp.send("DATA");
                String reply = smtp.send("From: quota@contoso.test\r\nSubject: q" + i + "\r\n\r\nx\r\n.");
                if (i == 0) {
                    assertTrue(reply.startsWith("250"), reply);
                } else {
                    smtp.send("MAIL FROM:<quota@contoso.test>");
                }
            }
        }
        try (Dialogue smtp = secured()) {
            assertTrue(login(smtp, "quota@contoso.test", "pw").startsWith("235"));
            smtp.send("MAIL FROM:<quota@contoso.test>");
            smtp.send("RCPT TO:<a@contoso.test>");
            smtp.send("RCPT TO:<b@contoso.test>");
            smtp.send("DATA");
            String reply = smtp.send("From: quota@contoso.test\r\nSubject: over\r\n\r\nx\r\n.");
            assertTrue(reply.startsWith("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException"),
                    reply);
        }
    }

    @Test
    void aTokenWithoutTheSmtpRoleOrPastItsExpiryIsRefused() throws Exception {
        SandboxDirectory.App app = sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow()
                .app(SandboxDefaults.CLIENT_ID).orElseThrow();
        app.revoke(SandboxDirectory.Resource.EXCHANGE, "SMTP.SendAsApp");
        String withoutRole;
        try {
            withoutRole = token("https://outlook.office365.com/.default");
        } finally {
            app.grant(SandboxDirectory.Resource.EXCHANGE, "SMTP.SendAsApp");
        }
        try (Dialogue smtp = secured()) {
            assertTrue(smtp.send("AUTH XOAUTH2 " + xoauth2(SandboxDefaults.SENDER, withoutRole))
                    .startsWith("535 5.7.3 Authentication unsuccessful"));
        }

        java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
                new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.now());
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                return now.get();
            }
        };
        try (M365Sandbox timed = M365Sandbox.builder().workDir(Path.of("target/sandbox-expiry")).clock(clock).start()) {
            String expired = timed.delegatedSmtpToken(SandboxDefaults.USER, 600);
            now.set(now.get().plusSeconds(601));
            try (Socket plain = new Socket("127.0.0.1", timed.smtpPort())) {
                Dialogue smtp = new Dialogue(plain, timed);
                smtp.reply();
                smtp.send("EHLO client.test");
                smtp.send("STARTTLS");
                smtp.startTls();
                smtp.send("EHLO client.test");
                assertTrue(smtp.send("AUTH XOAUTH2 " + xoauth2(SandboxDefaults.USER, expired))
                        .startsWith("535 5.7.3 Authentication unsuccessful"), "expired token");
            }
        }
    }

    @Test
    void injectedFaultsHappenOnceEach() throws Exception {
        String token = token("https://outlook.office365.com/.default");
        sandbox.smtpFaults().add(SmtpFaults.Fault.BUSY_ON_RECIPIENT).add(SmtpFaults.Fault.DROP_AFTER_ACCEPTING_DATA);
        try (Dialogue smtp = secured()) {
            assertTrue(smtp.send("AUTH XOAUTH2 " + xoauth2(SandboxDefaults.SENDER, token)).startsWith("235"));
            smtp.send("MAIL FROM:<" + SandboxDefaults.SENDER + ">");
            String busy = smtp.send("RCPT TO:<" + SandboxDefaults.RECIPIENT + ">");
            assertTrue(busy.startsWith("451 4.7.500"), busy);
            assertTrue(smtp.send("RCPT TO:<" + SandboxDefaults.RECIPIENT + ">").startsWith("250"));
            smtp.send("DATA");
            String none = smtp.send("From: " + SandboxDefaults.SENDER + "\r\nSubject: dropped\r\n\r\nx\r\n.");
            assertEquals("null\n", none, "the connection closes before the reply");
        }
        assertEquals(1, sandbox.outbox().withSubject("dropped").size(), "but the message was accepted");
    }

    @Test
    void sendOnBehalfNeedsTheSenderHeaderAndThePermission() throws Exception {
        String token = token("https://outlook.office365.com/.default");
        try (Dialogue smtp = secured()) {
            assertTrue(smtp.send("AUTH XOAUTH2 " + xoauth2(SandboxDefaults.SENDER, token)).startsWith("235"));
            smtp.send("MAIL FROM:<" + SandboxDefaults.SENDER + ">");
            smtp.send("RCPT TO:<" + SandboxDefaults.RECIPIENT + ">");
            smtp.send("DATA");
            String onBehalf = smtp.send("From: " + SandboxDefaults.SHARED_MAILBOX + "\r\nSender: "
                    + SandboxDefaults.SENDER + "\r\nSubject: on behalf\r\n\r\nx\r\n.");
            assertTrue(onBehalf.startsWith("250"), onBehalf);
            smtp.send("MAIL FROM:<" + SandboxDefaults.SENDER + ">");
            smtp.send("RCPT TO:<" + SandboxDefaults.RECIPIENT + ">");
            smtp.send("DATA");
            String asWithoutRight = smtp.send("From: " + SandboxDefaults.SHARED_MAILBOX
                    + "\r\nSubject: as\r\n\r\nx\r\n.");
            assertTrue(asWithoutRight.startsWith("554 5.2.0"), asWithoutRight);
        }
    }

    private static String xoauth2(String user, String token) {
        return Base64.getEncoder().encodeToString(("user=" + user + "\u0001auth=Bearer " + token + "\u0001\u0001")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void greetsLikeExchangeAndRequiresStartTlsBeforeAuth() throws Exception {
        try (Dialogue smtp = new Dialogue()) {
            String greeting = smtp.reply();
            assertTrue(greeting.startsWith("220 ") && greeting.contains("Microsoft ESMTP MAIL Service ready at"),
                    greeting);
            String ehlo = smtp.send("EHLO client.test");
            assertTrue(ehlo.contains("STARTTLS"), ehlo);
            assertTrue(!ehlo.contains("AUTH"), "no AUTH before TLS: " + ehlo);
            assertTrue(smtp.send("AUTH XOAUTH2 abc").startsWith("530"), "AUTH before STARTTLS is refused");
        }
    }

    @Test
    void aLongXoauth2LineIsAcceptedAndAWrongAudienceIsRefusedWith535() throws Exception {
        String exchangeToken = token("https://outlook.office365.com/.default");
        String graphToken = token(sandbox.graphUrl() + "/.default");
        String line = "AUTH XOAUTH2 " + xoauth2(SandboxDefaults.SENDER, exchangeToken);
        assertTrue(line.length() > 998, "the test needs a line longer than SubEtha's own limit: " + line.length());
        try (Dialogue smtp = new Dialogue()) {
            smtp.reply();
            smtp.send("EHLO client.test");
            assertTrue(smtp.send("STARTTLS").startsWith("220"));
            smtp.startTls();
            assertTrue(smtp.send("EHLO client.test").contains("AUTH LOGIN XOAUTH2"));
            String refused = smtp.send("AUTH XOAUTH2 " + xoauth2(SandboxDefaults.SENDER, graphToken));
            assertTrue(refused.startsWith("535 5.7.3 Authentication unsuccessful"), refused);
            assertTrue(smtp.send(line).startsWith("235"), "a token of realistic length is accepted");
            assertTrue(smtp.send("MAIL FROM:<" + SandboxDefaults.SENDER + ">").startsWith("250"));
            assertTrue(smtp.send("RCPT TO:<" + SandboxDefaults.RECIPIENT + ">").startsWith("250"));
            assertTrue(smtp.send("DATA").startsWith("354"));
            String queued = smtp.send("From: " + SandboxDefaults.SENDER + "\r\nTo: " + SandboxDefaults.RECIPIENT
                    + "\r\nSubject: raw\r\nMessage-ID: <raw-1@contoso.test>\r\n\r\nhello\r\n.");
            assertTrue(queued.startsWith("250 2.0.0 OK <raw-1@contoso.test>"), queued);
        }
        assertEquals("raw", sandbox.outbox().await(m -> "raw".equals(m.subject()), java.time.Duration.ofSeconds(5))
                .orElseThrow().subject());
    }

    /**
     * An Exchange token signs in only to mailboxes of its own tenant that its app has Full Access to: not to another
     * tenant's mailbox, nor to one of its own tenant the app was not given.
     */
    @Test
    void aTokenSignsInToNoOtherTenantsMailboxNorOneItsAppWasNotGiven() throws Exception {
        sandbox.directory().addTenant("3d8e2f6a-4b5c-4d7e-9f0a-1b2c3d4e5f6a", "northwind.test")
                .addMailbox("sales@northwind.test", "Northwind Sales");
        String exchangeToken = token("https://outlook.office365.com/.default");
        for (String mailbox : new String[]{"sales@northwind.test", SandboxDefaults.RECIPIENT}) {
            try (Dialogue smtp = new Dialogue()) {
                smtp.reply();
                smtp.send("EHLO client.test");
                smtp.send("STARTTLS");
                smtp.startTls();
                smtp.send("EHLO client.test");
                String refused = smtp.send("AUTH XOAUTH2 " + xoauth2(mailbox, exchangeToken));
                assertTrue(refused.startsWith("535 5.7.3"), mailbox + ": " + refused);
            }
        }
    }

    @Test
    void sendingAsAnotherMailboxIsDenied() throws Exception {
        String token = token("https://outlook.office365.com/.default");
        try (Dialogue smtp = new Dialogue()) {
            smtp.reply();
            smtp.send("EHLO client.test");
            smtp.send("STARTTLS");
            smtp.startTls();
            smtp.send("EHLO client.test");
            assertTrue(smtp.send("AUTH XOAUTH2 " + xoauth2(SandboxDefaults.SENDER, token)).startsWith("235"));
            smtp.send("MAIL FROM:<ceo@contoso.test>");
            smtp.send("RCPT TO:<" + SandboxDefaults.RECIPIENT + ">");
            smtp.send("DATA");
            String denied = smtp.send("From: ceo@contoso.test\r\nSubject: spoof\r\n\r\nx\r\n.");
            assertTrue(denied.startsWith("554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException"), denied);
        }
    }
}
