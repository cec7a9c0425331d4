package org.m365mail.outbound;

import fakeserver.PoolRefusals;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnectionFactory;
import org.junit.jupiter.api.Test;
import org.m365mail.testing.CapturedLog;

import javax.naming.Reference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How long and how often the application's connection factory asks a refusing server pool again, what it logs while
 * it does, which refusals it takes for the connector's own, and its JNDI reference.
 */
class ConnectionFactoryRefusalTest {

    /** A server pool that refuses every request, with what {@code refusal} makes, after running {@code before}. */
    private static final class Refusing implements ConnectionManager {
        final AtomicInteger asked = new AtomicInteger();
        private final Supplier<ResourceException> refusal;
        private final Runnable before;

        Refusing(Supplier<ResourceException> refusal, Runnable before) {
            this.refusal = refusal;
            this.before = before;
        }

        @Override
        public Object allocateConnection(ManagedConnectionFactory mcf, ConnectionRequestInfo info)
                throws ResourceException {
            asked.incrementAndGet();
            before.run();
            throw refusal.get();
        }
    }

    private static Refusing recreating(Runnable before) {
        return new Refusing(() -> PoolRefusals.poolBeingRecreated("Pool"), before);
    }

    @Test
    void aWaitShorterThanTheFirstPauseIsNotWaitedAtAll() {
        Refusing pool = recreating(() -> { });
        MailConnectionFactoryImpl factory = new MailConnectionFactoryImpl(new MailManagedConnectionFactory(), pool,
                Duration.ofMillis(20));

        assertThrows(ResourceException.class, factory::getConnection);
        assertEquals(1, pool.asked.get(), "the first pause (25 ms) would end after the wait");
    }

    @Test
    void thePausesDoubleSoAFewHundredMillisecondsAskAtMostFourTimes() {
        Refusing pool = recreating(() -> { });
        MailConnectionFactoryImpl factory = new MailConnectionFactoryImpl(new MailManagedConnectionFactory(), pool,
                Duration.ofMillis(300));

        assertThrows(ResourceException.class, factory::getConnection);
        // Pauses of 25, 50 and 100 ms: after the fourth refusal the next pause (200 ms) would end after the wait.
        assertTrue(pool.asked.get() >= 2 && pool.asked.get() <= 4, "asked " + pool.asked.get() + " times");
    }

    @Test
    void anInterruptedCallerStopsAskingAndKeepsItsInterrupt() {
        Refusing pool = recreating(() -> Thread.currentThread().interrupt());
        MailConnectionFactoryImpl factory = new MailConnectionFactoryImpl(new MailManagedConnectionFactory(), pool,
                Duration.ofSeconds(5));
        try {
            ResourceException thrown = assertThrows(ResourceException.class, factory::getConnection);
            assertTrue(thrown.getMessage().contains("No Pool Meta Data"), thrown.getMessage());
            assertEquals(1, pool.asked.get(), "the pause was interrupted");
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void eachRetryIsLoggedWithItsAttemptNumber() {
        Logger logger = Logger.getLogger(MailConnectionFactoryImpl.class.getName());
        Level level = logger.getLevel();
        logger.setLevel(Level.FINE);
        try (CapturedLog log = new CapturedLog(MailConnectionFactoryImpl.class)) {
            Refusing pool = recreating(() -> { });
            MailConnectionFactoryImpl factory = new MailConnectionFactoryImpl(new MailManagedConnectionFactory(),
                    pool, Duration.ofMillis(120));
            assertThrows(ResourceException.class, factory::getConnection);

            List<String> lines = log.records().stream().map(LogRecord::getMessage).toList();
            assertEquals(pool.asked.get() - 1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("M365MAIL-1010 The server's pool refused a connection without asking "
                    + "the connector ("), lines.get(0));
            for (int i = 0; i < lines.size(); i++) {
                assertTrue(lines.get(i).endsWith("; asking again, attempt " + (i + 2)), lines.get(i));
            }
        } finally {
            logger.setLevel(level);
        }
    }

    private static <T extends Throwable> T withoutTrace(T t) {
        t.setStackTrace(new StackTraceElement[0]);
        return t;
    }

    @Test
    void aRefusalWithoutAStackTraceIsTheServersUnlessItCarriesTheConnectorsOwn() {
        assertFalse(MailConnectionFactoryImpl.raisedByConnector(withoutTrace(new IllegalStateException("server"))));

        RuntimeException server = withoutTrace(new IllegalStateException("server"));
        server.addSuppressed(withoutTrace(new IllegalStateException("also the server's")));
        assertFalse(MailConnectionFactoryImpl.raisedByConnector(server));

        RuntimeException carrying = withoutTrace(new IllegalStateException("server"));
        carrying.addSuppressed(new org.m365mail.api.MailSendException("the connector's own"));
        assertTrue(MailConnectionFactoryImpl.raisedByConnector(carrying), "a suppressed failure of the connector");
    }

    @Test
    void theReferenceTheServerSetsIsKeptAndTheFactoryNamesItsPool() {
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
        mcf.setFromAddress("notifications@contoso.com");
        MailConnectionFactoryImpl factory = new MailConnectionFactoryImpl(mcf, recreating(() -> { }));
        assertNull(factory.getReference());
        Reference reference = new Reference(MailConnectionFactoryImpl.class.getName());
        factory.setReference(reference);
        assertSame(reference, factory.getReference());
        assertEquals("MailConnectionFactory[" + mcf + "]", factory.toString());
        assertTrue(factory.toString().contains("notifications@contoso.com"), factory.toString());
    }
}
