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
import org.m365mail.api.SentMessage;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.MailTransport;

import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private MailChannel channel;
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
        return !destroyed.get() && (channel == null || !channel.isBroken());
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

    /** Sends on behalf of a handle; one thread at a time per managed connection, as the pool hands it out. */
    synchronized SentMessage send(Message message) throws MailSendException {
        if (destroyed.get()) {
            throw new MailSendException("The connection was closed by the pool; get a new one");
        }
        MailTransport transport;
        try {
            transport = factory.transport();
        } catch (MailSendException e) {
            throw e;
        } catch (ResourceException e) {
            throw new MailSendException(e.getMessage(), e);
        }
        if (channel != null && channelTransport != transport) {
            channel.close();
            channel = null;
        }
        if (channel == null) {
            channel = transport.open();
            channelTransport = transport;
        }
        try {
            return channel.send(message);
        } catch (MailSendException e) {
            if (channel.isBroken()) {
                // The physical connection is gone: tell the pool to discard this managed connection.
                fire(ConnectionEvent.CONNECTION_ERROR_OCCURRED, null, e);
            }
            throw e;
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

    @Override
    public void destroy() {
        if (!destroyed.compareAndSet(false, true)) {
            return;
        }
        cleanup();
        MailChannel c;
        synchronized (this) {
            c = channel;
            channel = null;
        }
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Closing the channel failed", e);
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
