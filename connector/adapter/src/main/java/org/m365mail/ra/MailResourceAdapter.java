package org.m365mail.ra;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.work.WorkManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.m365mail.delivery.ServerServices;
import org.m365mail.delivery.TransactionScope;
import org.m365mail.delivery.WorkRunner;

import javax.naming.InitialContext;
import javax.naming.NamingException;
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
    /** What the server gave in {@link #start}: its work manager and transaction registry; {@code null} before. */
    private volatile BootstrapContext context;
    /** A registry given in code, for {@link #standalone(TransactionSynchronizationRegistry)}. */
    private volatile TransactionSynchronizationRegistry ownRegistry;
    /** The server's registry, found at the first send (see {@link #registry()}). */
    private volatile TransactionSynchronizationRegistry foundRegistry;
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
     * A started adapter for use outside an application server with a JTA transaction manager of the application's own
     * (Narayana, Atomikos): a message sent inside one of its transactions goes out only once it commits.
     */
    public static MailResourceAdapter standalone(TransactionSynchronizationRegistry transactions) {
        MailResourceAdapter adapter = new MailResourceAdapter();
        adapter.standalone = true;
        adapter.ownRegistry = java.util.Objects.requireNonNull(transactions, "transactions");
        adapter.start(null);
        return adapter;
    }

    /**
     * @param context the server's: its {@code WorkManager} runs {@code sendAsync}, and its transaction synchronization
     *                registry tells the connector when a caller's transaction commits. The connector's other threads
     *                (timers, the outbox's deliveries) are its own, named {@code m365-mail-*}, and end in
     *                {@link #stop}.
     */
    @Override
    public synchronized void start(BootstrapContext context) {
        this.context = context;
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
        context = null;
        foundRegistry = null;
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

    /**
     * The server's services for sends that leave the caller's thread: its transactions (through
     * {@code BootstrapContext.getTransactionSynchronizationRegistry()}, else the standard JNDI name
     * {@code java:comp/TransactionSynchronizationRegistry}), and its work manager (else the connector's own threads).
     */
    public ServerServices serverServices() {
        TransactionScope transactions = ownRegistry == null && context == null ? TransactionScope.NONE
                : new TransactionScope(this::registry);
        return new ServerServices(transactions, new WorkRunner(this::workManager, runtime().background()));
    }

    /**
     * The transaction registry, found at the first send: the one given in code, the bootstrap context's, or the one
     * at the standard JNDI name; {@code null} once the adapter stopped.
     */
    private TransactionSynchronizationRegistry registry() {
        TransactionSynchronizationRegistry r = ownRegistry != null ? ownRegistry : foundRegistry;
        if (r != null) {
            return r;
        }
        BootstrapContext c = context;
        if (c == null) {
            return null;
        }
        try {
            r = c.getTransactionSynchronizationRegistry();
        } catch (RuntimeException | AbstractMethodError e) {
            r = null; // a Connectors 1.5 server
        }
        if (r == null) {
            r = lookUpRegistry();
        }
        foundRegistry = r;
        return r;
    }

    /**
     * The server's work manager, asked for at the first asynchronous send only: Payara makes it on demand, and one
     * made for an adapter that never runs work would only cost.
     */
    private WorkManager workManager() {
        BootstrapContext c = context;
        return c == null ? null : c.getWorkManager();
    }

    private static TransactionSynchronizationRegistry lookUpRegistry() {
        try {
            return (TransactionSynchronizationRegistry) new InitialContext()
                    .lookup("java:comp/TransactionSynchronizationRegistry");
        } catch (NamingException | ClassCastException e) {
            return null;
        }
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
