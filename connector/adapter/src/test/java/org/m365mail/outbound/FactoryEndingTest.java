package org.m365mail.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.testing.SandboxFactories;

import javax.security.auth.Subject;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What closing a factory and destroying a connection end, without a network: the factory's wiring and the sends it
 * still held, the standalone pool's idle connections, and the handles of a destroyed connection.
 */
class FactoryEndingTest {

    private static MailManagedConnectionFactory valid() {
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
        mcf.setTenantId("contoso.onmicrosoft.com");
        mcf.setClientId("8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736");
        mcf.setClientSecret("secret-value");
        mcf.setFromAddress("notifications@contoso.com");
        return mcf;
    }

    /** A managed connection of another connector, counting what is done with it. */
    private static final class Foreign {
        final AtomicInteger destroyed = new AtomicInteger();
        final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
        final MailConnection handle = (MailConnection) Proxy.newProxyInstance(MailConnection.class.getClassLoader(),
                new Class<?>[] {MailConnection.class}, (p, m, a) -> null);
        final ManagedConnection connection = (ManagedConnection) Proxy.newProxyInstance(
                ManagedConnection.class.getClassLoader(), new Class<?>[] {ManagedConnection.class}, (p, m, a) -> {
                    switch (m.getName()) {
                        case "destroy" -> destroyed.incrementAndGet();
                        case "addConnectionEventListener" -> listeners.add((ConnectionEventListener) a[0]);
                        case "getConnection" -> {
                            return handle;
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(p);
                        }
                        case "equals" -> {
                            return p == a[0];
                        }
                        default -> { }
                    }
                    return null;
                });

        void closeHandle() {
            listeners.forEach(l -> l.connectionClosed(new ConnectionEvent(connection,
                    ConnectionEvent.CONNECTION_CLOSED)));
        }
    }

    @Test
    void closingAWiredFactoryEndsItsWiringAndFailsWhatItsServicesAreStillAsked() throws Exception {
        MailManagedConnectionFactory mcf = valid();
        assertFalse(mcf.isWired(), "nothing is wired before the first use");
        FactoryServices services = mcf.services();
        assertTrue(mcf.isWired());
        assertSame(services, mcf.services(), "wired once");
        assertEquals("FactoryServices[GRAPH, notifications@contoso.com]", services.toString());

        mcf.close();

        assertFalse(mcf.isWired(), "the next use wires the factory afresh");
        MailSendException e = assertThrows(MailSendException.class,
                () -> services.deferred().sendAsync(SandboxFactories.textMessage("after close", "x")));
        assertEquals("ConnectionClosedByPool", e.getErrorCode());
    }

    @Test
    void closingAFactoryNeverUsedHasNothingToEnd() {
        MailManagedConnectionFactory mcf = valid();
        assertDoesNotThrow(mcf::close);
        assertFalse(mcf.isWired());
    }

    @Test
    void closingTheFactoryEndsTheIdleConnectionsOfItsStandalonePool() throws Exception {
        Foreign pooled = new Foreign();
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory() {
            @Override
            public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) {
                return pooled.connection;
            }
        };
        mcf.setTenantId("contoso.onmicrosoft.com");
        mcf.setClientId("8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736");
        mcf.setClientSecret("secret-value");
        mcf.setFromAddress("notifications@contoso.com");
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        assertSame(pooled.handle, factory.getConnection());
        pooled.closeHandle();
        assertEquals(0, pooled.destroyed.get(), "kept idle for the next caller");

        mcf.close();

        assertEquals(1, pooled.destroyed.get(), "ended with the factory");
    }

    @Test
    void anIdleConnectionOfAnotherKindIsEndedRatherThanHandedOut() throws Exception {
        Foreign foreign = new Foreign();
        StandaloneConnectionManager pool = new StandaloneConnectionManager();
        pool.connectionClosed(new ConnectionEvent(foreign.connection, ConnectionEvent.CONNECTION_CLOSED));
        MailManagedConnectionFactory mcf = valid();
        MailManagedConnection fresh = new MailManagedConnection(mcf);
        MailManagedConnectionFactory making = new MailManagedConnectionFactory() {
            @Override
            public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) {
                return fresh;
            }
        };

        Object handle = pool.allocateConnection(making, null);

        assertSame(fresh, ((MailConnectionHandle) handle).managedConnection());
        assertEquals(1, foreign.destroyed.get(), "not this connector's: ended");
    }

    @Test
    void theStandalonePoolKeepsItsSixteenthIdleConnection() throws Exception {
        StandaloneConnectionManager pool = new StandaloneConnectionManager();
        java.util.List<Foreign> idle = new java.util.ArrayList<>();
        for (int i = 0; i < StandaloneConnectionManager.MAX_IDLE; i++) {
            Foreign f = new Foreign();
            idle.add(f);
            pool.connectionClosed(new ConnectionEvent(f.connection, ConnectionEvent.CONNECTION_CLOSED));
        }
        assertEquals(0, idle.stream().mapToInt(f -> f.destroyed.get()).sum(), "all sixteen kept");
    }

    @Test
    void destroyingAConnectionInvalidatesItsHandles() throws Exception {
        MailManagedConnection mc = new MailManagedConnection(valid());
        MailConnectionHandle handle = (MailConnectionHandle) mc.getConnection(null, null);

        mc.destroy();

        assertNull(handle.managedConnection());
        assertEquals("MailConnectionHandle[closed]", handle.toString());
        assertFalse(mc.isUsable());
        assertThrows(ResourceException.class, () -> mc.getConnection(null, null));
    }

    @Test
    void factoriesForOtherMailboxesHashApart() {
        MailManagedConnectionFactory one = valid();
        MailManagedConnectionFactory other = valid();
        other.setFromAddress("alerts@contoso.com");
        assertNotEquals(one, other);
        assertNotEquals(one.hashCode(), other.hashCode());
        assertEquals(one.hashCode(), valid().hashCode());
    }
}
