package org.m365mail.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnectionFactory;
import fakeserver.PoolRefusals;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailSendException;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the factory applications hold answers a refusal by the server's pool. */
class MailConnectionFactoryImplTest {

    private static final MailConnection CONNECTION = (MailConnection) Proxy.newProxyInstance(
            MailConnection.class.getClassLoader(), new Class<?>[] {MailConnection.class}, (p, m, a) -> null);

    /** A server's connection manager that refuses its first {@code refusals} requests with what {@code refusal} makes. */
    private static final class RefusingManager implements ConnectionManager {
        private final int refusals;
        private final java.util.function.Supplier<ResourceException> refusal;
        final AtomicInteger asked = new AtomicInteger();

        RefusingManager(int refusals, java.util.function.Supplier<ResourceException> refusal) {
            this.refusals = refusals;
            this.refusal = refusal;
        }

        @Override
        public Object allocateConnection(ManagedConnectionFactory mcf, ConnectionRequestInfo info)
                throws ResourceException {
            if (asked.incrementAndGet() <= refusals) {
                throw refusal.get();
            }
            return CONNECTION;
        }
    }

    private static ResourceException poolBeingRecreated() {
        return PoolRefusals.poolBeingRecreated("Pool");
    }

    @Test
    void aPoolThatTheServerIsReCreatingIsAskedAgainUntilItAnswers() throws Exception {
        RefusingManager manager = new RefusingManager(3, MailConnectionFactoryImplTest::poolBeingRecreated);
        MailConnectionFactoryImpl factory = new MailConnectionFactoryImpl(new MailManagedConnectionFactory(), manager,
                Duration.ofSeconds(5));

        assertSame(CONNECTION, factory.getConnection());
        assertEquals(4, manager.asked.get());
    }

    @Test
    void aRefusalTheConnectorRaisedIsPassedOnAtOnce() {
        RefusingManager manager = new RefusingManager(1, () -> PoolRefusals.allocationFailed(
                new MailSendException("AADSTS7000215: Invalid client secret provided")));
        MailConnectionFactoryImpl factory = new MailConnectionFactoryImpl(new MailManagedConnectionFactory(), manager,
                Duration.ofSeconds(5));

        ResourceException thrown = assertThrows(ResourceException.class, factory::getConnection);

        assertTrue(thrown.getCause() instanceof MailSendException, String.valueOf(thrown.getCause()));
        assertEquals(1, manager.asked.get(), "a wrong secret is not asked for again");
    }

    @Test
    void aRefusalMadeInTheConnectorsCodeIsPassedOnAtOnce() {
        // An IllegalStateException the managed connection throws, wrapped by the server.
        RefusingManager manager = new RefusingManager(1, () -> PoolRefusals.allocationFailed(OwnCode.fail()));
        MailConnectionFactoryImpl factory = new MailConnectionFactoryImpl(new MailManagedConnectionFactory(), manager,
                Duration.ofSeconds(5));

        assertThrows(ResourceException.class, factory::getConnection);
        assertEquals(1, manager.asked.get());
    }

    @Test
    void aPoolThatStaysRefusingFailsWithTheServersReasonOnceTheWaitIsOver() {
        RefusingManager manager = new RefusingManager(Integer.MAX_VALUE,
                MailConnectionFactoryImplTest::poolBeingRecreated);
        MailConnectionFactoryImpl factory = new MailConnectionFactoryImpl(new MailManagedConnectionFactory(), manager,
                Duration.ofMillis(300));

        long start = System.nanoTime();
        ResourceException thrown = assertThrows(ResourceException.class, factory::getConnection);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertTrue(thrown.getMessage().contains("No Pool Meta Data"), thrown.getMessage());
        assertTrue(manager.asked.get() > 1, "asked again at least once: " + manager.asked.get());
        // The bound is what the factory was given (300 ms); a generous margin, this is not a timing test.
        assertTrue(tookMillis < 5_000, "gave up after " + tookMillis + " ms");
    }

    /** Stands for the connector's own code raising an exception. */
    private static final class OwnCode {
        static IllegalStateException fail() {
            return new IllegalStateException("This managed connection was destroyed");
        }
    }
}
