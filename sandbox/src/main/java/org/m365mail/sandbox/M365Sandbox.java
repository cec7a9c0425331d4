package org.m365mail.sandbox;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * A local stand-in for Microsoft 365 on loopback with TLS: Entra ID's token endpoint, Microsoft Graph's mail
 * endpoints and Exchange Online's SMTP submission server, sharing one directory and one outbox.
 *
 * <pre>{@code
 * try (M365Sandbox sandbox = M365Sandbox.builder().workDir(Path.of("target/sandbox")).start()) {
 *     // configure the connector with sandbox.authorityUrl(), sandbox.graphUrl(), sandbox.smtpPort(),
 *     // sandbox.trustStorePath() and the names in SandboxDefaults, send, then look at sandbox.outbox()
 * }
 * }</pre>
 *
 * <p>Entra and Graph listen on different ports, as they are different hosts at Microsoft.
 */
public final class M365Sandbox implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(M365Sandbox.class.getName());

    private final SandboxDirectory directory;
    private final Outbox outbox = new Outbox();
    private final TokenRequestLog tokenRequests = new TokenRequestLog();
    private final TlsMaterial tls;
    private final HttpsServer login;
    private final HttpsServer graph;
    private final ExchangeSmtpServer smtp;
    private final HttpServer viewer;
    private final HttpServer managedIdentity;
    private final ExecutorService executor;
    private final TokenIssuer issuer;
    private final GraphMailEndpoint graphMail;
    private final EntraTokenEndpoint entra;
    /** Lifetime of tokens issued from now on, in seconds; tests change it while the sandbox runs. */
    private final AtomicLong tokenLifetimeSeconds;

    private M365Sandbox(Builder b) throws IOException {
        this.directory = b.directory;
        this.tls = TlsMaterial.create(b.workDir, b.workDir.resolve("sandbox-truststore.p12"),
                SandboxDefaults.TRUST_STORE_PASSWORD);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "m365-sandbox-http");
            t.setDaemon(true);
            return t;
        });
        InetAddress loopback = InetAddress.getLoopbackAddress();
        this.issuer = new TokenIssuer(b.clock);
        this.tokenLifetimeSeconds = new AtomicLong(b.tokenLifetimeSeconds);

        this.login = HttpsServer.create(new InetSocketAddress(loopback, b.loginPort), 64);
        login.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        login.setExecutor(executor);
        String authorityUrl = "https://127.0.0.1:" + login.getAddress().getPort();
        this.entra = new EntraTokenEndpoint(directory, issuer, tokenRequests, tokenLifetimeSeconds::get,
                authorityUrl);
        login.createContext("/", entra);

        this.graph = HttpsServer.create(new InetSocketAddress(loopback, b.graphPort), 64);
        graph.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        graph.setExecutor(executor);
        directory.addGraphIdentifier(graphUrl());
        this.graphMail = new GraphMailEndpoint(directory, issuer, outbox, b.workDir.resolve("uploads"));
        graphMail.latency(b.graphLatency);
        graph.createContext("/", graphMail);
        // Upload URLs name another host, as Outlook's upload host differs from Graph's: localhost, same port.
        graphMail.drafts().uploadBase("https://localhost:" + graph.getAddress().getPort());
        graph.createContext("/upload/", graphMail.drafts());

        this.smtp = new ExchangeSmtpServer(b.smtpPort, tls.serverContext(), directory, issuer, outbox);
        smtp.exchangeLimits(b.exchangeLimits);

        // App Service's identity endpoint is plain HTTP on the local machine; so is this one.
        this.managedIdentity = HttpServer.create(new InetSocketAddress(loopback, b.managedIdentityPort), 16);
        managedIdentity.setExecutor(executor);
        managedIdentity.createContext("/", new ManagedIdentityEndpoint(directory, issuer, tokenRequests,
                tokenLifetimeSeconds::get, SandboxDefaults.TENANT_ID, SandboxDefaults.MANAGED_IDENTITY_CLIENT_ID,
                java.util.List.of(SandboxDefaults.USER_ASSIGNED_IDENTITY_CLIENT_ID)));

        if (b.viewerPort >= 0) {
            this.viewer = HttpServer.create(new InetSocketAddress(loopback, b.viewerPort), 16);
            viewer.setExecutor(executor);
            viewer.createContext("/", new OutboxViewer(outbox, tokenRequests));
        } else {
            this.viewer = null;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private M365Sandbox startAll() {
        login.start();
        graph.start();
        smtp.start();
        managedIdentity.start();
        if (viewer != null) {
            viewer.start();
        }
        LOG.info(() -> "Microsoft 365 sandbox ready: authority " + authorityUrl() + ", graph " + graphUrl()
                + ", smtp 127.0.0.1:" + smtpPort() + (viewer == null ? "" : ", outbox " + viewerUrl()));
        return this;
    }

    /** The value for the connector's {@code authorityUrl}. */
    public String authorityUrl() {
        return "https://127.0.0.1:" + login.getAddress().getPort();
    }

    /** The value for the connector's {@code graphUrl}. */
    public String graphUrl() {
        return "https://127.0.0.1:" + graph.getAddress().getPort();
    }

    /**
     * The value of {@code IDENTITY_ENDPOINT} for a server that should take its managed identity's tokens from the
     * stand-in (with {@code IDENTITY_HEADER} = {@link SandboxDefaults#IDENTITY_HEADER}).
     */
    public String identityEndpoint() {
        return "http://127.0.0.1:" + managedIdentity.getAddress().getPort() + ManagedIdentityEndpoint.PATH;
    }

    /** The value for the connector's {@code smtpHost}. */
    public String smtpHost() {
        return "127.0.0.1";
    }

    /** The value for the connector's {@code smtpPort}. */
    public int smtpPort() {
        return smtp.port();
    }

    /** The PKCS#12 trust store holding the sandbox's certificate: the connector's {@code trustStorePath}. */
    public Path trustStorePath() {
        return tls.trustStore();
    }

    /** The connector's {@code trustStorePassword}. */
    public String trustStorePassword() {
        return tls.trustStorePassword();
    }

    /** An SSL context trusting the sandbox, for test clients. */
    public SSLContext clientSslContext() throws IOException {
        return tls.clientContext();
    }

    /** An SSL context holding the sandbox's certificate and key, for tests that build another server with it. */
    public SSLContext serverSslContext() {
        return tls.serverContext();
    }

    /** The outbox page's address, or {@code null} when it was not asked for. */
    public String viewerUrl() {
        return viewer == null ? null : "http://127.0.0.1:" + viewer.getAddress().getPort() + "/";
    }

    /**
     * A refresh token for {@code user}'s consent to {@code scopes} (e.g. {@code https://outlook.office.com/SMTP.Send}),
     * as the authorization code flow would hand the app after the user signed in.
     */
    public String consent(String user, String... scopes) {
        return entra.refreshTokens().issue(SandboxDefaults.TENANT_ID, SandboxDefaults.CLIENT_ID, user,
                java.util.List.of(scopes), issuer.now());
    }

    /**
     * Sets the lifetime of access tokens (and ID tokens) issued from now on, by every grant of the token endpoint
     * and by the managed identity endpoint; tokens already issued keep theirs. Whole seconds, as {@code expires_in}
     * counts them: a fraction is dropped. Starts at {@link Builder#tokenLifetimeSeconds(long)}.
     *
     * @throws IllegalArgumentException if {@code lifetime} is negative
     */
    public void tokenLifetime(Duration lifetime) {
        if (lifetime.isNegative()) {
            throw new IllegalArgumentException("A token lifetime cannot be negative: " + lifetime);
        }
        tokenLifetimeSeconds.set(lifetime.toSeconds());
    }

    /** The lifetime of tokens issued now (see {@link #tokenLifetime(Duration)}). */
    public Duration tokenLifetime() {
        return Duration.ofSeconds(tokenLifetimeSeconds.get());
    }

    /** Revokes every refresh token of {@code user} (password reset, "revoke sessions"). */
    public void revokeConsent(String user) {
        entra.refreshTokens().revokeAll(user, issuer.now());
    }

    /** One-shot answers for the token endpoint to give instead of a token. */
    public TokenFaults tokenFaults() {
        return entra.faults();
    }

    /** One-shot answers for Graph to give instead of the real one. */
    public GraphFaults graphFaults() {
        return graphMail.faults();
    }

    /**
     * Where {@code createUploadSession}'s {@code uploadUrl} points from now on: a test of a client that must refuse
     * an upload address off Microsoft's hosts sets another; {@code null} restores the stand-in's own
     * ({@code https://localhost:<graph port>}).
     */
    public void uploadUrlBase(String base) {
        graphMail.drafts().uploadBase(base == null ? "https://localhost:" + graph.getAddress().getPort() : base);
    }

    /** Drafts left in mailboxes: a sender that cleans up after a failed large send leaves none. */
    public int graphDrafts() {
        return graphMail.drafts().count();
    }

    /**
     * Graph requests and SMTP submissions the stand-in is still handling (a slow, late or stalled answer among them):
     * a test that must see everything that will arrive waits for none.
     */
    public int requestsInProgress() {
        return graphMail.inProgress() + smtp.sessions().submitting();
    }

    /** Forgets every draft and upload session, as between tests. */
    public void clearGraphDrafts() {
        graphMail.drafts().clear();
    }

    /** How many requests Graph's mail endpoints (sendMail, messages, attachments) received, ever. */
    public long graphRequests() {
        return graphMail.requests();
    }

    /** The most Graph requests seen under way at once for one app and mailbox (Graph allows four). */
    public int mostGraphRequestsAtOnce() {
        return graphMail.mostInFlight();
    }

    /** The most Graph requests seen under way at once for {@code mailbox} (any app). */
    public int mostGraphRequestsAtOnce(String mailbox) {
        return graphMail.mostInFlight(mailbox);
    }

    /** Makes Graph answer each request after {@code latency} from now on. */
    public void graphLatency(java.time.Duration latency) {
        graphMail.latency(latency);
    }

    /** How many Graph requests were answered 429. */
    public int graphThrottledResponses() {
        return graphMail.throttled();
    }

    /** One-shot faults for the SMTP server to answer with. */
    public SmtpFaults smtpFaults() {
        return smtp.faults();
    }

    /** Closes every open SMTP session, with Exchange's idle-timeout reply first, as after an idle timeout. */
    public void dropSmtpConnections() {
        smtp.sessions().dropAll("421 4.4.2 Connection dropped due to timeout");
    }

    /** The most SMTP messages seen being submitted at once for one mailbox (Exchange Online allows three). */
    public int mostSmtpSubmissionsAtOnce() {
        return smtp.sessions().mostSubmittingAtOnce();
    }

    /** How many SMTP commands with this verb ({@code NOOP}, {@code MAIL}, ...) clients sent after STARTTLS. */
    public int smtpCommands(String verb) {
        return smtp.sessions().commands(verb);
    }

    /** How many SMTP connections are open now. */
    public int openSmtpConnections() {
        return smtp.sessions().openSessions();
    }

    /**
     * A delegated (user) access token for Exchange Online SMTP, as Entra would issue after the user consented to
     * {@code SMTP.Send} (the authorization code flow comes with the token-lifecycle work).
     */
    public String delegatedSmtpToken(String userAddress, long lifetimeSeconds) {
        return issuer.issueDelegated(SandboxDefaults.TENANT_ID, "https://outlook.office365.com",
                SandboxDefaults.CLIENT_ID, userAddress, java.util.UUID.nameUUIDFromBytes(userAddress.getBytes(
                        java.nio.charset.StandardCharsets.UTF_8)).toString(), java.util.List.of("SMTP.Send"),
                lifetimeSeconds);
    }

    /** How many SMTP sessions authenticated successfully: one per physical connection the client opened. */
    public int smtpLogins() {
        return smtp.authentication().successes();
    }

    /** How many SMTP authentications were refused. */
    public int smtpLoginFailures() {
        return smtp.authentication().failures();
    }

    public SandboxDirectory directory() {
        return directory;
    }

    public Outbox outbox() {
        return outbox;
    }

    public TokenRequestLog tokenRequests() {
        return tokenRequests;
    }

    @Override
    public void close() {
        login.stop(0);
        graph.stop(0);
        managedIdentity.stop(0);
        smtp.stop();
        if (viewer != null) {
            viewer.stop(0);
        }
        executor.shutdownNow();
    }

    /** Ports (0 picks a free one), the directory, the token lifetime and where to put the certificate. */
    public static final class Builder {
        private SandboxDirectory directory = SandboxDirectory.standard();
        private int loginPort;
        private int graphPort;
        private int smtpPort;
        private int viewerPort = -1;
        private int managedIdentityPort;
        private boolean exchangeLimits = true;
        private long tokenLifetimeSeconds = 3599;
        private Path workDir = Path.of(System.getProperty("java.io.tmpdir"), "m365-sandbox");
        private Clock clock = Clock.systemUTC();
        private java.time.Duration graphLatency = java.time.Duration.ZERO;

        /** Time Graph takes for each request (benchmarks use 50 ms). */
        public Builder graphLatency(java.time.Duration latency) {
            this.graphLatency = latency;
            return this;
        }

        public Builder directory(SandboxDirectory directory) {
            this.directory = directory;
            return this;
        }

        public Builder loginPort(int port) {
            this.loginPort = port;
            return this;
        }

        public Builder graphPort(int port) {
            this.graphPort = port;
            return this;
        }

        public Builder smtpPort(int port) {
            this.smtpPort = port;
            return this;
        }

        /** Serves a page listing the outbox over plain HTTP on loopback; off unless asked for. */
        /**
         * Whether the SMTP server keeps Exchange Online's per-mailbox limits (3 submissions at once, 10,000
         * recipients a day). Off plays a server with none, for throughput benchmarks.
         */
        public Builder exchangeLimits(boolean on) {
            this.exchangeLimits = on;
            return this;
        }

        /** Port of the managed identity endpoint (App Service's IDENTITY_ENDPOINT); 0 for any free port. */
        public Builder managedIdentityPort(int port) {
            this.managedIdentityPort = port;
            return this;
        }

        public Builder viewerPort(int port) {
            this.viewerPort = port;
            return this;
        }

        /**
         * Initial lifetime of issued tokens (Entra: 3599 s by default; msal4j caches nothing under 300 s);
         * {@link M365Sandbox#tokenLifetime(Duration)} changes it while the sandbox runs.
         */
        public Builder tokenLifetimeSeconds(long seconds) {
            this.tokenLifetimeSeconds = seconds;
            return this;
        }

        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        /** The clock that stamps and checks token lifetimes. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public M365Sandbox start() throws IOException {
            return new M365Sandbox(this).startAll();
        }
    }
}
