package org.m365mail.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;

import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connector's own connection manager for use outside an application server: a small pool that hands out the
 * most recently returned connection first (its SMTP session is the likeliest to be alive), keeps at most
 * {@link #MAX_IDLE} idle connections and discards connections that failed.
 */
final class StandaloneConnectionManager implements ConnectionManager, ConnectionEventListener {

    private static final long serialVersionUID = 1L;
    static final int MAX_IDLE = 16;

    private final transient Deque<ManagedConnection> idle = new ConcurrentLinkedDeque<>();
    private final transient AtomicInteger idleCount = new AtomicInteger();

    @Override
    public Object allocateConnection(ManagedConnectionFactory factory, ConnectionRequestInfo info)
            throws ResourceException {
        ManagedConnection connection = idle.pollFirst();
        if (connection != null) {
            idleCount.decrementAndGet();
            if (!(connection instanceof MailManagedConnection mc) || !mc.isUsable()) {
                connection.destroy();
                return allocateConnection(factory, info);
            }
        } else {
            connection = factory.createManagedConnection(null, info);
            connection.addConnectionEventListener(this);
        }
        return connection.getConnection(null, info);
    }

    @Override
    public void connectionClosed(ConnectionEvent event) {
        ManagedConnection connection = (ManagedConnection) event.getSource();
        try {
            connection.cleanup();
        } catch (ResourceException e) {
            destroyQuietly(connection);
            return;
        }
        if (idleCount.incrementAndGet() <= MAX_IDLE) {
            idle.offerFirst(connection);
        } else {
            idleCount.decrementAndGet();
            destroyQuietly(connection);
        }
    }

    @Override
    public void connectionErrorOccurred(ConnectionEvent event) {
        destroyQuietly((ManagedConnection) event.getSource());
    }

    void close() {
        ManagedConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            destroyQuietly(connection);
        }
    }

    private static void destroyQuietly(ManagedConnection connection) {
        try {
            connection.destroy();
        } catch (ResourceException e) {
            // Nothing more can be done with a connection that fails to close.
        }
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
}
