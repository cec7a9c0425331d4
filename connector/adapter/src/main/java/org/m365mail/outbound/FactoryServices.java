package org.m365mail.outbound;

import org.m365mail.admin.MailboxConsent;
import org.m365mail.admin.SetupReport;
import org.m365mail.admin.SetupStep;
import org.m365mail.auth.TokenClaims;
import org.m365mail.api.MailSendException;
import org.m365mail.auth.AccessToken;
import org.m365mail.auth.CachedTokenSource;
import org.m365mail.auth.CertificateFile;
import org.m365mail.auth.CredentialExpiryWatch;
import org.m365mail.auth.ConsentKeepAlive;
import org.m365mail.auth.DelegatedConsent;
import org.m365mail.auth.EncryptedFileRefreshTokenStore;
import org.m365mail.auth.InMemoryRefreshTokenStore;
import org.m365mail.auth.JCacheSharedTokens;
import org.m365mail.auth.JdbcRefreshTokenStore;
import org.m365mail.auth.MsalClientCredentials;
import org.m365mail.auth.MsalDelegatedTokens;
import org.m365mail.auth.MsalManagedIdentity;
import org.m365mail.auth.RefreshTokenStore;
import org.m365mail.auth.SharedTokenCache;
import org.m365mail.auth.TokenRequest;
import org.m365mail.auth.TokenSource;
import org.m365mail.config.AuthenticationMode;
import org.m365mail.config.MailSettings;
import org.m365mail.config.Secret;
import org.m365mail.config.TlsTrust;
import org.m365mail.config.TokenCacheKind;
import org.m365mail.config.TransportKind;
import org.m365mail.http.ConnectorHttpClient;
import org.m365mail.monitor.PoolMonitor;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.MailTransport;
import org.m365mail.transport.graph.GraphTransport;
import org.m365mail.transport.smtp.SmtpXoauth2Transport;

import jakarta.mail.Message;
import org.m365mail.delivery.DeferredSends;
import org.m365mail.delivery.DeliveryChannels;
import org.m365mail.delivery.ServerServices;
import org.m365mail.delivery.TransactionScope;
import org.m365mail.delivery.WorkRunner;
import org.m365mail.outbox.JdbcOutbox;
import org.m365mail.outbox.OutboxDelivery;
import org.m365mail.policy.SendingPolicy;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one place that builds what a connection factory needs from its validated settings: TLS trust, the HTTP client,
 * the token source (with the cluster's cache where asked), the refresh-token store, the transport, the delegated
 * consent, and the certificate watch and consent keep-alive on the deployment's threads. The factory holds the
 * properties; this holds what they are wired into, for as long as the factory lives.
 */
final class FactoryServices implements AutoCloseable {

    /*
     * Registry keys are lists of strings, not records: on Java 17 a record's generated equals() leaves its class in a
     * JDK-wide method handle cache (JDK-8078641, fixed in Java 18), which would keep an undeployed RAR's class loader.
     */
    private static final String NO_JCACHE_WARNING = "no-jcache-warning";
    private static final String MEMORY_STORE = "memory-store";

    private final MailSettings settings;
    private final ConnectorRuntime runtime;
    private final Clock clock = Clock.systemUTC();
    private final SSLContext tls;
    private final HttpClient http;
    private final SetupCheck setupCheck;
    private final PoolMonitor monitor;
    private final CertificateFile certificateFile;
    private final CredentialExpiryWatch expiryWatch;
    private final ConsentKeepAlive consentKeepAlive;
    private final DeliveryChannels deliveryChannels;
    private final JdbcOutbox outbox;
    private final OutboxDelivery outboxDelivery;
    private final java.util.concurrent.ExecutorService outboxSchemaThread;
    private final DeferredSends deferred;
    private MailTransport transport;
    private TokenSource tokens;
    private DelegatedConsent consent;

    /**
     * @param monitor the pool's monitor: told of every token, retry and wait, and of the credentials' expiry
     */
    FactoryServices(MailSettings settings, ConnectorRuntime runtime, PoolMonitor monitor) throws MailSendException {
        this(settings, runtime, monitor, new ServerServices(TransactionScope.NONE,
                WorkRunner.own(runtime.background())), null);
    }

    /**
     * @param server       the server's transactions and work manager
     * @param outboxSource a data source given in code for the outbox (plain Java), or {@code null} to look up
     *                     {@code outboxDataSource}
     */
    FactoryServices(MailSettings settings, ConnectorRuntime runtime, PoolMonitor monitor, ServerServices server,
                    javax.sql.DataSource outboxSource) throws MailSendException {
        this.settings = settings;
        this.runtime = runtime;
        this.monitor = monitor;
        this.tls = tls(settings);
        this.http = ConnectorHttpClient.build(settings, tls, runtime.background());
        this.setupCheck = new SetupCheck(settings);
        // A replaced certificate file is checked for its expiry at once, as well as daily.
        this.certificateFile = settings.certificate() == null || settings.certificatePath() == null ? null
                : new CertificateFile(settings.certificatePath(), settings.certificatePassword(),
                settings.certificate(), clock, replaced -> checkExpiry());
        this.expiryWatch = settings.certificate() == null && settings.clientSecretExpires() == null ? null
                : new CredentialExpiryWatch(certificateFile == null ? null : certificateFile::current,
                settings.clientSecretExpires(), settings.clientId(), settings.operations().expiryWarning(), clock,
                monitor).start(runtime.scheduler());
        this.consentKeepAlive = settings.authentication() != AuthenticationMode.DELEGATED ? null
                : new ConsentKeepAlive(refreshTokenStore(), MsalDelegatedTokens.storeKey(settings), settings.username(),
                this::renewToken, clock).start(runtime.scheduler(), runtime.background());
        this.deliveryChannels = new DeliveryChannels(this::transport);
        SendingPolicy checks = new SendingPolicy(settings, runtime, clock);
        String outboxName = settings.delivery().outboxDataSource();
        if (outboxSource != null || outboxName != null) {
            this.outboxSchemaThread = runtime.singleThread("outbox-schema");
            this.outbox = new JdbcOutbox(outboxName == null ? "(a DataSource given in code)" : outboxName,
                    outboxSource != null ? () -> outboxSource : JdbcOutbox.jndi(outboxName), outboxKey(settings),
                    checks, clock, outboxSchemaThread);
            // Started with the factory, so that messages left by a stop or a crash are delivered without waiting for
            // an application to send.
            this.outboxDelivery = new OutboxDelivery(outbox, deliveryChannels, monitor, clock, settings)
                    .start(runtime);
        } else {
            this.outboxSchemaThread = null;
            this.outbox = null;
            this.outboxDelivery = null;
        }
        DeferredSends.OutboxWriter writer = outbox == null ? null : new DeferredSends.OutboxWriter() {
            @Override
            public String enqueueInTransaction(Message message) throws MailSendException {
                return outbox.enqueueInTransaction(message);
            }

            @Override
            public void committed() {
                outboxDelivery.wake();
            }
        };
        this.deferred = new DeferredSends(settings, checks, server.transactions(), server.work(), deliveryChannels,
                monitor, clock, writer);
    }

    /** Which outbox rows this factory delivers: those of its transport and mailbox, whichever instance wrote them. */
    private static String outboxKey(MailSettings settings) {
        return settings.transport() + ":" + settings.fromAddress().getAddress().toLowerCase(Locale.ROOT);
    }

    /** The sends that leave the caller's thread: after a commit, through the outbox, asynchronously. */
    DeferredSends deferred() {
        return deferred;
    }

    /** The factory's outbox, if it has one. */
    Optional<JdbcOutbox> outbox() {
        return Optional.ofNullable(outbox);
    }

    /** Checks the credentials' expiry again (a certificate was replaced). */
    private void checkExpiry() {
        if (expiryWatch != null) {
            expiryWatch.check();
        }
    }

    /** The transport all connections of the factory share; made on first use, and again after a consent change. */
    synchronized MailTransport transport() throws MailSendException {
        if (transport == null) {
            tokens = tokenSource();
            transport = settings.transport() == TransportKind.GRAPH
                    ? new GraphTransport(runtime, settings, tokens, http, clock, monitor)
                    : new SmtpXoauth2Transport(runtime, settings, tokens, tls, clock, monitor);
        }
        return transport;
    }

    /**
     * Checks what can be checked without sending: a token can be had, and it carries the permission the transport
     * needs for the configured tenant (see {@link SetupCheck}). Nothing with a password, which has no token.
     */
    void checkCredentials() throws MailSendException {
        TokenSource current;
        synchronized (this) {
            transport();
            current = tokens;
        }
        if (current == null) {
            return;
        }
        // A refused token request is told to the monitor by the token source; a token without the permission here.
        AccessToken token = current.token();
        try {
            setupCheck.verify(token);
        } catch (MailSendException e) {
            monitor.setupFailed(e);
            throw e;
        }
        monitor.credentialsVerified();
    }

    /** The token the factory holds now, without asking for one. */
    synchronized Optional<AccessToken> heldToken() {
        return tokens == null ? Optional.empty() : tokens.held();
    }

    /**
     * Check setup, for the console: the checks of the pool's Ping, step by step, each with what it found. Obtains a
     * token (a cached one will do), reads its claims, checks tenant and permission, and for SMTP signs in to the SMTP
     * server on a channel of its own. What only a send can show (the app's access to the mailbox) is left to a test
     * mail, and said so.
     */
    SetupReport checkSetup() {
        List<SetupStep> steps = new ArrayList<>();
        steps.add(new SetupStep("Configuration", true, "the pool's properties are valid: " + settings.transport()
                + ", " + settings.authentication() + ", sends as " + settings.fromAddress().getAddress()));
        if (settings.authentication() == AuthenticationMode.PASSWORD) {
            return withSignIn(steps, null, null);
        }
        String signIn = "Sign in to Microsoft Entra ID";
        AccessToken token;
        try {
            TokenSource current;
            synchronized (this) {
                transport();
                current = tokens;
            }
            token = current.token();
        } catch (MailSendException e) {
            steps.add(new SetupStep(signIn, false, e.getMessage()));
            return skipRest(steps, null, null);
        }
        steps.add(new SetupStep(signIn, true, "a token was issued for " + (settings.authentication()
                == AuthenticationMode.DELEGATED ? settings.username() : identity())));
        Optional<TokenClaims> read = TokenClaims.of(token);
        if (read.isEmpty()) {
            steps.add(new SetupStep("Token claims", null, "the token is not a JWT the connector can read; a test "
                    + "mail shows whether the permissions are right"));
            return withSignIn(steps, null, token);
        }
        TokenClaims claims = read.get();
        Optional<String> tenant = setupCheck.wrongTenant(claims);
        steps.add(new SetupStep("Token issued by tenantId", tenant.isEmpty(), tenant.orElse("tid "
                + claims.tenantId())));
        String needed = setupCheck.neededPermission();
        Optional<String> permission = setupCheck.missingPermission(claims);
        String step = (settings.authentication() == AuthenticationMode.DELEGATED ? "Delegated" : "Application")
                + " permission " + needed;
        if (permission.isPresent() && setupCheck.permissionMayBeGrantedInExchange()) {
            // Not in the token; an Exchange role assignment may grant it all the same: a test mail tells.
            steps.add(new SetupStep(step, null, "the token carries no " + needed + " role (roles " + claims.roles()
                    + "). That is right if you limit the app with an Exchange Online role assignment 'Application "
                    + needed + "' (RBAC for Applications, see the setup assistant): send a test mail to confirm it. "
                    + "Otherwise " + setupCheck.howToGrant()));
        } else {
            steps.add(new SetupStep(step, permission.isEmpty(), permission.orElse("granted ("
                    + (settings.authentication() == AuthenticationMode.DELEGATED ? "scp " + claims.scopes()
                    : "roles " + claims.roles()) + ")")));
        }
        // The pool's readiness learns the same as its Ping would.
        try {
            setupCheck.verify(token);
        } catch (MailSendException refused) {
            monitor.setupFailed(refused);
            return skipRest(steps, claims, token);
        }
        monitor.credentialsVerified();
        return withSignIn(steps, claims, token);
    }

    /** Adds the transport's own step: SMTP signs in; Graph's mailbox access shows only in a send. */
    private SetupReport withSignIn(List<SetupStep> steps, TokenClaims claims, AccessToken token) {
        if (settings.transport() == TransportKind.SMTP) {
            String name = "SMTP AUTH at " + settings.smtpHost() + ":" + settings.smtpPort();
            try {
                MailChannel channel = transport().open();
                try {
                    channel.open();
                } finally {
                    channel.close();
                }
                steps.add(new SetupStep(name, true, "signed in as " + (settings.username() == null
                        ? settings.fromAddress().getAddress() : settings.username())));
            } catch (MailSendException e) {
                steps.add(new SetupStep(name, false, e.getMessage()));
            }
        } else {
            steps.add(new SetupStep("Access to mailbox " + settings.fromAddress().getAddress(), null,
                    "only a send shows whether the app may send as this mailbox (its Exchange RBAC scope or "
                            + "mailbox permission): send a test mail"));
        }
        return report(steps, claims, token);
    }

    private SetupReport skipRest(List<SetupStep> steps, TokenClaims claims, AccessToken token) {
        steps.add(new SetupStep(settings.transport() == TransportKind.SMTP ? "SMTP AUTH at " + settings.smtpHost()
                : "Access to mailbox " + settings.fromAddress().getAddress(), null, "not checked: fix the step above "
                + "first"));
        return report(steps, claims, token);
    }

    private static SetupReport report(List<SetupStep> steps, TokenClaims claims, AccessToken token) {
        Instant expires = token == null ? null : token.expiresAt();
        return claims == null ? new SetupReport(List.copyOf(steps), null, null, List.of(), List.of(), expires)
                : new SetupReport(List.copyOf(steps), claims.audience(), claims.tenantId(), claims.roles(),
                claims.scopes(), expires);
    }

    /**
     * Sends an alert through the pool's own transport and sending policy, on a channel of its own (not an
     * application's pooled connection), closed after.
     */
    void sendDirect(Message message) throws MailSendException {
        MailChannel channel = transport().open();
        try {
            channel.send(message);
        } finally {
            channel.close();
        }
    }

    /** The secrets of {@code settings}, to keep out of alerts. */
    static List<String> secrets(MailSettings settings) {
        List<String> found = new ArrayList<>();
        for (Secret s : new Secret[]{settings.clientSecret(), settings.password(), settings.certificatePassword(),
                settings.tokenStoreKey(), settings.tokenCacheKey(), settings.trustStorePassword(),
                settings.network().proxyPassword()}) {
            if (s != null) {
                found.add(s.reveal());
            }
        }
        return found;
    }

    /** The delegated consent ({@code authentication=DELEGATED} only; the caller checks). */
    synchronized MailboxConsent consent() throws MailSendException {
        if (consent == null) {
            consent = new DelegatedConsent(settings, settings.delegatedScope(), http, refreshTokenStore(), clock,
                    this::forgetTransport);
        }
        return consent;
    }

    private void renewToken() throws MailSendException {
        transport().renewToken();
    }

    /** Drops the transport, and with it cached tokens: the next send starts afresh (a consent was stored or reset). */
    private synchronized void forgetTransport() {
        if (transport != null) {
            transport.close();
            transport = null;
            tokens = null;
        }
    }

    @Override
    public void close() {
        deferred.close();
        if (outboxDelivery != null) {
            // Outside this object's lock: a delivery in progress may need the transport to finish.
            outboxDelivery.close();
            outboxSchemaThread.shutdownNow();
        }
        closeRest();
    }

    private synchronized void closeRest() {
        deliveryChannels.close();
        forgetTransport();
        if (consentKeepAlive != null) {
            consentKeepAlive.close();
        }
        if (expiryWatch != null) {
            expiryWatch.close();
        }
    }

    private static SSLContext tls(MailSettings settings) throws MailSendException {
        try {
            return TlsTrust.context(settings);
        } catch (IOException | GeneralSecurityException e) {
            throw new MailSendException("Cannot set up TLS trust from trustStorePath " + settings.trustStorePath()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The token source the transport asks: none with a password; else the one cache of the factory's tokens. */
    private TokenSource tokenSource() throws MailSendException {
        if (settings.authentication() == AuthenticationMode.PASSWORD) {
            return null;
        }
        boolean graph = settings.transport() == TransportKind.GRAPH;
        if (settings.authentication() == AuthenticationMode.DELEGATED) {
            return cached(settings.delegatedScope(), new MsalDelegatedTokens(settings, settings.delegatedScope(), http,
                    refreshTokenStore(), MsalDelegatedTokens.storeKey(settings), clock),
                    (graph ? "Microsoft Graph for " : "Exchange Online SMTP for ") + settings.username());
        }
        String scope = graph ? settings.graphScope() : settings.exchangeScope();
        TokenRequest request = settings.authentication() == AuthenticationMode.MANAGED_IDENTITY
                ? new MsalManagedIdentity(settings, MsalManagedIdentity.resourceOf(scope), http, clock)
                : new MsalClientCredentials(settings, scope, http, clock, certificateFile);
        return cached(scope, request, (graph ? "Microsoft Graph (" : "Exchange Online SMTP (") + identity() + ")");
    }

    /**
     * The one token cache of a factory: in this JVM, or (tokenCache JCACHE, where the server has JCache) shared with
     * the cluster under a key naming authority, tenant, identity, scope and, for a user's consent, the user.
     */
    private CachedTokenSource cached(String scope, TokenRequest request, String description) {
        if (settings.tokenCache() == TokenCacheKind.JCACHE) {
            Optional<SharedTokenCache> shared = JCacheSharedTokens.open(settings.tokenCacheKey(),
                    runtime.shared(NO_JCACHE_WARNING, AtomicBoolean::new));
            if (shared.isPresent()) {
                String key = String.join("|", settings.authorityUrl(), String.valueOf(settings.tenantId()),
                        settings.authentication().name(), String.valueOf(settings.clientId()), scope,
                        settings.authentication() == AuthenticationMode.DELEGATED ? settings.username() : "app");
                return new CachedTokenSource(request, clock, description, runtime.background(), shared.get(),
                        key.toLowerCase(Locale.ROOT), monitor);
            }
        }
        return new CachedTokenSource(request, clock, description, runtime.background(), null, null, monitor);
    }

    private String identity() {
        if (settings.authentication() == AuthenticationMode.MANAGED_IDENTITY) {
            return settings.clientId() == null ? "system-assigned managed identity"
                    : "managed identity " + settings.clientId();
        }
        return "client " + settings.clientId();
    }

    /**
     * Where the factory keeps its delegated consent: the JDBC data source, the encrypted file, or (by default) the
     * deployment's memory. Factories that name the same place with the same {@code tokenStoreKey} share one store; a
     * factory with another key gets a store of its own, which reads and writes only the entries sealed with its key
     * (the file's writes are serialized per file, whoever makes them).
     */
    RefreshTokenStore refreshTokenStore() {
        String key = digest(settings.tokenStoreKey());
        if (settings.tokenStoreDataSource() != null) {
            return runtime.shared(List.of("jdbc-store", settings.tokenStoreDataSource(), key),
                    () -> new JdbcRefreshTokenStore(settings.tokenStoreDataSource(), settings.tokenStoreKey(),
                            runtime.singleThread("token-store")));
        }
        if (settings.tokenStoreFile() != null) {
            Path file = settings.tokenStoreFile().toAbsolutePath().normalize();
            Object lock = runtime.shared(List.of("file-lock", file.toString()), Object::new);
            return runtime.shared(List.of("file-store", file.toString(), key),
                    () -> new EncryptedFileRefreshTokenStore(file, settings.tokenStoreKey(), lock));
        }
        return runtime.shared(MEMORY_STORE, InMemoryRefreshTokenStore::new);
    }

    /** A digest of the key, to tell stores apart without keeping the key itself in a registry's key. */
    private static String digest(Secret key) {
        if (key == null) {
            return "-";
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(("m365-mail-store|" + key.reveal()).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "FactoryServices[" + settings.transport() + ", " + settings.fromAddress() + "]";
    }
}
