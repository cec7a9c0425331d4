package org.m365mail.outbound;

import org.m365mail.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.StandaloneAdapter;
import org.m365mail.testing.SandboxFactories;

import java.time.Duration;
import java.time.LocalDate;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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

    @RegisterExtension
    final StandaloneAdapter adapter = new StandaloneAdapter();

    @Test
    void theExpiryCheckAndTheConsentKeepAliveLeaveTheSchedulerWhenTheFactoryCloses() throws Exception {
        ScheduledThreadPoolExecutor scheduler =
                (ScheduledThreadPoolExecutor) adapter.adapter().runtime().scheduler();
        int before = scheduler.getQueue().size();
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setAuthentication("DELEGATED");
        mcf.setUsername(SandboxDefaults.USER);
        mcf.setFromAddress(SandboxDefaults.USER);
        mcf.setClientSecretExpires(LocalDate.now().plusYears(1).toString());
        adapter.attach(mcf);

        mcf.services();
        assertEquals(before + 2, scheduler.getQueue().size(), "a daily expiry check and the consent keep-alive");

        mcf.close();
        assertEquals(before, scheduler.getQueue().size(), "both cancelled");
    }

    @Test
    void theSmtpConnectionsOfAsynchronousSendsAndOfThePoolCloseWithTheFactory() throws Exception {
        Await.until(() -> SANDBOX.get().openSmtpConnections() == 0, Duration.ofSeconds(10),
                "no SMTP connection open before");
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        adapter.attach(mcf);
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        try (MailConnection c = factory.getConnection()) {
            c.sendAsync(SandboxFactories.textMessage("async over smtp", "x")).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        }
        assertTrue(SANDBOX.get().openSmtpConnections() >= 1, "kept open for the next send");

        mcf.close();

        Await.until(() -> SANDBOX.get().openSmtpConnections() == 0, Duration.ofSeconds(10),
                "no SMTP connection open after the factory closed");
    }
}
