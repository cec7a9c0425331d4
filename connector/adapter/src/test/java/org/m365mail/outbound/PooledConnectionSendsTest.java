package org.m365mail.outbound;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.admin.MetricsSnapshot;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.SandboxDirectory;
import org.m365mail.sandbox.SmtpFaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.StandaloneAdapter;
import org.m365mail.testing.SandboxFactories;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends on pooled SMTP connections, against the stand-in: each send and failure is counted for the pool, a connection
 * is free for another thread once a send or its opening is over, and a pool whose token lacks the permission hands
 * out no connection.
 */
class PooledConnectionSendsTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-pooled-sends");

    @RegisterExtension
    final StandaloneAdapter adapter = new StandaloneAdapter();

    private MailConnectionFactory factory(MailManagedConnectionFactory mcf) throws Exception {
        adapter.attach(mcf);
        return (MailConnectionFactory) mcf.createConnectionFactory();
    }

    private static void send(MailConnectionFactory factory, String subject) throws Exception {
        try (MailConnection c = factory.getConnection()) {
            c.send(SandboxFactories.textMessage(subject, "x"));
        }
    }

    @Test
    void eachSendAndEachRefusedSendIsCountedForThePool() throws Exception {
        MailConnectionFactory factory = factory(SandboxFactories.factory(SANDBOX.get(), "SMTP"));
        send(factory, "counted");
        SANDBOX.get().smtpFaults().add(SmtpFaults.Fault.REJECT_RECIPIENT);
        assertThrows(MailSendException.class, () -> send(factory, "refused recipient"));

        MetricsSnapshot metrics = FactoryAdministration.of(factory).metrics();
        assertEquals(1, metrics.sent());
        assertEquals(1, metrics.failed().values().stream().mapToLong(Long::longValue).sum(), metrics.toString());
    }

    @Test
    void aPooledConnectionOpenedAndUsedOnOneThreadSendsOnAnother() throws Exception {
        MailConnectionFactory factory = factory(SandboxFactories.factory(SANDBOX.get(), "SMTP"));
        int logins = SANDBOX.get().smtpLogins();
        ExecutorService first = Executors.newSingleThreadExecutor();
        ExecutorService second = Executors.newSingleThreadExecutor();
        try {
            first.submit(() -> {
                send(factory, "first thread");
                return null;
            }).get(10, TimeUnit.SECONDS);
            second.submit(() -> {
                send(factory, "second thread");
                return null;
            }).get(10, TimeUnit.SECONDS);
        } finally {
            first.shutdownNow();
            second.shutdownNow();
        }
        assertEquals(logins + 1, SANDBOX.get().smtpLogins(), "the second send used the first one's connection");
        assertEquals(1, SANDBOX.get().outbox().withSubject("second thread").size());
    }

    @Test
    void aPoolWhoseTokenLacksSmtpSendAsAppHandsOutNoConnection() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.withoutMailPermission(SANDBOX.get(), "SMTP");
        MailConnectionFactory factory = factory(mcf);
        int failures = SANDBOX.get().smtpLoginFailures();

        MailSendException e = assertThrows(MailSendException.class, () -> send(factory, "never"));

        assertEquals("PermissionMissing", e.getErrorCode());
        assertEquals(failures, SANDBOX.get().smtpLoginFailures(), "not tried at the SMTP server");
    }
}
