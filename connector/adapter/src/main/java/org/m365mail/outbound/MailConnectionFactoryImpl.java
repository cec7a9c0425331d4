package org.m365mail.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailOutbox;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.logging.LogText;

import javax.naming.Reference;
import java.time.Duration;
import java.util.Optional;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.logging.Logger;

/** The {@link MailConnectionFactory} applications look up; it asks the connection manager for pooled connections. */
public final class MailConnectionFactoryImpl implements MailConnectionFactory,
        FactoryAdministration.Administered {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(MailConnectionFactoryImpl.class.getName());
    /** How long a refusal by the server's own pool is asked again (a pool being re-created takes well under this). */
    static final Duration POOL_REFUSAL_WAIT = Duration.ofSeconds(5);
    /** The connector's root package, with its dot: its classes, and the server's that are not. */
    private static final String OWN_PACKAGE = MailConnection.class.getPackageName().replaceAll("api$", "");

    private final MailManagedConnectionFactory factory;
    private final ConnectionManager manager;
    private final transient Duration refusalWait;
    private Reference reference;

    MailConnectionFactoryImpl(MailManagedConnectionFactory factory, ConnectionManager manager) {
        this(factory, manager, POOL_REFUSAL_WAIT);
    }

    MailConnectionFactoryImpl(MailManagedConnectionFactory factory, ConnectionManager manager, Duration refusalWait) {
        this.factory = factory;
        this.manager = manager;
        this.refusalWait = refusalWait;
    }

    /**
     * A connection from the server's pool.
     *
     * <p>When an administrator changes a pool's property, Payara re-creates the pool, and for that moment its
     * connection manager refuses every request at once ("No Pool Meta Data object associated with the pool") without
     * asking the connector. An application sending then would lose its send to an administrator's routine change, so
     * a refusal that the connector's own code did not raise is asked again, with growing pauses, for up to five
     * seconds from the call. A refusal the connector raised (a wrong secret, an unreachable host) is passed on at
     * once, and so is one that came after the server's own wait for a free connection.
     */
    /** The factory's durable outbox, when its administrator gave it one ({@code outboxDataSource}). */
    @Override
    public Optional<MailOutbox> outbox() throws ResourceException {
        return factory.outbox().map(MailOutbox.class::cast);
    }

    @Override
    public MailConnection getConnection() throws ResourceException {
        long start = System.nanoTime();
        Duration wait = refusalWait == null ? POOL_REFUSAL_WAIT : refusalWait;
        long pause = 25;
        int attempt = 1;
        while (true) {
            try {
                return (MailConnection) manager.allocateConnection(factory, null);
            } catch (ResourceException | RuntimeException refused) {
                long elapsed = System.nanoTime() - start;
                if (raisedByConnector(refused) || elapsed + pause * 1_000_000L > wait.toNanos()) {
                    throw refused;
                }
                int n = attempt++;
                LOG.fine(() -> "M365MAIL-1010 The server's pool refused a connection without asking the connector ("
                        + LogText.of(String.valueOf(refused.getMessage())) + "); asking again, attempt " + (n + 1));
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw refused;
                }
                pause = Math.min(pause * 2, 500);
            }
        }
    }

    /** Whether an exception in {@code failure}'s chain is the connector's own, or was made in its code. */
    static boolean raisedByConnector(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t.getClass().getName().startsWith(OWN_PACKAGE)) {
                return true;
            }
            StackTraceElement[] trace = t.getStackTrace();
            if (trace.length > 0 && trace[0].getClassName().startsWith(OWN_PACKAGE)) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (raisedByConnector(suppressed)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The managed connection factory behind this one (for a factory to find its pool's newer one). */
    MailManagedConnectionFactory managedConnectionFactory() {
        return factory;
    }

    /** Administration, for the console; not part of {@link MailConnectionFactory}. */
    @Override
    public FactoryAdministration administration() {
        return factory.administration();
    }

    @Override
    public void setReference(Reference reference) {
        this.reference = reference;
    }

    @Override
    public Reference getReference() {
        return reference;
    }

    @Override
    public String toString() {
        return "MailConnectionFactory[" + factory + "]";
    }
}
