package org.m365mail.outbound;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.TransactionSupport;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailSendException;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JCA contract: events, handles, matching, equality, transactions; the standalone pool against the stand-in. */
class MailManagedConnectionTest {

    @org.junit.jupiter.api.extension.RegisterExtension
    static final org.m365mail.testing.SandboxExtension SANDBOX =
            new org.m365mail.testing.SandboxExtension("target/sandbox-jca");

    @org.junit.jupiter.api.extension.RegisterExtension
    final org.m365mail.testing.StandaloneAdapter adapter = new org.m365mail.testing.StandaloneAdapter();

    private static MailManagedConnectionFactory validFactory() {
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
        mcf.setTenantId("contoso.onmicrosoft.com");
        mcf.setClientId("8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736");
        mcf.setClientSecret("secret-value");
        mcf.setFromAddress("notifications@contoso.com");
        return mcf;
    }

    /** Records events, from whichever thread the connection fires them on. */
    static final class Recorder implements ConnectionEventListener {
        final List<ConnectionEvent> closed = new CopyOnWriteArrayList<>();
        final List<ConnectionEvent> errors = new CopyOnWriteArrayList<>();

        @Override
        public void connectionClosed(ConnectionEvent event) {
            closed.add(event);
        }

        @Override
        public void localTransactionStarted(ConnectionEvent event) {
        }

        @Override
        public void localTransactionCommitted(ConnectionEvent event) {
        }

        @Override
        public void localTransactionRolledback(ConnectionEvent event) {
        }

        @Override
        public void connectionErrorOccurred(ConnectionEvent event) {
            errors.add(event);
        }
    }

    @Test
    void closingAHandleFiresExactlyOneClosedEventCarryingIt() throws Exception {
        MailManagedConnection mc = new MailManagedConnection(validFactory());
        Recorder recorder = new Recorder();
        mc.addConnectionEventListener(recorder);
        MailConnection handle = (MailConnection) mc.getConnection(null, null);
        handle.close();
        handle.close();
        assertEquals(1, recorder.closed.size());
        assertSame(handle, recorder.closed.get(0).getConnectionHandle());
        assertSame(mc, recorder.closed.get(0).getSource());
    }

    @Test
    void aBrokenConnectionIsReportedToThePoolAndARefusedMessageIsNot() throws Exception {
        MailManagedConnectionFactory mcf = adapter.attach(
                org.m365mail.testing.SandboxFactories.factory(SANDBOX.get(), "SMTP"));
        MailManagedConnection mc = (MailManagedConnection) mcf.createManagedConnection(null, null);
        Recorder recorder = new Recorder();
        mc.addConnectionEventListener(recorder);
        MailConnection handle = (MailConnection) mc.getConnection(null, null);

        jakarta.mail.internet.MimeMessage noRecipients = org.m365mail.testing.SandboxFactories.textMessage("x", "x");
        noRecipients.removeHeader("To");
        assertThrows(MailSendException.class, () -> handle.send(noRecipients));
        assertEquals(0, recorder.errors.size(), "a refused message leaves the connection usable");

        // The server resets the connection at MAIL FROM, twice in a row: the connection is given up.
        SANDBOX.get().smtpFaults().add(org.m365mail.sandbox.SmtpFaults.Fault.RESET_ON_MAIL)
                .add(org.m365mail.sandbox.SmtpFaults.Fault.RESET_ON_MAIL);
        MailSendException broken = assertThrows(MailSendException.class,
                () -> handle.send(org.m365mail.testing.SandboxFactories.textMessage("reset twice", "x")));
        assertEquals(1, recorder.errors.size(), "the pool is told to discard it");
        assertSame(broken, recorder.errors.get(0).getException());
        assertSame(mc, recorder.errors.get(0).getSource());
        mc.destroy();
    }

    @Test
    void destroyClosesTheSmtpConnectionAtOnce() throws Exception {
        MailManagedConnectionFactory mcf = adapter.attach(
                org.m365mail.testing.SandboxFactories.factory(SANDBOX.get(), "SMTP"));
        MailManagedConnection mc = (MailManagedConnection) mcf.createManagedConnection(null, null);
        int open = SANDBOX.get().openSmtpConnections();
        assertTrue(open >= 1, "Ping opened and signed in the connection");
        mc.destroy();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (SANDBOX.get().openSmtpConnections() >= open && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(open - 1, SANDBOX.get().openSmtpConnections(), "the server saw the connection close");
    }

    @Test
    void aClosedOrCleanedUpHandleRefusesToSend() throws Exception {
        MailManagedConnection mc = new MailManagedConnection(validFactory());
        MailConnection closed = (MailConnection) mc.getConnection(null, null);
        closed.close();
        MailSendException e = assertThrows(MailSendException.class, () -> closed.send(
                new jakarta.mail.internet.MimeMessage((jakarta.mail.Session) null)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());

        MailConnection inUse = (MailConnection) mc.getConnection(null, null);
        mc.cleanup();
        assertThrows(MailSendException.class, () -> inUse.send(
                new jakarta.mail.internet.MimeMessage((jakarta.mail.Session) null)));
    }

    @Test
    void transactionsAreDeclinedLoudly() throws Exception {
        MailManagedConnectionFactory mcf = validFactory();
        assertEquals(TransactionSupport.TransactionSupportLevel.NoTransaction, mcf.getTransactionSupport());
        MailManagedConnection mc = new MailManagedConnection(mcf);
        assertThrows(NotSupportedException.class, mc::getXAResource);
        assertThrows(NotSupportedException.class, mc::getLocalTransaction);
    }

    /**
     * A connection belongs to the factory that made it (its transport, tokens and timers are that factory's): an
     * equal factory does not take it, nor does any factory once it is destroyed.
     */
    @Test
    void matchingTakesOnlyUsableConnectionsOfTheSameFactory() throws Exception {
        MailManagedConnectionFactory a = validFactory();
        MailManagedConnectionFactory b = validFactory();
        MailManagedConnectionFactory other = validFactory();
        other.setFromAddress("other@contoso.com");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, other);

        MailManagedConnection mcOfA = new MailManagedConnection(a);
        MailManagedConnection mcOfB = new MailManagedConnection(b);
        assertNull(a.matchManagedConnections(Set.of(mcOfB), null, null), "an equal factory's is not taken");
        assertSame(mcOfA, a.matchManagedConnections(Set.of(mcOfB, mcOfA), null, null));
        assertEquals(Set.of(), a.getInvalidConnections(Set.of(mcOfA)));
        mcOfA.destroy();
        assertNull(a.matchManagedConnections(Set.of(mcOfA), null, null));
        assertEquals(Set.of(mcOfA), a.getInvalidConnections(Set.of(mcOfA, mcOfB)), "validation finds it");
    }

    @Test
    void anInvalidConfigurationFailsAtFactoryCreationNamingTheProperty() {
        MailManagedConnectionFactory mcf = validFactory();
        mcf.setTenantId(null);
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class,
                () -> mcf.createConnectionFactory(null));
        assertTrue(e.getMessage().contains("tenantId is required"), e.getMessage());
        assertThrows(ResourceException.class, mcf::createConnectionFactory);
    }

    @Test
    void secretsStayOutOfToString() {
        MailManagedConnectionFactory mcf = validFactory();
        mcf.setTrustStorePassword("store-password");
        assertFalse(mcf.toString().contains("secret-value"), mcf.toString());
        assertFalse(mcf.toString().contains("store-password"), mcf.toString());
    }

    @Test
    void standalonePoolReusesAReturnedConnectionAndOpensAnotherWhenBusy() throws Exception {
        MailConnectionFactoryImpl factory = (MailConnectionFactoryImpl) org.m365mail.testing.SandboxFactories
                .factory(SANDBOX.get(), "GRAPH").createConnectionFactory();
        MailConnectionHandle first = (MailConnectionHandle) factory.getConnection();
        MailManagedConnection firstMc = first.managedConnection();
        first.close();
        MailConnectionHandle second = (MailConnectionHandle) factory.getConnection();
        MailConnectionHandle third = (MailConnectionHandle) factory.getConnection();
        assertSame(firstMc, second.managedConnection(), "the returned connection is reused");
        assertNotEquals(firstMc, third.managedConnection(), "a busy connection is not shared");
        second.close();
        third.close();
        assertNull(second.managedConnection());
    }
}
