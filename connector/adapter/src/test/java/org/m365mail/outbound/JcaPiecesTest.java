package org.m365mail.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;

import javax.security.auth.Subject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The small JCA pieces without a server or a network: what a connection's metadata says, how handles move between
 * managed connections, and how the standalone pool keeps, reuses and ends connections.
 */
class JcaPiecesTest {

    private static MailManagedConnectionFactory factory(String transport) {
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
        mcf.setTransport(transport);
        mcf.setTenantId("contoso.onmicrosoft.com");
        mcf.setClientId("8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736");
        mcf.setClientSecret("secret-value");
        mcf.setFromAddress("notifications@contoso.com");
        return mcf;
    }

    @Test
    void theMetadataNamesTheServiceTheTransportAndTheMailbox() throws Exception {
        ManagedConnectionMetaData graph = new MailManagedConnection(factory("GRAPH")).getMetaData();
        assertEquals("Microsoft 365 Exchange Online (GRAPH)", graph.getEISProductName());
        assertEquals("Microsoft Graph v1.0", graph.getEISProductVersion());
        assertEquals("notifications@contoso.com", graph.getUserName());
        assertEquals(0, graph.getMaxConnections(), "no limit of its own");

        ManagedConnectionMetaData smtp = new MailManagedConnection(factory("SMTP")).getMetaData();
        assertEquals("Microsoft 365 Exchange Online (SMTP)", smtp.getEISProductName());
        assertEquals("SMTP AUTH XOAUTH2", smtp.getEISProductVersion());

        MailManagedConnectionFactory invalid = factory("SMTP");
        invalid.setTenantId(null);
        assertEquals("Microsoft Graph v1.0", new MailManagedConnection(invalid).getMetaData().getEISProductVersion(),
                "an invalid configuration reads as the default transport");
    }

    @Test
    void logWritersAndTheResourceAdapterAreKept() throws Exception {
        MailManagedConnectionFactory mcf = factory("GRAPH");
        PrintWriter writer = new PrintWriter(new StringWriter());
        mcf.setLogWriter(writer);
        assertSame(writer, mcf.getLogWriter());
        MailManagedConnection mc = new MailManagedConnection(mcf);
        mc.setLogWriter(writer);
        assertSame(writer, mc.getLogWriter());
        assertNull(mcf.getResourceAdapter());
        org.m365mail.ra.MailResourceAdapter ra = new org.m365mail.ra.MailResourceAdapter();
        mcf.setResourceAdapter(ra);
        assertSame(ra, mcf.getResourceAdapter());
        assertEquals(1, ra.factoryCount(), "the factory is registered with its adapter");
        mcf.setResourceAdapter(ra);
        assertEquals(1, ra.factoryCount(), "once");
    }

    @Test
    void aHandleMovesToTheConnectionTheServerAssociatesItWith() throws Exception {
        MailManagedConnectionFactory mcf = factory("GRAPH");
        MailManagedConnection first = new MailManagedConnection(mcf);
        MailManagedConnection second = new MailManagedConnection(mcf);
        MailConnectionHandle handle = (MailConnectionHandle) first.getConnection(null, null);
        assertEquals("MailConnectionHandle[open]", handle.toString());

        second.associateConnection(handle);
        assertSame(second, handle.managedConnection());
        first.cleanup();
        assertSame(second, handle.managedConnection(), "the first connection let the handle go");
        second.associateConnection(handle);
        assertSame(second, handle.managedConnection(), "associating again with the same one keeps it");
        assertThrows(ResourceException.class, () -> second.associateConnection("not a handle"));

        second.cleanup();
        assertNull(handle.managedConnection(), "cleanup invalidates the handle");
        assertEquals("MailConnectionHandle[closed]", handle.toString());
        MailSendException e = assertThrows(MailSendException.class, () -> handle.sendAsync(
                new jakarta.mail.internet.MimeMessage((jakarta.mail.Session) null)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(NullPointerException.class, () -> handle.sendAsync(null));
    }

    @Test
    void cleanupForgetsItsHandlesSoALaterCleanupLeavesNewOnesAlone() throws Exception {
        MailManagedConnection mc = new MailManagedConnection(factory("GRAPH"));
        MailConnectionHandle old = (MailConnectionHandle) mc.getConnection(null, null);
        mc.cleanup();
        MailConnectionHandle reassociated = (MailConnectionHandle) mc.getConnection(null, null);
        MailManagedConnection elsewhere = new MailManagedConnection(factory("GRAPH"));
        elsewhere.associateConnection(old);
        mc.cleanup();
        assertNull(reassociated.managedConnection());
        assertSame(elsewhere, old.managedConnection(), "a handle cleaned up before is not touched again");
    }

    /** A managed connection that counts what the pool does with it. */
    private static final class Counted {
        final AtomicInteger destroyed = new AtomicInteger();
        final AtomicInteger cleaned = new AtomicInteger();
        final List<ConnectionEventListener> listeners = new ArrayList<>();
        boolean failCleanup;
        final ManagedConnection connection = (ManagedConnection) Proxy.newProxyInstance(
                ManagedConnection.class.getClassLoader(), new Class<?>[] {ManagedConnection.class}, (p, m, a) -> {
                    switch (m.getName()) {
                        case "destroy" -> destroyed.incrementAndGet();
                        case "cleanup" -> {
                            cleaned.incrementAndGet();
                            if (failCleanup) {
                                throw new ResourceException("cannot clean up");
                            }
                        }
                        case "addConnectionEventListener" -> listeners.add((ConnectionEventListener) a[0]);
                        case "getConnection" -> {
                            return "handle";
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
    }

    /** A factory that hands out the given connections in turn. */
    private static MailManagedConnectionFactory handingOut(List<Counted> connections) {
        AtomicInteger next = new AtomicInteger();
        return new MailManagedConnectionFactory() {
            @Override
            public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) {
                return connections.get(next.getAndIncrement()).connection;
            }
        };
    }

    @Test
    void theStandalonePoolListensToWhatItMakesAndEndsWhatCannotBeReused() throws Exception {
        Counted first = new Counted();
        Counted second = new Counted();
        StandaloneConnectionManager pool = new StandaloneConnectionManager();
        MailManagedConnectionFactory mcf = handingOut(List.of(first, second));

        assertEquals("handle", pool.allocateConnection(mcf, null));
        assertEquals(List.of(pool), first.listeners, "the pool hears the connection's events");

        first.failCleanup = true;
        pool.connectionClosed(new ConnectionEvent(first.connection, ConnectionEvent.CONNECTION_CLOSED));
        assertEquals(1, first.cleaned.get());
        assertEquals(1, first.destroyed.get(), "a connection that cannot be cleaned up is ended");

        pool.connectionErrorOccurred(new ConnectionEvent(second.connection,
                ConnectionEvent.CONNECTION_ERROR_OCCURRED));
        assertEquals(1, second.destroyed.get(), "a broken connection is ended");
    }

    @Test
    void theStandalonePoolKeepsAtMostSixteenIdleConnectionsAndEndsThemWhenClosed() throws Exception {
        List<Counted> made = new ArrayList<>();
        for (int i = 0; i <= StandaloneConnectionManager.MAX_IDLE; i++) {
            made.add(new Counted());
        }
        StandaloneConnectionManager pool = new StandaloneConnectionManager();
        for (Counted c : made) {
            pool.connectionClosed(new ConnectionEvent(c.connection, ConnectionEvent.CONNECTION_CLOSED));
        }
        assertEquals(1, made.get(StandaloneConnectionManager.MAX_IDLE).destroyed.get(), "the seventeenth is ended");
        assertEquals(0, made.get(0).destroyed.get());
        pool.close();
        for (Counted c : made) {
            assertEquals(1, c.destroyed.get(), "each ended once");
        }
    }

    @Test
    void anIdleConnectionThatIsNoLongerUsableIsEndedAndAnotherMade() throws Exception {
        MailManagedConnectionFactory mcf = factory("GRAPH");
        MailManagedConnection stale = new MailManagedConnection(mcf);
        MailManagedConnection fresh = new MailManagedConnection(mcf);
        StandaloneConnectionManager pool = new StandaloneConnectionManager();
        pool.connectionClosed(new ConnectionEvent(stale, ConnectionEvent.CONNECTION_CLOSED));
        stale.destroy();
        MailManagedConnectionFactory making = new MailManagedConnectionFactory() {
            @Override
            public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) {
                return fresh;
            }
        };
        Object handle = pool.allocateConnection(making, null);
        assertTrue(handle instanceof MailConnectionHandle h && h.managedConnection() == fresh);
        assertNotSame(stale, ((MailConnectionHandle) handle).managedConnection());
        assertEquals(Set.of(), mcf.getInvalidConnections(Set.of(fresh)));
    }
}
