package org.m365mail.outbound;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.ra.MailResourceAdapter;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.time.Duration;
import java.time.LocalDate;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing a factory ends what its wiring started on the deployment's threads and on the network: the daily expiry
 * check and the consent keep-alive leave the scheduler, and the SMTP connections kept for asynchronous sends and by
 * the standalone pool are closed.
 */
class ClosingEndsWhatWasStartedTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-closing");

    private MailResourceAdapter adapter;

    @BeforeEach
    void start() {
        adapter = MailResourceAdapter.standalone();
    }

    @AfterEach
    void stop() {
        adapter.stop();
    }

    private static void await(IntSupplier value, int expected, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (value.getAsInt() != expected) {
            if (System.nanoTime() > end) {
                throw new AssertionError(what + ": " + value.getAsInt() + ", not " + expected);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void theExpiryCheckAndTheConsentKeepAliveLeaveTheSchedulerWhenTheFactoryCloses() throws Exception {
        ScheduledThreadPoolExecutor scheduler = (ScheduledThreadPoolExecutor) adapter.runtime().scheduler();
        int before = scheduler.getQueue().size();
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setAuthentication("DELEGATED");
        mcf.setUsername(SandboxDefaults.USER);
        mcf.setFromAddress(SandboxDefaults.USER);
        mcf.setClientSecretExpires(LocalDate.now().plusYears(1).toString());
        mcf.setResourceAdapter(adapter);

        mcf.services();
        assertEquals(before + 2, scheduler.getQueue().size(), "a daily expiry check and the consent keep-alive");

        mcf.close();
        assertEquals(before, scheduler.getQueue().size(), "both cancelled");
    }

    @Test
    void theSmtpConnectionsOfAsynchronousSendsAndOfThePoolCloseWithTheFactory() throws Exception {
        await(SANDBOX.get()::openSmtpConnections, 0, "SMTP connections open before");
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setResourceAdapter(adapter);
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        try (MailConnection c = factory.getConnection()) {
            c.sendAsync(SandboxFactories.textMessage("async over smtp", "x")).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        }
        assertTrue(SANDBOX.get().openSmtpConnections() >= 1, "kept open for the next send");

        mcf.close();

        await(SANDBOX.get()::openSmtpConnections, 0, "SMTP connections open after the factory closed");
    }
}
