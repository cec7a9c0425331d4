package org.m365mail.outbound;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.admin.MetricsSnapshot;
import org.m365mail.admin.PoolStatus;
import org.m365mail.alert.FailureAlerts;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.auth.CredentialExpiryWatch;
import org.m365mail.ra.MailResourceAdapter;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.SandboxDirectory;
import org.m365mail.sandbox.TokenRequestLog;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator is told, against the stand-in: alerts once per kind and a recovery notice, a notice before a
 * secret expires, readiness and counts, rotated credentials taken up by a factory applications already hold.
 */
class OperationsTest {

    private static final String OPS = "ops@contoso.test";
    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-operations");

    private static SandboxDirectory.App app() {
        return SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow()
                .app(SandboxDefaults.CLIENT_ID).orElseThrow();
    }

    private static MailManagedConnectionFactory factory(String transport, String secret) {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), transport);
        mcf.setClientSecret(secret);
        mcf.setAlertAddress(OPS);
        return mcf;
    }

    private static void send(MailConnectionFactory factory, String to, String subject) throws Exception {
        MimeMessage message = SandboxFactories.textMessage(subject, "text");
        message.setRecipients(Message.RecipientType.TO, to);
        try (MailConnection c = factory.getConnection()) {
            c.send(message);
        }
    }

    private static Optional<DeliveredMessage> awaitMail(String subjectStart) throws InterruptedException {
        return SANDBOX.get().outbox().await(m -> m.subject() != null && m.subject().startsWith(subjectStart)
                && m.to().contains(OPS), Duration.ofSeconds(10));
    }

    private static List<String> severe(CapturedLog log) {
        return log.records().stream().filter(r -> r.getLevel() == Level.SEVERE).map(LogRecord::getMessage).toList();
    }

    /** The SEVERE lines, once there are {@code count} of them or {@code bound} has passed. */
    private static List<String> awaitSevere(CapturedLog log, int count, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (severe(log).size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return severe(log);
    }

    @Test
    void aWrongSecretIsOneAlertNotOnePerMessageThenDownThenANoticeWhenFixed() throws Exception {
        String secret = "Fx7Q~rotated.secret-not-yet-in-entra";
        MailManagedConnectionFactory mcf = factory("GRAPH", secret);
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        try (CapturedLog log = new CapturedLog(FailureAlerts.class)) {
            for (int i = 0; i < 3; i++) {
                MailSendException e = assertThrows(MailSendException.class,
                        () -> send(factory, SandboxDefaults.RECIPIENT, "refused"));
                assertEquals("AADSTS7000215", e.getErrorCode());
            }
            awaitSevere(log, 1, Duration.ofSeconds(10));
            // A second alert, if the failures had made one, would be on its way by now: give it a second to come.
            List<String> alerts = awaitSevere(log, 2, Duration.ofSeconds(1));
            assertEquals(1, alerts.size(), "one alert for three failed sends: " + alerts);
            String alert = alerts.get(0);
            assertTrue(alert.contains("M365MAIL-6004 [m365-mail] ALERT: authentication failing for "
                    + SandboxDefaults.SENDER + " over Microsoft Graph"), alert);
            assertTrue(alert.contains("AADSTS7000215") && alert.contains("Fix:"), alert);
            assertFalse(alert.contains(secret), "no secret in an alert");

            PoolStatus down = FactoryAdministration.of(factory).status();
            assertFalse(down.up());
            assertTrue(down.reason().contains("AADSTS7000215"), down.reason());
            assertFalse(down.reason().contains(secret));

            app().addSecret(secret);
            send(factory, SandboxDefaults.RECIPIENT, "after the fix");
            assertTrue(FactoryAdministration.of(factory).status().up());
            DeliveredMessage notice = awaitMail("[m365-mail] RECOVERED:").orElseThrow(
                    () -> new AssertionError("no recovery notice in " + SANDBOX.get().outbox().messages()));
            assertTrue(notice.textBody().contains("authentication since"), notice.textBody());
            assertFalse(notice.textBody().contains(secret));
            assertEquals(SandboxDefaults.SENDER, notice.from(), "the notice comes through the pool that works again");
            MetricsSnapshot counts = FactoryAdministration.of(factory).metrics();
            assertEquals(1, counts.sent());
            assertEquals(3, counts.failed().get("authentication"));
        } finally {
            app().removeSecret(secret);
            mcf.close();
        }
    }

    @Test
    void aCheckAsksForATokenAndReportsTheFixWithinItsInterval() throws Exception {
        String secret = "Hq3Q~not.yet.registered-for-the-check";
        MailManagedConnectionFactory mcf = factory("SMTP", secret);
        // No mail: a recovery notice sent in the background would outlive the test.
        mcf.setAlertAddress(null);
        FactoryAdministration admin = FactoryAdministration.of((MailConnectionFactory) mcf.createConnectionFactory());
        try {
            assertTrue(admin.status().unused(), "nothing asked yet");
            PoolStatus down = admin.check();
            assertFalse(down.up());
            assertTrue(down.reason().startsWith("authentication: ") && down.reason().contains("AADSTS7000215"),
                    down.reason());
            long requests = SANDBOX.get().tokenRequests().total();
            app().addSecret(secret);
            assertFalse(admin.check().up(), "asked again at most every 10 seconds");
            assertEquals(requests, SANDBOX.get().tokenRequests().total());
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!admin.check().up() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(admin.check().up(), "asked again once the 10 seconds passed");
        } finally {
            app().removeSecret(secret);
            mcf.close();
        }
    }

    @Test
    void aMessageTheServiceRefusesIsAlertedThroughThePoolOnce() throws Exception {
        MailManagedConnectionFactory mcf = factory("GRAPH", SandboxDefaults.CLIENT_SECRET);
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        try {
            for (int i = 0; i < 2; i++) {
                MailSendException e = assertThrows(MailSendException.class,
                        () -> send(factory, "nobody@localhost", "unresolvable"));
                assertEquals("ErrorInvalidRecipients", e.getErrorCode());
            }
            send(factory, SandboxDefaults.RECIPIENT, "the pool still sends");
            DeliveredMessage alert = awaitMail("[m365-mail] ALERT: rejected failure in").orElseThrow();
            assertTrue(alert.textBody().contains("ErrorInvalidRecipients"), alert.textBody());
            assertTrue(alert.textBody().contains("the pool sends other messages"), alert.textBody());
            assertEquals("auto-generated", alert.headers().get("Auto-Submitted"));
            assertTrue(SANDBOX.get().outbox().await(m -> m.subject().startsWith("[m365-mail] ALERT")
                    && !m.messageId().equals(alert.messageId()), Duration.ofSeconds(1)).isEmpty(), "no second alert");
            assertEquals(1, SANDBOX.get().outbox().messages().stream()
                    .filter(m -> m.subject().startsWith("[m365-mail] ALERT")).count(), "one alert per interval");
            assertTrue(FactoryAdministration.of(factory).status().up(), "a refused message says nothing of the pool");
            assertEquals(2, FactoryAdministration.of(factory).metrics().failed().get("rejected"));
        } finally {
            mcf.close();
        }
    }

    @Test
    void aSecretNearItsExpiryIsNoticedAndShown() throws Exception {
        MailManagedConnectionFactory mcf = factory("SMTP", SandboxDefaults.CLIENT_SECRET);
        LocalDate expires = LocalDate.now(ZoneOffset.UTC).plusDays(6);
        mcf.setClientSecretExpires(expires.toString());
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        try (CapturedLog log = new CapturedLog(CredentialExpiryWatch.class)) {
            send(factory, SandboxDefaults.RECIPIENT, "secret expiring");
            assertTrue(log.warnings().stream().anyMatch(r -> r.getMessage().startsWith("M365MAIL-2103")),
                    "logged as a WARNING");
            DeliveredMessage notice = awaitMail("[m365-mail] NOTICE: client secret of app").orElseThrow();
            assertTrue(notice.subject().endsWith("expires in 5 days") || notice.subject().endsWith("expires in 6 days"),
                    notice.subject());
            PoolStatus status = FactoryAdministration.of(factory).status();
            assertEquals(1, status.expiries().size());
            assertTrue(status.expiries().get(0).warning());
            assertEquals(expires.atStartOfDay(ZoneOffset.UTC).toInstant(), status.expiries().get(0).expires());
        } finally {
            mcf.close();
        }
    }

    @Test
    void aRotatedSecretReachesAFactoryAnApplicationAlreadyHolds() throws Exception {
        String oldSecret = "Ab1Q~old.secret-of-the-pool";
        String newSecret = "Cd2Q~new.secret-of-the-pool";
        app().addSecret(oldSecret).addSecret(newSecret);
        try (MailResourceAdapter connector = MailResourceAdapter.standalone()) {
            MailManagedConnectionFactory before = factory("SMTP", oldSecret);
            before.setResourceAdapter(connector);
            MailConnectionFactory held = (MailConnectionFactory) before.createConnectionFactory();
            before.boundAs("mail/Rotation", name -> "mail/Rotation".equals(name) ? held : null);
            send(held, SandboxDefaults.RECIPIENT, "with the old secret");
            assertEquals(List.of(TokenRequestLog.secretId(oldSecret)), credentials());

            // Another pool with the same settings but its own secret is no successor: the name still gives this one.
            MailManagedConnectionFactory other = factory("SMTP", newSecret);
            other.setResourceAdapter(connector);
            send((MailConnectionFactory) other.createConnectionFactory(), SandboxDefaults.RECIPIENT, "another pool");
            send(held, SandboxDefaults.RECIPIENT, "still with the old secret");
            assertSame(before, before.current());
            SANDBOX.get().tokenRequests().clear();

            // The administrator changes clientSecret: the server makes a new factory for the pool, and the name the
            // pool is bound under now gives connection factories of the new one.
            MailManagedConnectionFactory after = factory("SMTP", newSecret);
            after.setResourceAdapter(connector);
            Object rebound = after.createConnectionFactory();
            before.boundAs("mail/Rotation", name -> "mail/Rotation".equals(name) ? rebound : null);
            app().removeSecret(oldSecret);
            send(held, SandboxDefaults.RECIPIENT, "with the new secret, through the factory held before");
            assertEquals(List.of(TokenRequestLog.secretId(newSecret)), credentials(),
                    "the next token was asked for with the new secret");
            assertSame(after, before.current());
            assertEquals(3, FactoryAdministration.of(held).metrics().sent(),
                    "the pool's counts carry on across the rotation, and the other pool's are its own");
        } finally {
            app().removeSecret(oldSecret).removeSecret(newSecret);
        }
    }

    private static List<String> credentials() {
        return SANDBOX.get().tokenRequests().entries().stream().map(TokenRequestLog.Entry::credential).toList();
    }

    @Test
    void aPoolIsAnMBeanWhileItsDeploymentLives() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName pattern = new ObjectName("org.m365mail:type=MailConnectionFactory,*");
        Set<ObjectName> before = server.queryNames(pattern, null);
        MailManagedConnectionFactory mcf = factory("GRAPH", SandboxDefaults.CLIENT_SECRET);
        mcf.setFromAddress(SandboxDefaults.SENDER);
        send((MailConnectionFactory) mcf.createConnectionFactory(), SandboxDefaults.RECIPIENT, "counted over JMX");
        Set<ObjectName> during = server.queryNames(pattern, null);
        during.removeAll(before);
        assertEquals(1, during.size(), during.toString());
        ObjectName name = during.iterator().next();
        assertEquals(1L, server.getAttribute(name, "Sent"));
        assertEquals("UP", server.getAttribute(name, "State"));
        mcf.close();
        assertFalse(server.isRegistered(name), "gone with the factory's runtime");
    }
}
