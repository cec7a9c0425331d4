package org.m365mail.ra;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.Connector;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.TransactionSupport;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import org.m365mail.runtime.ConnectorRuntime;

import javax.transaction.xa.XAResource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Microsoft 365 mail resource adapter (outbound only), and the owner of everything the connector runs while it is
 * deployed: it makes its {@link ConnectorRuntime} (threads, registries) in {@link #start} and ends it, with every
 * connection factory associated with it, in {@link #stop}. All configuration is per connection pool.
 *
 * <p>Outside an application server the same lifecycle is had with {@link #standalone()}:
 * <pre>{@code
 * try (MailResourceAdapter connector = MailResourceAdapter.standalone()) {
 *     MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
 *     mcf.setResourceAdapter(connector);
 *     // set the properties, then
 *     MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
 *     ...
 * } // every thread the connector started has ended here
 * }</pre>
 */
@Connector(
        displayName = "Microsoft 365 Mail Connector",
        description = "Sends mail through Microsoft 365 / Exchange Online with OAuth 2.0, over Microsoft Graph or "
                + "SMTP XOAUTH2",
        vendorName = "m365-mail-connector",
        eisType = "Microsoft 365 Exchange Online",
        version = "0.1.0",
        licenseRequired = false,
        transactionSupport = TransactionSupport.TransactionSupportLevel.NoTransaction,
        reauthenticationSupport = false)
public class MailResourceAdapter implements ResourceAdapter, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MailResourceAdapter.class.getName());

    /**
     * The associated factories in the order they were associated, by identity: two pools with equal settings are two
     * factories to close, and a newer one may take over an older one's pool (a credential rotation).
     */
    private final List<AutoCloseable> factories = new ArrayList<>();
    /** How many associations there have been: a factory that saw this many needs not look for a newer one again. */
    private final AtomicLong registrations = new AtomicLong();
    private volatile ConnectorRuntime runtime;
    private volatile boolean stopped;
    /** Made by {@link #standalone()}: no server calls it, and the calling thread is the application's own. */
    private volatile boolean standalone;

    /** A started adapter for use outside an application server; {@link #close()} stops it. */
    public static MailResourceAdapter standalone() {
        MailResourceAdapter adapter = new MailResourceAdapter();
        adapter.standalone = true;
        adapter.start(null);
        return adapter;
    }

    /**
     * @param context the server's; the connector needs none of its services (its threads are its own, named
     *                {@code m365-mail-*}, and end in {@link #stop})
     */
    @Override
    public synchronized void start(BootstrapContext context) {
        stopped = false;
        if (runtime == null || runtime.isClosed()) {
            runtime = new ConnectorRuntime(name());
        }
        LOG.info("M365MAIL-1001 Microsoft 365 mail connector started");
    }

    /** Closes every associated connection factory, then ends every thread and registry of the connector. */
    @Override
    public void stop() {
        List<AutoCloseable> toClose;
        synchronized (factories) {
            toClose = new ArrayList<>(factories);
            factories.clear();
        }
        for (AutoCloseable factory : toClose) {
            try {
                factory.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "M365MAIL-1008 Closing a connection factory failed", e);
            }
        }
        ConnectorRuntime r;
        synchronized (this) {
            stopped = true;
            r = runtime;
            runtime = null;
        }
        if (r != null) {
            r.close();
        }
        LOG.info("M365MAIL-1002 Microsoft 365 mail connector stopped");
        if (!standalone) {
            releaseCallingThread();
        }
    }

    /**
     * Payara and GlassFish call {@code stop()} on a pooled thread ("RA Shutdown") whose context class loader they set to
     * this RAR's and do not reset; the idle thread then keeps the undeployed RAR's class loader, and every class in
     * it, for the life of the server. Handing the thread back with the loader's parent ends that.
     */
    private static void releaseCallingThread() {
        ClassLoader own = MailResourceAdapter.class.getClassLoader();
        Thread current = Thread.currentThread();
        if (own != null && own != ClassLoader.getSystemClassLoader() && current.getContextClassLoader() == own) {
            current.setContextClassLoader(own.getParent());
        }
    }

    /** Stops the adapter (for {@link #standalone()} use). */
    @Override
    public void close() {
        stop();
    }

    /**
     * The deployment's runtime: its threads and registries. Made here if the server associates a factory before it
     * starts the adapter.
     *
     * @throws IllegalStateException once the adapter was stopped (the RAR undeployed): nothing starts again then
     */
    public synchronized ConnectorRuntime runtime() {
        if (stopped) {
            throw new IllegalStateException("The Microsoft 365 mail connector was stopped (undeployed); its connection "
                    + "factories no longer send");
        }
        if (runtime == null || runtime.isClosed()) {
            runtime = new ConnectorRuntime(name());
        }
        return runtime;
    }

    /** Tells this deployment's threads from another's (a redeployment, a second RAR) in a thread dump. */
    private String name() {
        return "ra-" + Integer.toHexString(System.identityHashCode(this));
    }

    /** Called by each managed connection factory associated with this adapter, so {@link #stop()} closes it. */
    public void register(AutoCloseable factory) {
        synchronized (factories) {
            if (factories.stream().noneMatch(f -> f == factory)) {
                factories.add(factory);
                registrations.incrementAndGet();
            }
        }
    }

    /** How many factories are associated (for tests and the console). */
    public int factoryCount() {
        synchronized (factories) {
            return factories.size();
        }
    }

    /** How many associations there have been so far; grows with each. */
    public long registrations() {
        return registrations.get();
    }

    /** The factories associated after {@code factory}, newest first. */
    public List<AutoCloseable> registeredAfter(AutoCloseable factory) {
        synchronized (factories) {
            List<AutoCloseable> newer = new ArrayList<>();
            for (int i = factories.size() - 1; i >= 0 && factories.get(i) != factory; i--) {
                newer.add(factories.get(i));
            }
            return newer;
        }
    }

    @Override
    public void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec) throws ResourceException {
        throw new NotSupportedException("The Microsoft 365 mail connector only sends mail; it has no inbound endpoints");
    }

    @Override
    public void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
        // No inbound endpoints, so nothing is ever active.
    }

    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return new XAResource[0];
    }

    // A resource adapter JavaBean must implement equals and hashCode over its configuration; it has none.
    @Override
    public boolean equals(Object other) {
        return other != null && other.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return MailResourceAdapter.class.hashCode();
    }
}
