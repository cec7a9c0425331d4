package org.m365mail.transport.smtp;

import jakarta.activation.DataHandler;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import jakarta.resource.spi.InvalidPropertyException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.auth.AccessToken;
import org.m365mail.auth.TokenSource;
import org.m365mail.config.MailSettings;
import org.m365mail.config.TlsTrust;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.SandboxDirectory;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.SandboxFactories;
import org.m365mail.transport.MailChannel;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.server.SMTPServer;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Authentication modes, TLS modes, Send on Behalf, Exchange Online's limits and the errors that explain them. */
class SmtpModesTest {

    private static final org.m365mail.runtime.ConnectorRuntime RUNTIME =
            new org.m365mail.runtime.ConnectorRuntime("smtp-modes-test");

    @org.junit.jupiter.api.AfterAll
    static void stopThreads() {
        RUNTIME.close();
    }

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-modes");

    private static MailConnectionFactory factory(MailManagedConnectionFactory mcf) throws Exception {
        return (MailConnectionFactory) mcf.createConnectionFactory();
    }

    private static void send(MailManagedConnectionFactory mcf, String subject) throws Exception {
        try (MailConnection c = factory(mcf).getConnection()) {
            c.send(SandboxFactories.textMessage(subject, "body of " + subject));
        }
    }

    @Test
    void passwordModeSignsInToExchangeAndWarnsOnceThatMicrosoftIsRetiringIt() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setAuthentication("PASSWORD");
        mcf.setClientSecret(null);
        mcf.setFromAddress(SandboxDefaults.USER);
        mcf.setPassword(SandboxDefaults.USER_PASSWORD);
        // The stand-in stands for smtp.office365.com; tell the transport so, as the host name would.
        MailSettings settings = mcf.settings();
        MailSettings asExchange = new MailSettings(settings.transport(), settings.tenantId(), settings.clientId(),
                settings.clientSecret(), settings.authorityUrl(), settings.graphUrl(), settings.fromAddress(),
                settings.fromName(), "smtp.office365.com", settings.smtpPort(), settings.trustStorePath(),
                settings.trustStorePassword(), settings.authentication(), settings.username(), settings.password(),
                settings.smtpTls(), settings.smtp(), settings.sending(), settings.cloud(), settings.graph(),
                settings.network(), settings.certificate(), settings.tokenStoreFile(), settings.tokenStoreKey(),
                settings.tokenStoreDataSource(), settings.tokenCache(), settings.consentRedirectUri(),
                settings.tokenCacheKey(), settings.certificatePath(), settings.certificatePassword(),
                settings.clientSecretExpires(), settings.operations(), settings.delivery());
        try (CapturedLog log = new CapturedLog(SmtpXoauth2Transport.class)) {
            new SmtpXoauth2Transport(RUNTIME, asExchange, null, TlsTrust.context(settings), Clock.systemUTC());
            List<LogRecord> warnings = log.records().stream().filter(r -> r.getLevel() == Level.WARNING).toList();
            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).getMessage().contains("end of December 2026"), warnings.get(0).getMessage());
            assertTrue(warnings.get(0).getMessage().contains("CLIENT_CREDENTIALS"), warnings.get(0).getMessage());
        }
        int tokens = SANDBOX.get().tokenRequests().total();
        send(mcf, "with a password");
        send(mcf, "with a password again");
        assertEquals(SandboxDefaults.USER, SANDBOX.get().outbox().withSubject("with a password").get(0).mailbox());
        assertEquals(tokens, SANDBOX.get().tokenRequests().total(), "no token is needed");
    }

    @Test
    void basicAuthenticationTurnedOffIsExplained() throws Exception {
        SandboxDirectory.Tenant tenant = SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow();
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setAuthentication("PASSWORD");
        mcf.setFromAddress(SandboxDefaults.USER);
        mcf.setPassword(SandboxDefaults.USER_PASSWORD);
        try {
            tenant.basicAuthentication(SandboxDirectory.BasicAuthentication.DISABLED);
            MailSendException e = assertThrows(MailSendException.class, () -> send(mcf, "disabled"));
            assertEquals("535 5.7.139", e.getErrorCode());
            assertTrue(e.getMessage().contains("use authentication CLIENT_CREDENTIALS"), e.getMessage());
            tenant.basicAuthentication(SandboxDirectory.BasicAuthentication.RETIRED);
            MailSendException retired = assertThrows(MailSendException.class, () -> send(mcf, "retired"));
            assertEquals("550 5.7.30", retired.getErrorCode());
        } finally {
            tenant.basicAuthentication(SandboxDirectory.BasicAuthentication.ALLOWED);
        }
        assertTrue(SANDBOX.get().outbox().messages().isEmpty());
    }

    @Test
    void smtpAuthDisabledForTheMailboxSaysHowToEnableIt() throws Exception {
        SandboxDirectory.Mailbox mailbox = SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow()
                .mailbox(SandboxDefaults.SENDER).orElseThrow();
        try {
            mailbox.smtpClientAuthenticationDisabled(true);
            MailSendException e = assertThrows(MailSendException.class,
                    () -> send(SandboxFactories.factory(SANDBOX.get(), "SMTP"), "smtp auth off"));
            assertEquals("535 5.7.139", e.getErrorCode());
            assertTrue(e.getMessage().contains("Set-CASMailbox"), e.getMessage());
        } finally {
            mailbox.smtpClientAuthenticationDisabled(null);
        }
    }

    @Test
    void aDifferentUsernameSendsOnBehalfOfFromAddress() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setFromAddress(SandboxDefaults.SHARED_MAILBOX);
        mcf.setUsername(SandboxDefaults.SENDER);
        send(mcf, "on behalf");
        DeliveredMessage got = SANDBOX.get().outbox().withSubject("on behalf").get(0);
        assertEquals(SandboxDefaults.SHARED_MAILBOX, got.from());
        assertEquals(SandboxDefaults.SENDER, got.mailbox(), "signed in as username");
        assertTrue(new String(got.raw(), java.nio.charset.StandardCharsets.US_ASCII)
                .contains("Sender: " + SandboxDefaults.SENDER));

        MailManagedConnectionFactory denied = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        denied.setFromAddress(SandboxDefaults.RECIPIENT);
        denied.setUsername(SandboxDefaults.SENDER);
        MailSendException e = assertThrows(MailSendException.class, () -> send(denied, "not allowed"));
        assertEquals("554 5.2.0", e.getErrorCode());
        assertTrue(e.getMessage().contains("Send on Behalf"), e.getMessage());
        assertTrue(SANDBOX.get().outbox().withSubject("not allowed").isEmpty());
    }

    @Test
    void delegatedModeSignsInAsTheUserWithTheTokenItIsGiven() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setAuthentication("DELEGATED");
        mcf.setFromAddress(SandboxDefaults.USER);
        MailSettings settings = mcf.settings();
        TokenSource userTokens = new TokenSource() {
            @Override
            public AccessToken token() {
                return new AccessToken(SANDBOX.get().delegatedSmtpToken(SandboxDefaults.USER, 3600), Instant.now(),
                        Instant.now().plusSeconds(3600));
            }

            @Override
            public void invalidate(AccessToken rejected) {
            }
        };
        MailChannel channel = new SmtpXoauth2Transport(RUNTIME, settings, userTokens, TlsTrust.context(settings),
                Clock.systemUTC()).open();
        channel.send(SandboxFactories.textMessage("delegated", "as the user"));
        channel.close();
        assertEquals(SandboxDefaults.USER, SANDBOX.get().outbox().withSubject("delegated").get(0).mailbox());

        MailSendException notConnected = assertThrows(MailSendException.class, () -> send(mcf, "no consent"));
        assertTrue(notConnected.getMessage().contains("No mailbox is connected"), notConnected.getMessage());
        assertEquals("MailboxNotConnected", notConnected.getErrorCode());
    }

    @Test
    void passwordOnAPlainLoopbackServerAndOnImplicitTls() throws Exception {
        for (boolean implicitTls : new boolean[]{false, true}) {
            List<String> received = new CopyOnWriteArrayList<>();
            SMTPServer.Builder builder = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress())
                    .hostName("relay.test").maxMessageSize(10_000_000)
                    .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((user, pass, ctx) -> {
                        if (!"relay-user".equals(user) || !"relay-pass".equals(pass)) {
                            throw new org.subethamail.smtp.auth.LoginFailedException();
                        }
                    }))
                    .requireAuth()
                    .messageHandler((ctx, from, to, data) -> received.add(from + " -> " + to));
            if (implicitTls) {
                builder.serverSocketFactory(SANDBOX.get().serverSslContext());
            }
            SMTPServer server = builder.build();
            server.start();
            try {
                send(relay(server.getPortAllocated(), implicitTls, "relay-pass"), "relayed");
                assertEquals(List.of("app@relay.test -> " + SandboxDefaults.RECIPIENT), received,
                        implicitTls ? "implicit TLS" : "plain text");

                MailManagedConnectionFactory wrong = relay(server.getPortAllocated(), implicitTls, "wrong");
                MailSendException e = assertThrows(MailSendException.class, () -> send(wrong, "refused"));
                assertTrue(e.getMessage().contains("refused the sign-in of relay-user (password)"), e.getMessage());
            } finally {
                server.stop();
            }
        }
    }

    /** A factory for an SMTP server that is not Exchange: a user name (no address) and a password. */
    private static MailManagedConnectionFactory relay(int port, boolean implicitTls, String password) {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setAuthentication("PASSWORD");
        mcf.setTenantId(null);
        mcf.setClientId(null);
        mcf.setClientSecret(null);
        mcf.setFromAddress("app@relay.test");
        mcf.setUsername("relay-user");
        mcf.setPassword(password);
        mcf.setSmtpHost("127.0.0.1");
        mcf.setSmtpPort(port);
        mcf.setSmtpTls(implicitTls ? "IMPLICIT" : "PLAINTEXT_LOOPBACK_ONLY");
        mcf.setSmtpMaxConcurrentSends(0);
        return mcf;
    }

    @Test
    void theDailyRecipientQuotaIsExplained() throws Exception {
        SandboxDirectory.Tenant tenant = SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow();
        SandboxDirectory.App app = tenant.app(SandboxDefaults.CLIENT_ID).orElseThrow();
        tenant.addMailbox("busy@contoso.test", "Busy").grantFullAccess(app).dailyRecipientLimit(1);
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setFromAddress("busy@contoso.test");
        send(mcf, "first of the day");
        MailSendException e = assertThrows(MailSendException.class, () -> send(mcf, "over the quota"));
        assertEquals("554 5.2.0", e.getErrorCode());
        assertTrue(e.getMessage().contains("10,000 recipients in the last 24 hours"), e.getMessage());
        assertTrue(SANDBOX.get().outbox().withSubject("over the quota").isEmpty());
    }

    @Test
    void aServerCertificateThatIsNotTrustedStopsTheConnection() throws Exception {
        // With a password no token is fetched first: the SMTP server's own certificate is what is refused.
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setAuthentication("PASSWORD");
        mcf.setFromAddress(SandboxDefaults.USER);
        mcf.setPassword(SandboxDefaults.USER_PASSWORD);
        mcf.setTrustStorePath(null);
        mcf.setTrustStorePassword(null);
        int logins = SANDBOX.get().smtpLogins();
        MailSendException e = assertThrows(MailSendException.class, () -> send(mcf, "untrusted"));
        assertTrue(e.getMessage().contains("PKIX") || e.getMessage().contains("certification path"), e.getMessage());
        assertEquals(logins, SANDBOX.get().smtpLogins(), "nothing was sent to a server that could not be verified");
    }

    @Test
    void plaintextIsRefusedForAnyHostButThisMachine() {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setSmtpHost("smtp.office365.com");
        mcf.setSmtpTls("PLAINTEXT_LOOPBACK_ONLY");
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, mcf::settings);
        assertTrue(e.getMessage().contains("smtpTls PLAINTEXT_LOOPBACK_ONLY is only for a test server on this machine"),
                e.getMessage());
        // Names that look local are judged by what they resolve to (.invalid never resolves: RFC 2606).
        for (String lookalike : new String[]{"127.0.0.1.invalid", "localhost.invalid", "127.attacker.invalid"}) {
            mcf.setSmtpHost(lookalike);
            assertThrows(InvalidPropertyException.class, mcf::settings, lookalike);
        }
        for (String local : new String[]{"127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"}) {
            mcf.setSmtpHost(local);
            org.junit.jupiter.api.Assertions.assertDoesNotThrow(mcf::settings, local);
        }
    }

    @Test
    void tooManyRecipientsOrTooLargeAMessageFailBeforeSending() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setMaxRecipientsPerMessage(2);
        mcf.setMaxMessageBytes(4096L);
        MimeMessage many = SandboxFactories.textMessage("many", "x");
        many.setRecipients(jakarta.mail.Message.RecipientType.CC, "a@contoso.test, b@contoso.test");
        MimeMessage large = SandboxFactories.textMessage("large", "x");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("see attachment");
        MimeBodyPart blob = new MimeBodyPart();
        blob.setDataHandler(new DataHandler(new ByteArrayDataSource(new byte[10_000], "application/octet-stream")));
        blob.setFileName("blob.bin");
        large.setContent(new MimeMultipart(text, blob));
        try (MailConnection c = factory(mcf).getConnection()) {
            MailSendException tooMany = assertThrows(MailSendException.class, () -> c.send(many));
            assertTrue(tooMany.getMessage().contains("at most 2 are allowed per message"), tooMany.getMessage());
            MailSendException tooLarge = assertThrows(MailSendException.class, () -> c.send(large));
            assertEquals("MessageTooLarge", tooLarge.getErrorCode());
        }
        assertTrue(SANDBOX.get().outbox().messages().isEmpty());
    }

    @Test
    void noMoreThanThreeMessagesAreSubmittedAtOnceFromOneMailbox() throws Exception {
        MailConnectionFactory factory = factory(SandboxFactories.factory(SANDBOX.get(), "SMTP"));
        SandboxFactories.sendInParallel(factory, 8, 40, "parallel");
        assertEquals(40, SANDBOX.get().outbox().messages().size());
        assertTrue(SANDBOX.get().mostSmtpSubmissionsAtOnce() <= 3,
                "Exchange allows three at once; saw " + SANDBOX.get().mostSmtpSubmissionsAtOnce());
    }
}
