package org.m365mail.outbound;

import jakarta.resource.NotSupportedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.admin.MetricsObserver;
import org.m365mail.admin.PoolStatus;
import org.m365mail.admin.SetupReport;
import org.m365mail.admin.SetupStep;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.SandboxDirectory;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;
import org.m365mail.testing.StandaloneAdapter;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the console reads and checks of a pool, against the stand-in: its properties and consent, the readiness check
 * (credentials without the permission, a factory that cannot be wired), and what each step of Check setup says.
 */
class ConsoleChecksTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-console-checks");
    @RegisterExtension
    final StandaloneAdapter adapter = new StandaloneAdapter();

    private static final String OPS = "ops@contoso.test";

    private FactoryAdministration admin(MailManagedConnectionFactory mcf) throws Exception {
        return FactoryAdministration.of(adapter.factory(mcf));
    }

    private static SandboxDirectory.App app() {
        return SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow()
                .app(SandboxDefaults.CLIENT_ID).orElseThrow();
    }

    private static SetupStep last(SetupReport report) {
        return report.steps().get(report.steps().size() - 1);
    }

    @Test
    void theConsoleReadsHowThePoolSendsAndWhomItAlerts() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setAlertAddress(OPS);
        FactoryAdministration admin = admin(mcf);

        assertEquals("SMTP", admin.transport());
        assertEquals("CLIENT_CREDENTIALS", admin.authentication());
        assertEquals(SandboxDefaults.SENDER, admin.fromAddress());
        assertEquals(List.of(OPS), admin.alertAddresses());
        assertTrue(admin.consent().isEmpty(), "an app signs in with no mailbox consent");
        assertThrows(NotSupportedException.class, mcf::consent);
        assertFalse(mcf.isWired(), "reading the configuration wires nothing");
    }

    @Test
    void aDelegatedPoolHasOneConsentTheConsoleManages() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setAuthentication("DELEGATED");
        mcf.setUsername(SandboxDefaults.USER);
        mcf.setFromAddress(SandboxDefaults.USER);
        FactoryAdministration admin = admin(mcf);

        assertEquals("DELEGATED", admin.authentication());
        var consent = admin.consent().orElseThrow();
        assertNotNull(consent);
        assertSame(consent, admin.consent().orElseThrow(), "the same consent each time");
        assertSame(consent, mcf.consent());
    }

    @Test
    void anObservedPoolIsKnownByTheNameTheConsoleGaveIt() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        FactoryAdministration admin = admin(mcf);

        AutoCloseable subscription = admin.observe("mail/Observed", new MetricsObserver() { });

        assertNotNull(subscription);
        assertTrue(mcf.monitor().description().startsWith("mail/Observed: " + SandboxDefaults.SENDER),
                mcf.monitor().description());
        subscription.close();
    }

    @Test
    void theReadinessCheckOfAnAppWithoutSmtpSendAsAppIsDownAndNamesThePermission() throws Exception {
        FactoryAdministration good = admin(SandboxFactories.factory(SANDBOX.get(), "SMTP"));
        assertTrue(good.check().up(), good.check().toString());

        PoolStatus status = admin(SandboxFactories.withoutMailPermission(SANDBOX.get(), "SMTP")).check();

        assertFalse(status.up(), status.toString());
        assertTrue(status.reason().contains("SMTP.SendAsApp"), status.reason());
    }

    @Test
    void theReadinessCheckOfAFactoryThatCannotBeWiredSaysWhy() throws Exception {
        // The trust store is replaced by something unreadable after the pool's properties were validated.
        java.nio.file.Path trust = java.nio.file.Files.copy(SANDBOX.get().trustStorePath(),
                java.nio.file.Path.of("target", "console-checks-truststore.p12"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setTrustStorePath(trust.toString());
        FactoryAdministration admin = admin(mcf);
        java.nio.file.Files.writeString(trust, "not a key store");

        PoolStatus status = admin.check();

        assertFalse(status.up(), status.toString());
        assertTrue(status.reason().contains("trustStorePath"), status.reason());
        assertFalse(mcf.isWired());
    }

    @Test
    void checkSetupOfAGoodSmtpPoolSaysWhoGotTheTokenWhatItGrantsAndWhoSignedIn() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setUsername(SandboxDefaults.SHARED_MAILBOX);
        mcf.setAllowedFromAddresses(SandboxDefaults.SENDER + "," + SandboxDefaults.SHARED_MAILBOX);

        SetupReport report = admin(mcf).checkSetup();

        assertTrue(report.ok(), report.toString());
        assertEquals("a token was issued for client " + SandboxDefaults.CLIENT_ID, report.steps().get(1).detail());
        SetupStep permission = report.steps().get(3);
        assertEquals("Application permission SMTP.SendAsApp", permission.name());
        assertEquals("granted (roles " + report.roles() + ")", permission.detail());
        assertEquals("signed in as " + SandboxDefaults.SHARED_MAILBOX, last(report).detail());
    }

    @Test
    void checkSetupOfAWrongSecretLeavesTheTransportsOwnStepUnchecked() throws Exception {
        for (String transport : List.of("GRAPH", "SMTP")) {
            MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), transport);
            mcf.setClientSecret("wrong~secret.value-for-console-checks");

            SetupReport report = admin(mcf).checkSetup();

            assertFalse(report.steps().get(1).ok(), report.toString());
            assertEquals(3, report.steps().size(), report.toString());
            assertEquals("GRAPH".equals(transport) ? "Access to mailbox " + SandboxDefaults.SENDER
                    : "SMTP AUTH at " + mcf.getSmtpHost(), last(report).name());
            assertEquals("not checked: fix the step above first", last(report).detail());
            assertNull(report.expiresAt());
        }
    }

    @Test
    void aCheckSetupThatSucceedsEndsTheOutageARefusedSecretStarted() throws Exception {
        String secret = "Gk3Q~console.secret-not-yet-in-entra";
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setClientSecret(secret);
        FactoryAdministration admin = admin(mcf);
        try {
            assertFalse(admin.checkSetup().ok());
            assertFalse(admin.status().up(), "the refused secret took the pool down");

            app().addSecret(secret);
            SetupReport fixed = admin.checkSetup();

            assertNull(fixed.firstMissing(), fixed.toString());
            assertTrue(admin.status().up(), admin.status().toString());
        } finally {
            app().removeSecret(secret);
        }
    }

    @Test
    void checkSetupTriesTheSmtpSignInItself() throws Exception {
        try (ServerSocket closing = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!closing.isClosed()) {
                    try (Socket s = closing.accept()) {
                        s.getOutputStream().write("554 5.3.2 no service here\r\n".getBytes());
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "closing-smtp");
            acceptor.setDaemon(true);
            acceptor.start();
            MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
            mcf.setSmtpHost("127.0.0.1");
            mcf.setSmtpPort(closing.getLocalPort());

            SetupReport report = admin(mcf).checkSetup();

            assertTrue(report.steps().get(1).ok(), report.toString());
            assertEquals("SMTP AUTH at 127.0.0.1:" + closing.getLocalPort(), last(report).name());
            assertFalse(last(report).ok(), report.toString());
        }
    }

    @Test
    void checkSetupWithAPasswordHasNoTokenStepsAndTriesTheSignIn() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setAuthentication("PASSWORD");
        mcf.setClientSecret(null);
        mcf.setUsername(SandboxDefaults.USER);
        mcf.setFromAddress(SandboxDefaults.USER);
        mcf.setPassword(SandboxDefaults.USER_PASSWORD);

        SetupReport report = admin(mcf).checkSetup();

        assertEquals(List.of("Configuration", "SMTP AUTH at " + mcf.getSmtpHost() + ":" + mcf.getSmtpPort()),
                report.steps().stream().map(SetupStep::name).toList(), report.toString());
        assertNotNull(last(report).ok(), "tried: " + report);
        assertNull(report.tenantId());
        assertNull(report.expiresAt());
    }
}
