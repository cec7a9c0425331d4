package org.m365mail.outbound;

import jakarta.mail.Message;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.IllegalStateException;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import org.m365mail.api.MailSendException;
import org.m365mail.monitor.PoolMonitor;
import org.m365mail.api.SentMessage;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.MailTransport;

import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;
import java.io.PrintWriter;
import java.util.concurrent.CompletionStage;
import org.m365mail.delivery.DeferredSends;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One pooled physical connection: for SMTP an authenticated SMTP session kept open between sends; for Graph a
 * lightweight slot on the factory's shared HTTP client.
 */
final class MailManagedConnection implements ManagedConnection {

    private static final Logger LOG = Logger.getLogger(MailManagedConnection.class.getName());

    private final MailManagedConnectionFactory factory;
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<MailConnectionHandle> handles = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean destroyed = new AtomicBoolean();
    /** One send at a time on this connection, as the pool hands it out; destroy() does not wait for it. */
    private final ReentrantLock sending = new ReentrantLock();
    private volatile MailChannel channel;
    /** The factory's transport the channel was opened from; a new one (consent reset or renewed) means reopen. */
    private MailTransport channelTransport;
    private PrintWriter logWriter;

    MailManagedConnection(MailManagedConnectionFactory factory) {
        this.factory = factory;
    }

    MailManagedConnectionFactory factory() {
        return factory;
    }

    boolean isUsable() {
        MailChannel c = channel;
        return !destroyed.get() && (c == null || !c.isBroken());
    }

    @Override
    public Object getConnection(Subject subject, ConnectionRequestInfo info) throws ResourceException {
        if (destroyed.get()) {
            throw new IllegalStateException("This managed connection was destroyed");
        }
        MailConnectionHandle handle = new MailConnectionHandle(this);
        handles.add(handle);
        return handle;
    }

    /** Opens the channel now (for SMTP: connects and signs in), so that the pool's Ping tests it. */
    void open() throws ResourceException {
        sending.lock();
        try {
            channel().open();
        } finally {
            sending.unlock();
        }
    }

    /** The channel on the factory's current transport; call holding {@link #sending}. */
    private MailChannel channel() throws ResourceException {
        if (destroyed.get()) {
            throw new MailSendException("The connection was closed by the pool; get a new one");
        }
        MailTransport transport = factory.transport();
        MailChannel c = channel;
        if (c != null && channelTransport != transport) {
            c.close();
            c = null;
        }
        if (c == null) {
            c = transport.open();
            channel = c;
            channelTransport = transport;
        }
        return c;
    }

    /**
     * Sends on behalf of a handle; one thread at a time per managed connection, as the pool hands it out. The pool's
     * monitor counts the outcome and its time (metrics, readiness, alerts).
     */
    SentMessage send(Message message) throws MailSendException {
        DeferredSends deferred = deferred();
        if (deferred != null && deferred.followsTransaction()) {
            // Sent after the caller's transaction commits (or through the outbox), on the factory's own channels.
            return deferred.sendInTransaction(message);
        }
        sending.lock();
        long start = System.nanoTime();
        PoolMonitor monitor = monitor();
        try {
            SentMessage sent = sendOnChannel(message);
            if (monitor != null) {
                monitor.sent(Duration.ofNanos(System.nanoTime() - start));
            }
            return sent;
        } catch (MailSendException e) {
            if (monitor != null) {
                monitor.failed(e);
            }
            throw e;
        } finally {
            sending.unlock();
        }
    }

    private SentMessage sendOnChannel(Message message) throws MailSendException {
        MailChannel c;
        try {
            c = channel();
        } catch (MailSendException e) {
            throw e;
        } catch (ResourceException e) {
            throw new MailSendException(e.getMessage(), e);
        }
        try {
            return c.send(message);
        } catch (MailSendException e) {
            if (c.isBroken()) {
                // The physical connection is gone: tell the pool to discard this managed connection.
                fire(ConnectionEvent.CONNECTION_ERROR_OCCURRED, null, e);
            }
            throw e;
        }
    }

    /** Sends without waiting for the service (see {@link DeferredSends#sendAsync}). */
    CompletionStage<SentMessage> sendAsync(Message message) throws MailSendException {
        DeferredSends deferred = deferred();
        if (deferred == null) {
            throw new MailSendException("The connection factory's configuration is invalid; see the server's log");
        }
        return deferred.sendAsync(message);
    }

    /** The factory's deferred sends, or {@code null} when its settings are invalid (the send then says why). */
    private DeferredSends deferred() throws MailSendException {
        if (destroyed.get()) {
            throw new MailSendException("The connection was closed by the pool; get a new one");
        }
        try {
            return factory.deferred();
        } catch (MailSendException e) {
            throw e;
        } catch (ResourceException e) {
            throw new MailSendException(e.getMessage(), e);
        }
    }

    /** The pool's monitor, or {@code null} when the factory cannot make one (its settings are invalid). */
    private PoolMonitor monitor() {
        try {
            return factory.monitor();
        } catch (ResourceException | RuntimeException e) {
            return null;
        }
    }

    void handleClosed(MailConnectionHandle handle) {
        if (handles.remove(handle)) {
            fire(ConnectionEvent.CONNECTION_CLOSED, handle, null);
        }
    }

    private void fire(int type, MailConnectionHandle handle, Exception cause) {
        ConnectionEvent event = cause == null ? new ConnectionEvent(this, type) : new ConnectionEvent(this, type, cause);
        if (handle != null) {
            event.setConnectionHandle(handle);
        }
        for (ConnectionEventListener listener : listeners) {
            switch (type) {
                case ConnectionEvent.CONNECTION_CLOSED -> listener.connectionClosed(event);
                case ConnectionEvent.CONNECTION_ERROR_OCCURRED -> listener.connectionErrorOccurred(event);
                default -> throw new java.lang.IllegalStateException("Unexpected event " + type);
            }
        }
    }

    @Override
    public void associateConnection(Object connection) throws ResourceException {
        if (!(connection instanceof MailConnectionHandle handle)) {
            throw new ResourceException("Not a handle of this connector: " + connection);
        }
        handle.reassociate(this);
        handles.add(handle);
    }

    void detach(MailConnectionHandle handle) {
        handles.remove(handle);
    }

    /** Invalidates the handles; the physical connection stays open for the next user. */
    @Override
    public void cleanup() {
        for (MailConnectionHandle handle : handles) {
            handle.invalidate();
        }
        handles.clear();
    }

    /**
     * Ends the connection at once: an SMTP socket is closed even under a send in progress, which then fails with a
     * clear error (and is not sent again); nothing waits for the send to finish.
     */
    @Override
    public void destroy() {
        if (!destroyed.compareAndSet(false, true)) {
            return;
        }
        cleanup();
        MailChannel c = channel;
        channel = null;
        if (c != null) {
            try {
                c.abort();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "M365MAIL-1009 Closing the channel failed", e);
            }
        }
    }

    @Override
    public void addConnectionEventListener(ConnectionEventListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeConnectionEventListener(ConnectionEventListener listener) {
        listeners.remove(listener);
    }

    @Override
    public XAResource getXAResource() throws ResourceException {
        throw new NotSupportedException("The Microsoft 365 mail connector does not take part in XA transactions");
    }

    @Override
    public LocalTransaction getLocalTransaction() throws ResourceException {
        throw new NotSupportedException("The Microsoft 365 mail connector does not support local transactions");
    }

    @Override
    public ManagedConnectionMetaData getMetaData() {
        return new MailManagedConnectionMetaData(factory);
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }
}
