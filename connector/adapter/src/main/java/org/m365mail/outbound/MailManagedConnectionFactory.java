package org.m365mail.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.ConnectionDefinition;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import jakarta.resource.spi.TransactionSupport;
import jakarta.resource.spi.ValidatingManagedConnectionFactory;
import jakarta.resource.NotSupportedException;
import jakarta.mail.Message;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.admin.MailboxConsent;
import org.m365mail.admin.MetricsObserver;
import org.m365mail.admin.MetricsSnapshot;
import org.m365mail.admin.PoolStatus;
import org.m365mail.admin.LastFailure;
import org.m365mail.admin.SetupReport;
import org.m365mail.admin.Setting;
import org.m365mail.admin.TokenState;
import org.m365mail.auth.AccessToken;
import org.m365mail.alert.AlertChannel;
import org.m365mail.alert.FailureAlerts;
import org.m365mail.api.MailSendException;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.config.AuthenticationMode;
import org.m365mail.config.JndiNames;
import org.m365mail.config.MailProperties;
import org.m365mail.config.MailSettings;
import org.m365mail.config.TransportKind;
import org.m365mail.monitor.FailureReason;
import org.m365mail.monitor.PoolJmx;
import org.m365mail.monitor.PoolMonitor;
import org.m365mail.ra.MailResourceAdapter;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.delivery.DeferredSends;
import org.m365mail.delivery.ServerServices;
import org.m365mail.delivery.TransactionScope;
import org.m365mail.delivery.WorkRunner;
import org.m365mail.outbox.JdbcOutbox;
import org.m365mail.transport.MailTransport;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.security.auth.Subject;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connection pool's factory of physical connections, and the home of the connector's configuration.
 *
 * <p>Every property below is what an administrator sets on the connection pool (admin console,
 * {@code asadmin create-connector-connection-pool --property}, {@code glassfish-resources.xml} or
 * {@code @ConnectionFactoryDefinition}). They are checked together by {@link MailSettings#validate} when the
 * connection factory is created. None declares a default value to the server, and none is set here: an unset property
 * takes {@link org.m365mail.config.PropertyDefaults its default} when the settings are read, so that a pool made in
 * Payara's admin console (which writes every value its form shows into the pool) does not freeze today's defaults.
 */
@ConnectionDefinition(
        connectionFactory = MailConnectionFactory.class,
        connectionFactoryImpl = MailConnectionFactoryImpl.class,
        connection = MailConnection.class,
        connectionImpl = MailConnectionHandle.class)
/*
 * The secret properties are transient: a serialized factory (the JCA contract makes it Serializable) never carries
 * them; the server sets them again from its configuration.
 */
public class MailManagedConnectionFactory implements ManagedConnectionFactory, ValidatingManagedConnectionFactory,
        ResourceAdapterAssociation, TransactionSupport, MailProperties, AutoCloseable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(MailManagedConnectionFactory.class.getName());

    @ConfigProperty(type = String.class,
            description = "How mail is sent: GRAPH (Microsoft Graph sendMail, needs Mail.Send) or SMTP (SMTP AUTH "
                    + "XOAUTH2 on port 587, needs SMTP.SendAsApp). Default: GRAPH")
    private String transport;

    @ConfigProperty(type = String.class,
            description = "Directory (tenant) ID of the Entra tenant, or its domain such as contoso.onmicrosoft.com")
    private String tenantId;

    @ConfigProperty(type = String.class, description = "Application (client) ID of the Entra app registration")
    private String clientId;

    @ConfigProperty(type = String.class, confidential = true,
            description = "Client secret Value (not its ID) of the app registration; a password alias "
                    + "${ALIAS=name} is recommended")
    private transient String clientSecret;

    // Open Liberty decodes {aes}/{xor} values only for properties whose name contains "password"; Entra itself calls a
    // client secret an application password, so this name lets Liberty keep the secret encoded at rest.
    @ConfigProperty(type = String.class, confidential = true,
            description = "The client secret under the name Entra also gives it (application password), for servers "
                    + "that decode stored values only for properties so named, such as Open Liberty with {aes}: "
                    + "set this or clientSecret, not both")
    private transient String applicationPassword;

    @ConfigProperty(type = String.class,
            description = "Certificate the app signs in with instead of clientSecret: path of a PKCS#12 (.pfx/.p12) "
                    + "or PEM file with the private key; upload its public part to the app registration")
    private String certificatePath;

    @ConfigProperty(type = String.class, confidential = true,
            description = "Password of certificatePath (PKCS#12, or an encrypted PEM key); a password alias "
                    + "${ALIAS=name} is recommended")
    private transient String certificatePassword;

    @ConfigProperty(type = String.class,
            description = "File that keeps delegated consents (refresh tokens), encrypted with tokenStoreKey; "
                    + "without it they are kept in memory and lost at restart")
    private String tokenStoreFile;

    @ConfigProperty(type = String.class,
            description = "JNDI name of a JDBC data source (e.g. jdbc/mailTokens) that keeps delegated consents, "
                    + "encrypted with tokenStoreKey, in table M365MAIL_REFRESH_TOKENS (created on first use); share it "
                    + "across a cluster. Instead of tokenStoreFile")
    private String tokenStoreDataSource;

    @ConfigProperty(type = String.class, confidential = true,
            description = "Passphrase (16+ characters) tokenStoreFile or tokenStoreDataSource entries are encrypted "
                    + "with; a password alias ${ALIAS=name} is recommended")
    private transient String tokenStoreKey;

    @ConfigProperty(type = String.class,
            description = "Where access tokens are cached: LOCAL (this server instance) or JCACHE (the server's "
                    + "JCache, e.g. Payara's Hazelcast, shared by a cluster's instances, encrypted with tokenCacheKey; "
                    + "LOCAL if the server has none). Default: LOCAL")
    private String tokenCache;

    @ConfigProperty(type = String.class, confidential = true,
            description = "Passphrase (16+ characters, the same on every instance) access tokens are encrypted with "
                    + "in the cluster's shared cache; required with tokenCache JCACHE; a password alias ${ALIAS=name} "
                    + "is recommended")
    private transient String tokenCacheKey;

    @ConfigProperty(type = String.class,
            description = "DELEGATED: where Entra sends the browser back after the mailbox's user consents: the "
                    + "console's consent callback, e.g. https://admin.contoso.com/m365-mail-console/consent/callback; "
                    + "register the same address on the app registration (Authentication, platform Web)")
    private String consentRedirectUri;

    @ConfigProperty(type = String.class,
            description = "Microsoft 365 cloud: GLOBAL, US_GOV (GCC High), US_GOV_DOD or CHINA (21Vianet); sets the "
                    + "sign-in, Graph and SMTP hosts. Default: GLOBAL")
    private String cloud;

    @ConfigProperty(type = String.class,
            description = "Entra sign-in host, if not the cloud's (https://login.microsoftonline.com for GLOBAL); for a "
                    + "test stand-in")
    private String authorityUrl;

    @ConfigProperty(type = String.class,
            description = "Microsoft Graph host, if not the cloud's (https://graph.microsoft.com for GLOBAL); for a test "
                    + "stand-in")
    private String graphUrl;

    @ConfigProperty(type = String.class,
            description = "Mailbox that sends (user or shared mailbox), e.g. notifications@contoso.com")
    private String fromAddress;

    @ConfigProperty(type = String.class, description = "Display name of the sender, e.g. Contoso Notifications")
    private String fromName;

    @ConfigProperty(type = String.class,
            description = "SMTP submission host (transport SMTP), if not the cloud's (smtp.office365.com for GLOBAL)")
    private String smtpHost;

    @ConfigProperty(type = Integer.class,
            description = "SMTP submission port, STARTTLS (transport SMTP). Default: 587")
    private Integer smtpPort;

    @ConfigProperty(type = String.class,
            description = "Extra trusted certificates (PKCS#12 or JKS file path) for a TLS-inspecting proxy or a test "
                    + "stand-in; the JVM's trusted certificates are always used too")
    private String trustStorePath;

    @ConfigProperty(type = String.class, confidential = true, description = "Password of trustStorePath")
    private transient String trustStorePassword;

    @ConfigProperty(type = String.class,
            description = "CLIENT_CREDENTIALS (app-only token), DELEGATED (a user's consented token), "
                    + "MANAGED_IDENTITY (the Azure resource's managed identity; clientId picks a user-assigned one) or "
                    + "PASSWORD (SMTP basic authentication with username/password, being retired by Microsoft). "
                    + "Default: CLIENT_CREDENTIALS")
    private String authentication;

    @ConfigProperty(type = String.class,
            description = "Identity that signs in on SMTP, if not fromAddress (then fromAddress is sent on behalf of, "
                    + "which needs Send on Behalf or Send As)")
    private String username;

    @ConfigProperty(type = String.class, confidential = true,
            description = "Password of username, for authentication PASSWORD; a password alias ${ALIAS=name} is "
                    + "recommended")
    private transient String password;

    @ConfigProperty(type = String.class,
            description = "SMTP protection: STARTTLS (default, port 587), IMPLICIT (port 465), or "
                    + "PLAINTEXT_LOOPBACK_ONLY (test servers on this machine only)")
    private String smtpTls;

    @ConfigProperty(type = Integer.class,
            description = "Messages sent at once per mailbox over SMTP from this server; Exchange Online allows 3 "
                    + "(0: no limit, for other SMTP servers). Default: 3")
    private Integer smtpMaxConcurrentSends;

    @ConfigProperty(type = Integer.class,
            description = "Messages per minute per mailbox, over Graph and SMTP alike; more wait rather than fail "
                    + "(Exchange Online: 30; 0: no pace). Default: 30")
    private Integer messagesPerMinute;

    @ConfigProperty(type = Integer.class,
            description = "Recipients (To, Cc, Bcc) per message, over Graph and SMTP alike; more are refused before "
                    + "sending (Exchange Online allows 500). Default: 500")
    private Integer maxRecipientsPerMessage;

    @ConfigProperty(type = Long.class,
            description = "Largest message in bytes after encoding, over Graph and SMTP alike; larger are refused "
                    + "before sending (Exchange Online's default MaxSendSize is 35 MB). Default: 36700160")
    private Long maxMessageBytes;

    @ConfigProperty(type = Boolean.class,
            description = "Whether Graph keeps a copy of each sent message in the mailbox's Sent Items. Default: true")
    private Boolean saveToSentItems;

    @ConfigProperty(type = String.class,
            description = "Other addresses, comma-separated, an application may set as a message's From or Sender "
                    + "(shared mailboxes it may send as), over Graph and SMTP alike; fromAddress is always allowed; "
                    + "any other From is refused before sending")
    private String allowedFromAddresses;

    @ConfigProperty(type = Integer.class,
            description = "Graph requests at once per mailbox from this server; Graph allows 4 (0: no limit). "
                    + "Default: 4")
    private Integer graphMaxConcurrentRequests;

    @ConfigProperty(type = Integer.class,
            description = "Longest time a send may take, retries after throttling or faults included, before it "
                    + "fails. Default: 120")
    private Integer sendTimeoutSeconds;

    @ConfigProperty(type = String.class, confidential = true,
            description = "HTTP proxy for Entra and Graph: host:port, or user:password@host:port")
    private transient String httpProxy;

    @ConfigProperty(type = Integer.class,
            description = "Connection timeout in milliseconds. Default: 10000")
    private Integer connectTimeoutMillis;

    @ConfigProperty(type = Integer.class,
            description = "How long to wait for an answer, in milliseconds. Default: 60000")
    private Integer readTimeoutMillis;

    @ConfigProperty(type = String.class,
            description = "When clientSecret expires, from the Expires column of Certificates and secrets (yyyy-MM-dd); "
                    + "the console, the log and the alert address are told expiryWarningDays before")
    private String clientSecretExpires;

    @ConfigProperty(type = String.class,
            description = "Who is told, comma-separated, when mail fails (authentication, connectivity, messages "
                    + "refused), when the pool works again, and when a secret or certificate nears expiry; unset: the "
                    + "server's log only")
    private String alertAddress;

    @ConfigProperty(type = Integer.class,
            description = "At most one alert per kind of failure in this many minutes. Default: 60")
    private Integer alertIntervalMinutes;

    @ConfigProperty(type = String.class,
            description = "JNDI name of another connection factory of this connector (e.g. mail/Alerts) that sends "
                    + "alerts when this one cannot; unset: such alerts go to the server's log at SEVERE")
    private String alertFallbackFactory;

    @ConfigProperty(type = Integer.class,
            description = "Seconds sends may keep failing (no connection, throttled to the end) before the pool's "
                    + "readiness check reports DOWN; credentials Entra refuses are DOWN at once. Default: 120")
    private Integer unhealthyAfterSeconds;

    @ConfigProperty(type = Integer.class,
            description = "Days before a client secret (clientSecretExpires) or certificate expires that the "
                    + "console, the log and the alert address are told. Default: 30")
    private Integer expiryWarningDays;

    @ConfigProperty(type = String.class,
            description = "Whether messagesPerMinute, smtpMaxConcurrentSends and graphMaxConcurrentRequests count this "
                    + "server's sends only (INSTANCE) or those of every cluster instance sending from the mailbox, "
                    + "through the server's data grid (CLUSTER: JCache, Payara's Hazelcast). Default: INSTANCE")
    private String limitsScope;

    @ConfigProperty(type = String.class,
            description = "What send() does inside a JTA transaction: AFTER_COMMIT (sent once the transaction commits, not at all "
                    + "if it rolls back) or IMMEDIATE (sent at once, even if the transaction later rolls back). "
                    + "Default: AFTER_COMMIT")
    private String transactionalSend;

    @ConfigProperty(type = Integer.class,
            description = "Messages that may wait at once for a later send (sendAsync, after a commit); beyond it a caller waits "
                    + "pendingSendsWaitMillis, then is refused. Default: 1000")
    private Integer pendingSendsLimit;

    @ConfigProperty(type = Integer.class,
            description = "How long a caller waits for room when pendingSendsLimit messages are waiting, in milliseconds. "
                    + "Default: 10000")
    private Integer pendingSendsWaitMillis;

    @ConfigProperty(type = String.class,
            description = "JNDI name of a JDBC resource (e.g. jdbc/mailOutbox) for a durable outbox: a message sent in a "
                    + "transaction is written to table M365MAIL_OUTBOX in that transaction and delivered after the commit, "
                    + "with retries, across restarts and cluster instances; unset: no outbox")
    private String outboxDataSource;

    @ConfigProperty(type = Integer.class,
            description = "Threads of each instance that deliver from the outbox (Graph allows 4 requests at once per mailbox, "
                    + "Exchange 3 SMTP connections). Default: 4")
    private Integer outboxDeliveryThreads;

    @ConfigProperty(type = Integer.class,
            description = "Hours a message in the outbox is retried after failures that may pass (no connection, throttling, "
                    + "refused credentials) before it is marked FAILED and reported. Default: 24")
    private Integer outboxRetryHours;

    @ConfigProperty(type = Integer.class,
            description = "Hours delivered messages stay in the outbox table (for counts, and so a message id is not taken "
                    + "twice) before they are removed. Default: 72")
    private Integer outboxKeepDeliveredHours;

    @ConfigProperty(type = String.class,
            description = "What happens to an outbox message whose send may have reached Microsoft 365 but whose answer never "
                    + "came (an instance stopped mid-send): HOLD (kept as IN_DOUBT and reported, never sent twice) or "
                    + "RESEND (sent again; it may arrive twice). Default: HOLD")
    private String outboxInDoubt;

    private transient PrintWriter logWriter;
    private transient ResourceAdapter resourceAdapter;
    /** Whether the outbox's delivery was started when the server made a connection factory. */
    private transient volatile boolean outboxStarted;
    /** A data source for the outbox given in code ({@link #useOutbox}); {@code null} in a server. */
    private transient volatile javax.sql.DataSource outboxSource;
    private transient volatile MailSettings settings;
    private transient volatile FactoryServices services;
    private transient volatile StandaloneConnectionManager standaloneManager;
    /** The runtime this factory made for itself, used outside a resource adapter; closed with the factory. */
    private transient volatile ConnectorRuntime ownRuntime;
    /** Whether {@link #close()} ended the factory (until it is used again): its alerts then do not reopen it. */
    private transient volatile boolean closed;
    /** The pool's monitor, shared with the factories before and after a credential rotation. */
    private transient volatile PoolMonitor monitor;
    /** How many associations of the resource adapter were looked through for a successor; -1: none yet. */
    private transient volatile long lineageSeen = -1;
    /** The factory the server made for this one's pool since (its settings changed), or {@code null}. */
    private transient volatile MailManagedConnectionFactory successor;
    /** The names the server bound this factory's connection factories under, as its connection managers say. */
    private transient volatile Set<String> boundNames;
    /** How a bound name is looked up: the server's naming, or a test's stand-in; {@code null} for the former. */
    private transient volatile Naming naming;

    /** A lookup of a name the server gave; its own type so that tests can stand in for the server's naming. */
    interface Naming {
        Object lookup(String name) throws NamingException;
    }

    /**
     * A connection factory for applications, served by the application server's pool.
     *
     * @throws ResourceException if the configuration is invalid; the message names every property to fix
     */
    @Override
    public Object createConnectionFactory(ConnectionManager manager) throws ResourceException {
        MailSettings checked = settings();
        boundName(manager).filter(JndiNames::isServers).ifPresent(name -> boundNames().add(name));
        LOG.fine(() -> "M365MAIL-1003 Connection factory created: " + checked);
        if (checked.delivery().outboxDataSource() != null && startOutboxOnce()) {
            // The outbox delivers from now on: what a stop or crash left in it goes out without waiting for a send.
            // Off this thread: the server may be making this factory inside a lookup of its own name, which wiring
            // would repeat (it looks the name up to find a newer factory of the pool).
            try {
                runtime().background().execute(() -> {
                    try {
                        services();
                    } catch (ResourceException | RuntimeException e) {
                        LOG.log(Level.FINE, "M365MAIL-1011 The outbox could not start delivering yet; it starts with "
                                + "the first send", e);
                    }
                });
            } catch (RuntimeException stopped) {
                outboxStarted = false;
            }
        }
        return new MailConnectionFactoryImpl(this, manager);
    }

    private synchronized boolean startOutboxOnce() {
        if (outboxStarted) {
            return false;
        }
        outboxStarted = true;
        return true;
    }

    /**
     * A connection factory that works outside an application server, with the connector's own pool.
     */
    @Override
    public Object createConnectionFactory() throws ResourceException {
        settings();
        StandaloneConnectionManager manager = standaloneManager;
        if (manager == null) {
            synchronized (this) {
                if (standaloneManager == null) {
                    standaloneManager = new StandaloneConnectionManager();
                }
                manager = standaloneManager;
            }
        }
        return new MailConnectionFactoryImpl(this, manager);
    }

    /**
     * A pooled connection, ready to send: its credentials checked (a token with the permission the transport needs,
     * from the configured tenant) and, for SMTP, its connection open and signed in. This is what the server's Ping
     * ({@code asadmin ping-connection-pool}, the admin console's Ping) runs, so a failure names what to fix.
     *
     * @throws ResourceException naming the setting or the Entra or Exchange step to fix
     */
    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info)
            throws ResourceException {
        FactoryServices wired = services();
        MailManagedConnection connection = null;
        try {
            wired.checkCredentials();
            connection = new MailManagedConnection(this);
            connection.open();
            return connection;
        } catch (ResourceException | RuntimeException e) {
            if (connection != null) {
                connection.destroy();
            }
            if (e instanceof MailSendException failure) {
                // An application asking for a connection is about to send: count it as a send that failed.
                monitor().failed(failure);
            }
            throw e;
        }
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ManagedConnection matchManagedConnections(Set candidates, Subject subject, ConnectionRequestInfo info) {
        for (Object candidate : candidates) {
            if (candidate instanceof MailManagedConnection mc && mc.factory().current() == current()
                    && mc.isUsable()) {
                return mc;
            }
        }
        return null;
    }

    /**
     * The connections of {@code connections} that can no longer send (their SMTP connection broke, or the pool
     * aborted them), for the pool's connection validation; asks no server.
     */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Set getInvalidConnections(Set connections) {
        Set invalid = new HashSet<>();
        for (Object candidate : connections) {
            if (candidate instanceof MailManagedConnection mc && !mc.isUsable()) {
                invalid.add(mc);
            }
        }
        return invalid;
    }

    /**
     * The validated configuration; computed once.
     *
     * @throws ResourceException naming every property to fix
     */
    public MailSettings settings() throws ResourceException {
        MailSettings s = settings;
        if (s == null) {
            s = MailSettings.validate(this);
            settings = s;
        }
        return s;
    }

    /**
     * What the pool's settings are wired into, made on first use: this factory's, or, once a newer factory took over
     * the pool with rotated credentials, that one's.
     */
    FactoryServices services() throws ResourceException {
        MailManagedConnectionFactory current = current();
        if (current != this) {
            return current.services();
        }
        FactoryServices s = services;
        if (s == null) {
            synchronized (this) {
                if (services == null) {
                    try {
                        MailSettings checked = settings();
                        closed = false;
                        ConnectorRuntime r = runtime();
                        services = new FactoryServices(checked, r, monitor(), serverServices(r),
                                outboxSource);
                        LOG.info(() -> "M365MAIL-1005 Connection factory configured: " + describe(checked) + "; "
                                + checked);
                    } catch (IllegalStateException stopped) {
                        throw new ResourceException(stopped.getMessage(), stopped);
                    }
                }
                s = services;
            }
        }
        return s;
    }

    /**
     * The factory that speaks for this one's pool now: this one, or the one the server made for the pool since, with
     * valid settings.
     *
     * <p>That is how a rotation reaches running applications: when an administrator changes a pool's property (a new
     * {@code clientSecret}), Payara makes a new factory for the pool, while an application that got its connection
     * factory by {@code @Resource} keeps the old one, and the server's pool asks the old one for new connections. So
     * when the server has associated another factory since, this one looks up the name it is bound under (as the
     * server told it, never a name from a request) and, if the server now answers with another factory, hands every
     * new connection, send and token to that one.
     */
    MailManagedConnectionFactory current() {
        MailManagedConnectionFactory s = successor;
        if (s != null) {
            return s.current();
        }
        if (resourceAdapter instanceof MailResourceAdapter adapter && !boundNames().isEmpty()) {
            long seen = adapter.registrations();
            if (seen != lineageSeen) {
                findSuccessor(adapter, seen);
            }
        }
        s = successor;
        return s == null ? this : s.current();
    }

    private synchronized void findSuccessor(MailResourceAdapter adapter, long seen) {
        if (seen == lineageSeen || successor != null) {
            return;
        }
        if (adapter.registeredAfter(this).stream().noneMatch(MailManagedConnectionFactory.class::isInstance)) {
            lineageSeen = seen;
            return;
        }
        Naming lookup = naming == null ? name -> new InitialContext().lookup(name) : naming;
        for (String name : boundNames()) {
            Object bound;
            try {
                bound = lookup.lookup(name);
            } catch (NamingException | RuntimeException e) {
                // Not resolvable here (an application's java:app name from another thread): asked again next time.
                continue;
            }
            lineageSeen = seen;
            if (bound instanceof MailConnectionFactoryImpl impl && impl.managedConnectionFactory() != this
                    && impl.managedConnectionFactory().isValid()) {
                handOver(impl.managedConnectionFactory(), name);
            }
            return;
        }
    }

    /** Lets {@code newer} serve this factory's pool from now on, and ends what this one had wired. */
    private void handOver(MailManagedConnectionFactory newer, String name) {
        successor = newer;
        List<String> changed = new ArrayList<>();
        Map<String, Object> before = named();
        Map<String, Object> after = newer.named();
        before.forEach((property, value) -> {
            if (!Objects.equals(value, after.get(property))) {
                changed.add(property);
            }
        });
        LOG.info(() -> "M365MAIL-1006 The pool bound as " + name + " was changed (" + (changed.isEmpty()
                ? "no property" : String.join(", ", changed)) + "): applications that hold its connection factory "
                + "send with the new settings from their next connection, and its next token is asked for with them");
        FactoryServices old = services;
        services = null;
        if (old != null) {
            old.close();
        }
    }

    private boolean isValid() {
        try {
            settings();
            return true;
        } catch (ResourceException e) {
            return false;
        }
    }

    /**
     * The pool's monitor: made on first use in the deployment's runtime, under the pool's name, so the factories
     * before and after a rotation share it (and its counts, readiness and alert intervals).
     */
    PoolMonitor monitor() throws ResourceException {
        PoolMonitor m = monitor;
        if (m == null) {
            synchronized (this) {
                if (monitor == null) {
                    MailSettings checked = settings();
                    ConnectorRuntime r;
                    try {
                        r = runtime();
                        String key = monitorKey();
                        monitor = r.shared(List.of("pool-monitor", key), () -> newMonitor(checked, r, key));
                    } catch (IllegalStateException stopped) {
                        throw new ResourceException(stopped.getMessage(), stopped);
                    }
                }
                m = monitor;
            }
        }
        return m;
    }

    /**
     * What tells this pool's monitor from another's: the name the server bound the pool under (so that two pools with
     * the same settings have monitors of their own, and the factory made after a rotation finds its pool's), or,
     * outside a server, a digest of the settings but the credentials.
     */
    private String monitorKey() {
        String name = boundNames().stream().map(n -> n.replaceAll("__(pm|nontx)$", "")).sorted().findFirst()
                .orElse(null);
        return digest(name == null ? rotationIdentity() : List.of("bound", name));
    }

    private PoolMonitor newMonitor(MailSettings checked, ConnectorRuntime r, String key) {
        Clock clock = Clock.systemUTC();
        PoolMonitor made = new PoolMonitor(describe(checked), checked.operations().unhealthyAfter(), clock);
        // Alerts go out one after another on a thread of their own: never the caller's (it may be wiring the pool).
        ExecutorService alerts = r.shared("alerts", () -> r.singleThread("alerts"));
        made.addObserver(new FailureAlerts(made::description, checked.operations(), alertChannel(), alerts,
                clock));
        r.shared(List.of("pool-jmx", key), () -> {
            PoolJmx jmx = PoolJmx.register(made, checked.fromAddress().getAddress() + " " + checked.transport(),
                    r.name(), key.substring(0, 12));
            return jmx == null ? (AutoCloseable) () -> { } : jmx;
        });
        return made;
    }

    /** How the pool sends its own alerts: through whichever factory serves it now. */
    private AlertChannel alertChannel() {
        return new AlertChannel() {
            @Override
            public void sendThroughPool(Message message) throws MailSendException {
                // A pool that was closed (undeployed, its factory ended) is not reopened for an alert. One being wired
                // (an expiry notice at its start) is waited for: the alerts' own thread is never the wiring one.
                MailManagedConnectionFactory current = current();
                if (current.closed) {
                    throw new MailSendException("the pool is closed");
                }
                try {
                    current.services().sendDirect(message);
                } catch (MailSendException e) {
                    throw e;
                } catch (ResourceException e) {
                    throw new MailSendException(e.getMessage(), e);
                }
            }

            @Override
            public List<String> secrets() {
                try {
                    return FactoryServices.secrets(current().settings());
                } catch (ResourceException e) {
                    return List.of();
                }
            }
        };
    }

    /** What the pool is, for people: the mailbox, how it sends, and the app registration; no secret. */
    static String describe(MailSettings s) {
        String how = s.transport() == TransportKind.GRAPH ? "Microsoft Graph"
                : "SMTP " + s.smtpHost() + ":" + s.smtpPort()
                + (s.username().equalsIgnoreCase(s.fromAddress().getAddress()) ? "" : " signed in as " + s.username());
        return s.fromAddress().getAddress() + " over " + how + " (" + s.authentication() + ", tenant " + s.tenantId()
                + (s.clientId() == null ? "" : ", client " + s.clientId()) + ")";
    }

    private static String digest(List<?> values) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Object v : values) {
                sha.update(String.valueOf(v).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the factory holds wired services (a transport, timers) now; for tests of its lifecycle. */
    boolean isWired() {
        return services != null;
    }

    /** The transport all connections of this factory share. */
    MailTransport transport() throws ResourceException {
        return services().transport();
    }

    /** The server's transactions and work manager, through the resource adapter; none outside one. */
    private ServerServices serverServices(ConnectorRuntime r) {
        if (resourceAdapter instanceof MailResourceAdapter adapter) {
            return adapter.serverServices();
        }
        return new ServerServices(TransactionScope.NONE, WorkRunner.own(r.background()));
    }

    /**
     * Gives the factory a data source for its outbox in code, for use without an application server (where
     * {@code outboxDataSource} names a JNDI resource instead). Messages are then written with
     * {@link org.m365mail.api.MailOutbox#enqueue} in the application's own JDBC transaction, and delivered by the
     * factory's threads.
     */
    public synchronized void useOutbox(javax.sql.DataSource dataSource) {
        this.outboxSource = java.util.Objects.requireNonNull(dataSource, "dataSource");
        settings = null;
    }

    /** The factory's sends that leave the caller's thread. */
    DeferredSends deferred() throws ResourceException {
        return services().deferred();
    }

    /** The factory's outbox, when it has one. */
    Optional<JdbcOutbox> outbox() throws ResourceException {
        return services().outbox();
    }

    /**
     * The deployment's runtime (threads, shared registries): the resource adapter's, or, outside one, this factory's
     * own, closed with it.
     */
    private synchronized ConnectorRuntime runtime() {
        if (resourceAdapter instanceof MailResourceAdapter adapter) {
            return adapter.runtime();
        }
        if (ownRuntime == null || ownRuntime.isClosed()) {
            ownRuntime = new ConnectorRuntime("standalone-" + Integer.toHexString(System.identityHashCode(this)));
        }
        return ownRuntime;
    }

    /**
     * The delegated consent of this factory ({@code authentication=DELEGATED}); administration, for the console.
     *
     * @throws ResourceException if the factory authenticates otherwise
     */
    MailboxConsent consent() throws ResourceException {
        MailSettings checked = settings();
        if (checked.authentication() != AuthenticationMode.DELEGATED) {
            throw new NotSupportedException("This connection factory uses authentication "
                    + checked.authentication() + "; a mailbox consent exists only with authentication DELEGATED");
        }
        return services().consent();
    }

    /** What the console may see and do with this factory beyond sending. */
    FactoryAdministration administration() {
        return new FactoryAdministration() {
            @Override
            public String transport() throws ResourceException {
                return settings().transport().name();
            }

            @Override
            public String authentication() throws ResourceException {
                return settings().authentication().name();
            }

            @Override
            public String fromAddress() throws ResourceException {
                return settings().fromAddress().getAddress();
            }

            @Override
            public Optional<MailboxConsent> consent() throws ResourceException {
                return settings().authentication() == AuthenticationMode.DELEGATED
                        ? Optional.of(MailManagedConnectionFactory.this.consent()) : Optional.empty();
            }

            @Override
            public PoolStatus status() throws ResourceException {
                return monitor().status();
            }

            @Override
            public PoolStatus check() throws ResourceException {
                return MailManagedConnectionFactory.this.check();
            }

            @Override
            public MetricsSnapshot metrics() throws ResourceException {
                return monitor().metrics().snapshot();
            }

            @Override
            public List<Setting> configuration() {
                return PoolConfiguration.of(MailManagedConnectionFactory.this);
            }

            @Override
            public TokenState token() throws ResourceException {
                // Looking does not wire an unused factory (its timers, its HTTP client): no services, no token.
                FactoryServices wired = current().services;
                Optional<AccessToken> held = wired == null ? Optional.empty() : wired.heldToken();
                MetricsSnapshot counts = monitor().metrics().snapshot();
                return new TokenState(held.isPresent(), held.map(AccessToken::acquiredAt).orElse(null),
                        held.map(AccessToken::expiresAt).orElse(null), counts.tokenRequests(),
                        counts.tokenRefreshes());
            }

            @Override
            public Optional<LastFailure> lastFailure() throws ResourceException {
                return Optional.ofNullable(monitor().lastFailure());
            }

            @Override
            public List<String> alertAddresses() throws ResourceException {
                return settings().operations().alertAddresses().stream().map(a -> a.getAddress()).toList();
            }

            @Override
            public Optional<String> adviceFor(Throwable failure) {
                for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
                    if (t instanceof MailSendException mse) {
                        String fix = FailureReason.of(mse).fix();
                        return fix.isBlank() ? Optional.empty() : Optional.of(fix);
                    }
                }
                return Optional.empty();
            }

            @Override
            public SetupReport checkSetup() throws ResourceException {
                return services().checkSetup();
            }

            @Override
            public AutoCloseable observe(String name, MetricsObserver observer) throws ResourceException {
                PoolMonitor m = monitor();
                m.knownAs(name);
                return m.observe(observer);
            }
        };
    }

    /**
     * The pool's readiness: its credentials checked when they were not in the last 10 seconds (a cached token costs
     * nothing, a refused one is asked again at most that often), then what happened to its sends.
     */
    PoolStatus check() throws ResourceException {
        PoolMonitor m = monitor();
        if (m.probeDue()) {
            FactoryServices wired;
            try {
                wired = services();
            } catch (ResourceException e) {
                m.setupFailed(e instanceof MailSendException mse ? mse : new MailSendException(e.getMessage(), e));
                return m.status();
            }
            try {
                wired.checkCredentials();
            } catch (ResourceException e) {
                // The token source or the setup check told the monitor why.
                LOG.fine(() -> "M365MAIL-6008 Readiness check of " + m.description() + " failed: " + e.getMessage());
            }
        }
        return m.status();
    }

    /**
     * Releases what the factory holds (the standalone pool, the transport, its timers) and, outside a resource
     * adapter, the runtime it made; called when the resource adapter stops.
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (standaloneManager != null) {
            standaloneManager.close();
            standaloneManager = null;
        }
        if (services != null) {
            services.close();
            services = null;
        }
        if (ownRuntime != null) {
            ownRuntime.close();
            ownRuntime = null;
        }
    }

    /** Every property's value, for equality: two factories with the same configuration are equal. */
    private List<Object> properties() {
        return new ArrayList<>(named().values());
    }

    /** Every property by name, in a fixed order. */
    private Map<String, Object> named() {
        Map<String, Object> all = new LinkedHashMap<>();
        Object[] pairs = {"transport", transport, "tenantId", tenantId, "clientId", clientId, "clientSecret",
            clientSecret, "applicationPassword", applicationPassword, "clientSecretExpires", clientSecretExpires, "certificatePath", certificatePath,
            "certificatePassword", certificatePassword, "authentication", authentication, "username", username,
            "password", password, "cloud", cloud, "authorityUrl", authorityUrl, "graphUrl", graphUrl, "fromAddress",
            fromAddress, "fromName", fromName, "allowedFromAddresses", allowedFromAddresses, "smtpHost", smtpHost,
            "smtpPort", smtpPort, "smtpTls", smtpTls, "trustStorePath", trustStorePath, "trustStorePassword",
            trustStorePassword, "smtpMaxConcurrentSends", smtpMaxConcurrentSends, "messagesPerMinute",
            messagesPerMinute, "maxRecipientsPerMessage", maxRecipientsPerMessage, "maxMessageBytes", maxMessageBytes,
            "saveToSentItems", saveToSentItems, "graphMaxConcurrentRequests", graphMaxConcurrentRequests,
            "sendTimeoutSeconds", sendTimeoutSeconds, "httpProxy", httpProxy, "connectTimeoutMillis",
            connectTimeoutMillis, "readTimeoutMillis", readTimeoutMillis, "tokenStoreFile", tokenStoreFile,
            "tokenStoreKey", tokenStoreKey, "tokenStoreDataSource", tokenStoreDataSource, "tokenCache", tokenCache,
            "tokenCacheKey", tokenCacheKey, "consentRedirectUri", consentRedirectUri, "alertAddress", alertAddress,
            "alertIntervalMinutes", alertIntervalMinutes, "alertFallbackFactory", alertFallbackFactory,
            "unhealthyAfterSeconds", unhealthyAfterSeconds, "expiryWarningDays", expiryWarningDays,
            "limitsScope", limitsScope, "transactionalSend", transactionalSend, "pendingSendsLimit",
            pendingSendsLimit, "pendingSendsWaitMillis", pendingSendsWaitMillis, "outboxDataSource", outboxDataSource, "outboxDeliveryThreads",
            outboxDeliveryThreads, "outboxRetryHours", outboxRetryHours, "outboxKeepDeliveredHours",
            outboxKeepDeliveredHours, "outboxInDoubt", outboxInDoubt};
        for (int i = 0; i < pairs.length; i += 2) {
            all.put((String) pairs[i], pairs[i + 1]);
        }
        return all;
    }

    /**
     * Every property but the credentials: what stays the same when an administrator rotates a secret or certificate,
     * so that, outside a server, the pool's monitor carries on across a rotation.
     */
    private List<Object> rotationIdentity() {
        Map<String, Object> all = named();
        for (String credential : List.of("clientSecret", "applicationPassword", "clientSecretExpires", "certificatePath",
                "certificatePassword", "password")) {
            all.remove(credential);
        }
        return new ArrayList<>(all.values());
    }

    /**
     * The name the server bound a connection factory under, as its connection manager says (Payara's and
     * GlassFish's have {@code getJndiName()}); empty elsewhere, and then no rotation is handed over.
     */
    private static Optional<String> boundName(ConnectionManager manager) {
        try {
            Object name = manager.getClass().getMethod("getJndiName").invoke(manager);
            return name == null || name.toString().isBlank() ? Optional.empty() : Optional.of(name.toString());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** For tests outside a server: the name this factory is bound under, and how that name is looked up. */
    void boundAs(String name, Naming lookup) {
        boundNames().add(name);
        naming = lookup;
    }

    private Set<String> boundNames() {
        Set<String> names = boundNames;
        if (names == null) {
            synchronized (this) {
                if (boundNames == null) {
                    boundNames = ConcurrentHashMap.newKeySet();
                }
                names = boundNames;
            }
        }
        return names;
    }

    @Override
    public TransactionSupportLevel getTransactionSupport() {
        // Declared here, not only on @Connector: Payara pools made by asadmin or glassfish-resources.xml read it from
        // the factory and otherwise try to enlist a local transaction inside EJB transactions.
        return TransactionSupportLevel.NoTransaction;
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter adapter) {
        this.resourceAdapter = adapter;
        if (adapter instanceof MailResourceAdapter mail) {
            mail.register(this);
        }
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    // Properties. A setter clears the validated settings: the server sets properties before first use.

    public String getTransport() {
        return transport;
    }

    public void setTransport(String transport) {
        this.transport = transport;
        settings = null;
    }

    public String getTenantId() {
        return tenantId;
    }

    public void setTenantId(String tenantId) {
        this.tenantId = tenantId;
        settings = null;
    }

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
        settings = null;
    }

    public String getClientSecret() {
        return clientSecret;
    }

    public void setClientSecret(String clientSecret) {
        this.clientSecret = clientSecret;
        settings = null;
    }

    public String getAuthorityUrl() {
        return authorityUrl;
    }

    public void setAuthorityUrl(String authorityUrl) {
        this.authorityUrl = authorityUrl;
        settings = null;
    }

    public String getGraphUrl() {
        return graphUrl;
    }

    public void setGraphUrl(String graphUrl) {
        this.graphUrl = graphUrl;
        settings = null;
    }

    public String getFromAddress() {
        return fromAddress;
    }

    public void setFromAddress(String fromAddress) {
        this.fromAddress = fromAddress;
        settings = null;
    }

    public String getFromName() {
        return fromName;
    }

    public void setFromName(String fromName) {
        this.fromName = fromName;
        settings = null;
    }

    public String getSmtpHost() {
        return smtpHost;
    }

    public void setSmtpHost(String smtpHost) {
        this.smtpHost = smtpHost;
        settings = null;
    }

    public Integer getSmtpPort() {
        return smtpPort;
    }

    public void setSmtpPort(Integer smtpPort) {
        this.smtpPort = smtpPort;
        settings = null;
    }

    public String getTrustStorePath() {
        return trustStorePath;
    }

    public void setTrustStorePath(String trustStorePath) {
        this.trustStorePath = trustStorePath;
        settings = null;
    }

    public String getTrustStorePassword() {
        return trustStorePassword;
    }

    public void setTrustStorePassword(String trustStorePassword) {
        this.trustStorePassword = trustStorePassword;
        settings = null;
    }

    public String getAuthentication() {
        return authentication;
    }

    public void setAuthentication(String authentication) {
        this.authentication = authentication;
        settings = null;
    }

    public String getUsername() {
        return username;
    }

    public void setUsername(String username) {
        this.username = username;
        settings = null;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
        settings = null;
    }

    public String getSmtpTls() {
        return smtpTls;
    }

    public void setSmtpTls(String smtpTls) {
        this.smtpTls = smtpTls;
        settings = null;
    }

    public Integer getSmtpMaxConcurrentSends() {
        return smtpMaxConcurrentSends;
    }

    public void setSmtpMaxConcurrentSends(Integer smtpMaxConcurrentSends) {
        this.smtpMaxConcurrentSends = smtpMaxConcurrentSends;
        settings = null;
    }

    public Integer getMessagesPerMinute() {
        return messagesPerMinute;
    }

    public void setMessagesPerMinute(Integer messagesPerMinute) {
        this.messagesPerMinute = messagesPerMinute;
        settings = null;
    }

    public Integer getMaxRecipientsPerMessage() {
        return maxRecipientsPerMessage;
    }

    public void setMaxRecipientsPerMessage(Integer maxRecipientsPerMessage) {
        this.maxRecipientsPerMessage = maxRecipientsPerMessage;
        settings = null;
    }

    public Long getMaxMessageBytes() {
        return maxMessageBytes;
    }

    public void setMaxMessageBytes(Long maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
        settings = null;
    }

    public String getCloud() {
        return cloud;
    }

    public void setCloud(String cloud) {
        this.cloud = cloud;
        settings = null;
    }

    public Boolean getSaveToSentItems() {
        return saveToSentItems;
    }

    public void setSaveToSentItems(Boolean saveToSentItems) {
        this.saveToSentItems = saveToSentItems;
        settings = null;
    }

    public String getAllowedFromAddresses() {
        return allowedFromAddresses;
    }

    public void setAllowedFromAddresses(String allowedFromAddresses) {
        this.allowedFromAddresses = allowedFromAddresses;
        settings = null;
    }

    public Integer getGraphMaxConcurrentRequests() {
        return graphMaxConcurrentRequests;
    }

    public void setGraphMaxConcurrentRequests(Integer graphMaxConcurrentRequests) {
        this.graphMaxConcurrentRequests = graphMaxConcurrentRequests;
        settings = null;
    }

    public Integer getSendTimeoutSeconds() {
        return sendTimeoutSeconds;
    }

    public void setSendTimeoutSeconds(Integer sendTimeoutSeconds) {
        this.sendTimeoutSeconds = sendTimeoutSeconds;
        settings = null;
    }

    public String getHttpProxy() {
        return httpProxy;
    }

    public void setHttpProxy(String httpProxy) {
        this.httpProxy = httpProxy;
        settings = null;
    }

    public Integer getConnectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    public void setConnectTimeoutMillis(Integer connectTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
        settings = null;
    }

    public Integer getReadTimeoutMillis() {
        return readTimeoutMillis;
    }

    public void setReadTimeoutMillis(Integer readTimeoutMillis) {
        this.readTimeoutMillis = readTimeoutMillis;
        settings = null;
    }

    public String getCertificatePath() {
        return certificatePath;
    }

    public void setCertificatePath(String certificatePath) {
        this.certificatePath = certificatePath;
        settings = null;
    }

    public String getCertificatePassword() {
        return certificatePassword;
    }

    public void setCertificatePassword(String certificatePassword) {
        this.certificatePassword = certificatePassword;
        settings = null;
    }

    public String getTokenStoreFile() {
        return tokenStoreFile;
    }

    public void setTokenStoreFile(String tokenStoreFile) {
        this.tokenStoreFile = tokenStoreFile;
        settings = null;
    }

    public String getTokenStoreKey() {
        return tokenStoreKey;
    }

    public void setTokenStoreKey(String tokenStoreKey) {
        this.tokenStoreKey = tokenStoreKey;
        settings = null;
    }

    public String getTokenStoreDataSource() {
        return tokenStoreDataSource;
    }

    public void setTokenStoreDataSource(String tokenStoreDataSource) {
        this.tokenStoreDataSource = tokenStoreDataSource;
        settings = null;
    }

    public String getTokenCacheKey() {
        return tokenCacheKey;
    }

    public void setTokenCacheKey(String tokenCacheKey) {
        this.tokenCacheKey = tokenCacheKey;
        settings = null;
    }

    public String getConsentRedirectUri() {
        return consentRedirectUri;
    }

    public void setConsentRedirectUri(String consentRedirectUri) {
        this.consentRedirectUri = consentRedirectUri;
        settings = null;
    }

    public String getTokenCache() {
        return tokenCache;
    }

    public void setTokenCache(String tokenCache) {
        this.tokenCache = tokenCache;
        settings = null;
    }

    public String getApplicationPassword() {
        return applicationPassword;
    }

    public void setApplicationPassword(String applicationPassword) {
        this.applicationPassword = applicationPassword;
        settings = null;
    }

    public String getClientSecretExpires() {
        return clientSecretExpires;
    }

    public void setClientSecretExpires(String clientSecretExpires) {
        this.clientSecretExpires = clientSecretExpires;
        settings = null;
    }

    public String getAlertAddress() {
        return alertAddress;
    }

    public void setAlertAddress(String alertAddress) {
        this.alertAddress = alertAddress;
        settings = null;
    }

    public Integer getAlertIntervalMinutes() {
        return alertIntervalMinutes;
    }

    public void setAlertIntervalMinutes(Integer alertIntervalMinutes) {
        this.alertIntervalMinutes = alertIntervalMinutes;
        settings = null;
    }

    public String getAlertFallbackFactory() {
        return alertFallbackFactory;
    }

    public void setAlertFallbackFactory(String alertFallbackFactory) {
        this.alertFallbackFactory = alertFallbackFactory;
        settings = null;
    }

    public Integer getUnhealthyAfterSeconds() {
        return unhealthyAfterSeconds;
    }

    public void setUnhealthyAfterSeconds(Integer unhealthyAfterSeconds) {
        this.unhealthyAfterSeconds = unhealthyAfterSeconds;
        settings = null;
    }

    public Integer getExpiryWarningDays() {
        return expiryWarningDays;
    }

    public void setExpiryWarningDays(Integer expiryWarningDays) {
        this.expiryWarningDays = expiryWarningDays;
        settings = null;
    }

    public String getLimitsScope() {
        return limitsScope;
    }

    public void setLimitsScope(String limitsScope) {
        this.limitsScope = limitsScope;
        settings = null;
    }

    public String getTransactionalSend() {
        return transactionalSend;
    }

    public void setTransactionalSend(String transactionalSend) {
        this.transactionalSend = transactionalSend;
        settings = null;
    }

    public Integer getPendingSendsLimit() {
        return pendingSendsLimit;
    }

    public void setPendingSendsLimit(Integer pendingSendsLimit) {
        this.pendingSendsLimit = pendingSendsLimit;
        settings = null;
    }

    public Integer getPendingSendsWaitMillis() {
        return pendingSendsWaitMillis;
    }

    public void setPendingSendsWaitMillis(Integer pendingSendsWaitMillis) {
        this.pendingSendsWaitMillis = pendingSendsWaitMillis;
        settings = null;
    }

    public String getOutboxDataSource() {
        return outboxDataSource;
    }

    public void setOutboxDataSource(String outboxDataSource) {
        this.outboxDataSource = outboxDataSource;
        settings = null;
    }

    public Integer getOutboxDeliveryThreads() {
        return outboxDeliveryThreads;
    }

    public void setOutboxDeliveryThreads(Integer outboxDeliveryThreads) {
        this.outboxDeliveryThreads = outboxDeliveryThreads;
        settings = null;
    }

    public Integer getOutboxRetryHours() {
        return outboxRetryHours;
    }

    public void setOutboxRetryHours(Integer outboxRetryHours) {
        this.outboxRetryHours = outboxRetryHours;
        settings = null;
    }

    public Integer getOutboxKeepDeliveredHours() {
        return outboxKeepDeliveredHours;
    }

    public void setOutboxKeepDeliveredHours(Integer outboxKeepDeliveredHours) {
        this.outboxKeepDeliveredHours = outboxKeepDeliveredHours;
        settings = null;
    }

    public String getOutboxInDoubt() {
        return outboxInDoubt;
    }

    public void setOutboxInDoubt(String outboxInDoubt) {
        this.outboxInDoubt = outboxInDoubt;
        settings = null;
    }

    // Two factories with the same configuration are equal, as the pool requires.
    @Override
    public boolean equals(Object other) {
        return other instanceof MailManagedConnectionFactory f && f.getClass() == getClass()
                && properties().equals(f.properties());
    }

    @Override
    public int hashCode() {
        return Objects.hash(transport, tenantId, clientId, authorityUrl, graphUrl, fromAddress, smtpHost, smtpPort);
    }

    @Override
    public String toString() {
        // The secrets stay out: only what names the pool.
        return "MailManagedConnectionFactory[transport=" + transport + ", authentication=" + authentication
                + ", tenantId=" + tenantId + ", clientId=" + clientId + ", authorityUrl=" + authorityUrl + ", graphUrl="
                + graphUrl + ", fromAddress=" + fromAddress + ", username=" + username + ", smtpHost=" + smtpHost
                + ", smtpPort=" + smtpPort + ", smtpTls=" + smtpTls + ", cloud=" + cloud + "]";
    }
}
