package org.m365mail.config;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.resource.spi.InvalidPropertyException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The connector's configuration, checked once, in one place.
 *
 * <p>{@link #validate(Values)} reports every problem at once, each naming the property and saying what to put
 * there, so an administrator fixes the pool in one round rather than one error at a time.
 *
 * @param transport          GRAPH or SMTP
 * @param tenantId           Entra tenant id or verified domain
 * @param clientId           application (client) id
 * @param clientSecret       client secret value
 * @param authorityUrl       sign-in host without trailing slash, e.g. {@code https://login.microsoftonline.com}
 * @param graphUrl           Graph host without trailing slash, e.g. {@code https://graph.microsoft.com}
 * @param fromAddress        the mailbox that sends
 * @param fromName           display name of the sender, or {@code null}
 * @param smtpHost           SMTP submission host
 * @param smtpPort           SMTP submission port
 * @param trustStorePath     extra trusted certificates (PKCS#12 or JKS), or {@code null}
 * @param trustStorePassword its password, or {@code null}
 * @param authentication     how the connector authenticates
 * @param username           the identity that authenticates on SMTP (defaults to fromAddress): an address (UPN)
 *                           for Exchange Online, any user name with PASSWORD on other servers
 * @param password           password for {@link AuthenticationMode#PASSWORD}, or {@code null}
 * @param smtpTls            how the SMTP connection is protected
 * @param smtp               SMTP limits
 * @param sending            what may be sent, and how fast: the one sending policy of both transports
 * @param cloud              the Microsoft 365 cloud
 * @param graph              how Graph sends
 * @param network            proxy and timeouts
 * @param certificate        the certificate the app authenticates with instead of a secret, or {@code null}
 * @param tokenStoreFile     the encrypted file delegated consents are kept in, or {@code null} for memory
 * @param tokenStoreKey      the passphrase the file or table entries are encrypted with
 * @param tokenStoreDataSource the JNDI name of the JDBC data source delegated consents are kept in, or {@code null}
 * @param tokenCache         whether access tokens are cached in this JVM only or shared through JCache
 * @param consentRedirectUri where Entra sends the browser back after a delegated consent (the console's
 *                           {@code /consent/callback}), or {@code null}
 * @param tokenCacheKey      the passphrase access tokens are sealed with in the cluster's shared cache, or {@code null}
 */
public record MailSettings(TransportKind transport, String tenantId, String clientId, Secret clientSecret,
                           String authorityUrl, String graphUrl, InternetAddress fromAddress, String fromName,
                           String smtpHost, int smtpPort, Path trustStorePath, Secret trustStorePassword,
                           AuthenticationMode authentication, String username, Secret password,
                           SmtpTls smtpTls, SmtpLimits smtp, SendingLimits sending, Cloud cloud, GraphOptions graph,
                           Network network, ClientCertificate certificate, Path tokenStoreFile, Secret tokenStoreKey,
                           String tokenStoreDataSource, TokenCacheKind tokenCache, URI consentRedirectUri,
                           Secret tokenCacheKey) {

    /**
     * How Graph sends.
     *
     * @param saveToSentItems    whether Graph keeps a copy in the mailbox's Sent Items
     * @param concurrentRequests Graph requests at once per mailbox from this JVM (Graph allows 4)
     * @param sendTimeout        the longest a send may take, retries included
     */
    public record GraphOptions(boolean saveToSentItems, int concurrentRequests, java.time.Duration sendTimeout) {
    }

    /**
     * What a message may be and how fast messages may go, whichever transport sends them: Exchange Online's limits
     * apply to a mailbox, not to a protocol
     * (https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits-1).
     *
     * @param allowedFromAddresses addresses an application may put in a message's From or Sender; fromAddress first
     * @param messagesPerMinute    pace per mailbox (Exchange: 30); 0 for no pace
     * @param maxRecipients        recipients per message (Exchange: 500)
     * @param maxMessageBytes      message size after encoding (Exchange: 35 MB by default)
     */
    public record SendingLimits(List<InternetAddress> allowedFromAddresses, int messagesPerMinute, int maxRecipients,
                                long maxMessageBytes) {
        @Override
        public String toString() {
            return "SendingLimits[allowedFromAddresses=" + allowedFromAddresses.stream()
                    .map(InternetAddress::getAddress).toList() + ", messagesPerMinute=" + messagesPerMinute
                    + ", maxRecipients=" + maxRecipients + ", maxMessageBytes=" + maxMessageBytes + "]";
        }
    }

    /**
     * How the connector reaches Microsoft.
     *
     * @param proxyHost      HTTP proxy host, or {@code null}
     * @param proxyPort      its port
     * @param proxyUser      proxy user, or {@code null}
     * @param proxyPassword  proxy password, or {@code null}
     * @param connectTimeout connection timeout
     * @param readTimeout    timeout waiting for an answer
     */
    public record Network(String proxyHost, int proxyPort, String proxyUser, Secret proxyPassword,
                          java.time.Duration connectTimeout, java.time.Duration readTimeout) {
        @Override
        public String toString() {
            return "Network[proxy=" + (proxyHost == null ? "none" : proxyHost + ":" + proxyPort)
                    + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + "]";
        }
    }

    /**
     * Exchange Online's limit for SMTP client submission that belongs to the protocol, as configured.
     *
     * @param concurrentSendsPerMailbox messages sent at once per mailbox from this JVM (Exchange: 3); 0 for no limit
     */
    public record SmtpLimits(int concurrentSendsPerMailbox) {
    }


    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern DOMAIN = Pattern.compile("(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");

    /**
     * The raw property values as the server set them on the managed connection factory.
     */
    public record Values(String transport, String tenantId, String clientId, String clientSecret,
                         String authorityUrl, String graphUrl, String fromAddress, String fromName,
                         String smtpHost, Integer smtpPort, String trustStorePath, String trustStorePassword,
                         String authentication, String username, String password, String smtpTls,
                         Integer smtpMaxConcurrentSends, Integer messagesPerMinute, Integer maxRecipientsPerMessage,
                         Long maxMessageBytes, String cloud, Boolean saveToSentItems, String allowedFromAddresses,
                         Integer graphMaxConcurrentRequests, Integer sendTimeoutSeconds, String httpProxy,
                         Integer connectTimeoutMillis, Integer readTimeoutMillis, String certificatePath,
                         String certificatePassword, String tokenStoreFile, String tokenStoreKey,
                         String tokenStoreDataSource, String tokenCache, String consentRedirectUri,
                         String tokenCacheKey) {

        /** The values of the first release's properties, the others unset. */
        public Values(String transport, String tenantId, String clientId, String clientSecret, String authorityUrl,
                      String graphUrl, String fromAddress, String fromName, String smtpHost, Integer smtpPort,
                      String trustStorePath, String trustStorePassword) {
            this(transport, tenantId, clientId, clientSecret, authorityUrl, graphUrl, fromAddress, fromName, smtpHost,
                    smtpPort, trustStorePath, trustStorePassword, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        }

        @Override
        public String toString() {
            // Generated record toString would print the secrets.
            return "Values[transport=" + transport + ", authentication=" + authentication + ", tenantId=" + tenantId
                    + ", clientId=" + clientId + ", authorityUrl=" + authorityUrl + ", graphUrl=" + graphUrl
                    + ", fromAddress=" + fromAddress + ", username=" + username + ", smtpHost=" + smtpHost
                    + ", smtpPort=" + smtpPort + ", smtpTls=" + smtpTls + ", cloud=" + cloud + "]";
        }
    }

    /** Exchange Online: 35 MB per message after encoding. */
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 35L * 1024 * 1024;

    /** The scope to ask Entra for when sending through Graph: {@code {graphUrl}/.default}. */
    public String graphScope() {
        return graphUrl + "/.default";
    }

    /** The authority msal4j talks to: {@code {authorityUrl}/{tenantId}/}. */
    public String tenantAuthority() {
        return authorityUrl + "/" + tenantId + "/";
    }

    /**
     * Checks every property and builds the settings.
     *
     * @throws InvalidPropertyException naming each property that is missing or wrong and how to fix it
     */
    public static MailSettings validate(Values v) throws InvalidPropertyException {
        List<String> problems = new ArrayList<>();

        TransportKind transport = TransportKind.GRAPH;
        if (v.transport() != null && !v.transport().isBlank()) {
            try {
                transport = TransportKind.valueOf(v.transport().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add("transport must be GRAPH or SMTP (was '" + v.transport().trim() + "')");
            }
        }

        String tenantId = trim(v.tenantId());
        boolean passwordOnly = "PASSWORD".equalsIgnoreCase(trim(v.authentication()));
        boolean managedIdentity = "MANAGED_IDENTITY".equalsIgnoreCase(trim(v.authentication()));
        if (tenantId == null && (passwordOnly || managedIdentity)) {
            // Basic authentication needs no Entra tenant; a managed identity knows its own.
        } else if (tenantId == null) {
            problems.add("tenantId is required: the Directory (tenant) ID from the app registration's Overview page"
                    + " in the Entra admin center, or the tenant's domain such as contoso.onmicrosoft.com");
        } else if (!GUID.matcher(tenantId).matches() && !DOMAIN.matcher(tenantId).matches()) {
            problems.add("tenantId must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47 or a domain such as "
                    + "contoso.onmicrosoft.com (was '" + tenantId + "')");
        }

        String clientId = trim(v.clientId());
        if (clientId == null && (passwordOnly || managedIdentity)) {
            // Basic authentication needs no app registration; without clientId the system-assigned identity is used.
        } else if (clientId == null) {
            problems.add("clientId is required: the Application (client) ID from the app registration's Overview"
                    + " page");
        } else if (!GUID.matcher(clientId).matches()) {
            problems.add("clientId must be the Application (client) ID, a GUID such as "
                    + "00000000-0000-0000-0000-000000000000 (was '" + clientId + "')");
        }

        AuthenticationMode authentication = AuthenticationMode.CLIENT_CREDENTIALS;
        if (v.authentication() != null && !v.authentication().isBlank()) {
            try {
                authentication = AuthenticationMode.valueOf(v.authentication().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add("authentication must be CLIENT_CREDENTIALS, DELEGATED, MANAGED_IDENTITY or PASSWORD (was '"
                        + v.authentication().trim() + "')");
            }
        }
        if (authentication == AuthenticationMode.PASSWORD && transport == TransportKind.GRAPH) {
            problems.add("authentication PASSWORD works with transport SMTP; with transport GRAPH use "
                    + "CLIENT_CREDENTIALS, MANAGED_IDENTITY or DELEGATED");
        }

        ClientCertificate certificate = null;
        String certificatePath = trim(v.certificatePath());
        if (certificatePath != null) {
            Path file = Path.of(certificatePath);
            if (!Files.isReadable(file)) {
                problems.add("certificatePath names no readable file (was '" + certificatePath + "'): give the full "
                        + "path of a PKCS#12 (.pfx/.p12) or PEM file with the private key and certificate");
            } else {
                try {
                    certificate = ClientCertificate.load(file, Secret.of(v.certificatePassword()));
                    if (certificate.notAfter().isBefore(java.time.Instant.now())) {
                        problems.add("the certificate in certificatePath (" + certificate.subject() + ") expired on "
                                + certificate.notAfter() + ": upload a new one to the app registration and replace "
                                + "the file");
                    }
                } catch (IOException | GeneralSecurityException e) {
                    problems.add("certificatePath '" + certificatePath + "' cannot be read with the given "
                            + "certificatePassword (" + e.getMessage() + ")");
                }
            }
        }

        Path tokenStoreFile = trim(v.tokenStoreFile()) == null ? null : Path.of(trim(v.tokenStoreFile()));
        Secret tokenStoreKey = Secret.of(v.tokenStoreKey());
        String tokenStoreDataSource = trim(v.tokenStoreDataSource());
        if (tokenStoreFile != null && tokenStoreDataSource != null) {
            problems.add("set tokenStoreFile or tokenStoreDataSource, not both: consents are kept in one place");
        }
        if ((tokenStoreFile != null || tokenStoreDataSource != null) && tokenStoreKey == null) {
            problems.add("tokenStoreKey is required with " + (tokenStoreFile != null ? "tokenStoreFile" : "tokenStoreDataSource")
                    + ": the passphrase the stored tokens are encrypted with (a password alias ${ALIAS=name} is "
                    + "recommended)");
        }
        TokenCacheKind tokenCache = TokenCacheKind.LOCAL;
        if (trim(v.tokenCache()) != null) {
            try {
                tokenCache = TokenCacheKind.valueOf(trim(v.tokenCache()).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add("tokenCache must be LOCAL or JCACHE (was '" + v.tokenCache().trim() + "')");
            }
        }
        if (tokenStoreKey != null && tokenStoreKey.reveal().length() < 16) {
            problems.add("tokenStoreKey must be at least 16 characters long");
        }
        Secret tokenCacheKey = Secret.of(v.tokenCacheKey());
        if (tokenCache == TokenCacheKind.JCACHE && tokenCacheKey == null) {
            problems.add("tokenCacheKey is required with tokenCache JCACHE: the passphrase (16+ characters, the same "
                    + "on every instance) access tokens are encrypted with in the cluster's shared cache, so that no "
                    + "member of the data grid holds a readable token (a password alias ${ALIAS=name} is recommended)");
        } else if (tokenCacheKey != null && tokenCacheKey.reveal().length() < 16) {
            problems.add("tokenCacheKey must be at least 16 characters long");
        }

        Secret clientSecret = Secret.of(v.clientSecret());
        if (authentication == AuthenticationMode.MANAGED_IDENTITY && (clientSecret != null || certificatePath != null)) {
            problems.add("authentication MANAGED_IDENTITY takes no clientSecret or certificatePath: Azure holds the "
                    + "identity's credentials; remove them, or use authentication CLIENT_CREDENTIALS");
        }
        if (clientSecret == null && certificatePath == null && authentication != AuthenticationMode.PASSWORD
                && authentication != AuthenticationMode.MANAGED_IDENTITY) {
            problems.add("clientSecret or certificatePath is required: the Value (not the Secret ID) of a client secret "
                    + "from the app registration's Certificates & secrets page, or a certificate uploaded there");
        }
        Secret password = Secret.of(v.password());
        if (authentication == AuthenticationMode.PASSWORD && password == null) {
            problems.add("password is required with authentication PASSWORD: the password of username");
        }

        Cloud cloud = Cloud.GLOBAL;
        if (trim(v.cloud()) != null) {
            try {
                cloud = Cloud.valueOf(trim(v.cloud()).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add("cloud must be GLOBAL, US_GOV, US_GOV_DOD or CHINA (was '" + v.cloud().trim() + "')");
            }
        }
        // The cloud sets the hosts; an explicit authorityUrl or graphUrl still wins (a proxy, the stand-in).
        String authorityUrl = https("authorityUrl", v.authorityUrl(), cloud.authorityUrl(), problems);
        String graphUrl = https("graphUrl", v.graphUrl(), cloud.graphUrl(), problems);

        InternetAddress fromAddress = null;
        String from = trim(v.fromAddress());
        if (from == null) {
            problems.add("fromAddress is required: the mailbox that sends, such as notifications@contoso.com");
        } else {
            try {
                fromAddress = new InternetAddress(from, true);
                if (fromAddress.getPersonal() != null || !fromAddress.getAddress().contains("@")) {
                    throw new AddressException("not a bare address");
                }
            } catch (AddressException e) {
                problems.add("fromAddress must be a plain e-mail address such as notifications@contoso.com (was '"
                        + from + "'); put a display name in fromName");
            }
        }

        String username = trim(v.username()) != null ? trim(v.username())
                : fromAddress == null ? null : fromAddress.getAddress();
        if (trim(v.username()) != null && authentication != AuthenticationMode.PASSWORD && !isAddress(username)) {
            problems.add("username must be the e-mail address (UPN) that signs in, such as app-sender@contoso.com "
                    + "(was '" + username + "')");
        }

        URI consentRedirectUri = consentRedirectUri(v.consentRedirectUri(), problems);

        if (authentication == AuthenticationMode.DELEGATED && transport == TransportKind.GRAPH && username != null
                && fromAddress != null && !username.equalsIgnoreCase(fromAddress.getAddress())) {
            problems.add("with transport GRAPH and authentication DELEGATED, fromAddress is the mailbox of the user "
                    + "who signs in: leave username unset (was '" + username + "'); to send as a shared mailbox, "
                    + "put it in allowedFromAddresses and grant the user Send As on it");
        }

        String smtpHost = trim(v.smtpHost()) == null ? cloud.smtpHost() : trim(v.smtpHost());
        int smtpPort = v.smtpPort() == null ? 587 : v.smtpPort();
        if (smtpPort < 1 || smtpPort > 65535) {
            problems.add("smtpPort must be between 1 and 65535; Exchange Online uses 587 (was " + smtpPort + ")");
        }
        SmtpTls smtpTls = smtpPort == 465 ? SmtpTls.IMPLICIT : SmtpTls.STARTTLS;
        if (trim(v.smtpTls()) != null) {
            try {
                smtpTls = SmtpTls.valueOf(trim(v.smtpTls()).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add("smtpTls must be STARTTLS, IMPLICIT or PLAINTEXT_LOOPBACK_ONLY (was '" + v.smtpTls() + "')");
            }
        }
        if (smtpTls == SmtpTls.PLAINTEXT_LOOPBACK_ONLY && !Loopback.isLoopback(smtpHost)) {
            problems.add("smtpTls PLAINTEXT_LOOPBACK_ONLY is only for a test server on this machine (a host name "
                    + "whose every address is a loopback address, such as 127.0.0.1, ::1 or localhost), not for "
                    + smtpHost + ": use STARTTLS (port 587) or IMPLICIT (port 465)");
        }
        SmtpLimits smtp = new SmtpLimits(atLeast("smtpMaxConcurrentSends", v.smtpMaxConcurrentSends(), 3, 0,
                problems));
        long maxMessageBytes = v.maxMessageBytes() == null ? DEFAULT_MAX_MESSAGE_BYTES : v.maxMessageBytes();
        if (maxMessageBytes < 1024) {
            problems.add("maxMessageBytes must be at least 1024 (was " + maxMessageBytes + ")");
        }

        List<InternetAddress> allowedFrom = new ArrayList<>();
        if (fromAddress != null) {
            allowedFrom.add(fromAddress);
        }
        if (trim(v.allowedFromAddresses()) != null) {
            for (String entry : v.allowedFromAddresses().split("[,;\\s]+")) {
                if (entry.isBlank()) {
                    continue;
                }
                try {
                    InternetAddress a = new InternetAddress(entry.trim(), true);
                    if (a.getPersonal() != null || !a.getAddress().contains("@")) {
                        throw new AddressException("not a bare address");
                    }
                    if (allowedFrom.stream().noneMatch(x -> x.getAddress().equalsIgnoreCase(a.getAddress()))) {
                        allowedFrom.add(a);
                    }
                } catch (AddressException e) {
                    problems.add("allowedFromAddresses must list plain e-mail addresses separated by commas (was '"
                            + entry.trim() + "')");
                }
            }
        }
        SendingLimits sending = new SendingLimits(List.copyOf(allowedFrom),
                atLeast("messagesPerMinute", v.messagesPerMinute(), 30, 0, problems),
                atLeast("maxRecipientsPerMessage", v.maxRecipientsPerMessage(), 500, 1, problems), maxMessageBytes);
        int sendTimeoutSeconds = atLeast("sendTimeoutSeconds", v.sendTimeoutSeconds(), 120, 1, problems);
        GraphOptions graph = new GraphOptions(v.saveToSentItems() == null || v.saveToSentItems(),
                atLeast("graphMaxConcurrentRequests", v.graphMaxConcurrentRequests(), 4, 0, problems),
                java.time.Duration.ofSeconds(sendTimeoutSeconds));
        Network network = network(v, problems);

        Path trustStorePath = null;
        Secret trustStorePassword = Secret.of(v.trustStorePassword());
        String trustStore = trim(v.trustStorePath());
        if (trustStore != null) {
            trustStorePath = Path.of(trustStore);
            String problem = checkTrustStore(trustStorePath, trustStorePassword);
            if (problem != null) {
                problems.add(problem);
            }
        }

        if (!problems.isEmpty()) {
            String message = (problems.size() == 1 ? "Invalid mail connector configuration: "
                    : "Invalid mail connector configuration (" + problems.size() + " problems): ")
                    + String.join("; ", problems);
            throw new InvalidPropertyException(message);
        }
        return new MailSettings(transport, tenantId, clientId, clientSecret, authorityUrl, graphUrl, fromAddress,
                trim(v.fromName()), smtpHost, smtpPort, trustStorePath, trustStorePassword, authentication,
                username, password, smtpTls, smtp, sending, cloud, graph, network, certificate, tokenStoreFile,
                tokenStoreKey, tokenStoreDataSource, tokenCache, consentRedirectUri, tokenCacheKey);
    }

    /**
     * The delegated permission a user consents to for {@code DELEGATED}: Graph's {@code Mail.Send} on
     * {@code graphUrl}, or Exchange Online's {@code SMTP.Send}.
     */
    public String delegatedScope() {
        return transport == TransportKind.GRAPH ? graphUrl + "/Mail.Send" : cloud.delegatedSmtpScope();
    }

    /** The scope for SMTP AUTH with client credentials: Exchange Online's resource in the configured cloud. */
    public String exchangeScope() {
        return cloud.exchangeScope();
    }

    /**
     * The consent's redirect URI: an absolute {@code https} URL, or {@code http} on this machine (Entra accepts
     * {@code http://localhost} redirect URIs for development:
     * https://learn.microsoft.com/en-us/entra/identity-platform/reply-url#localhost-exceptions), with no fragment.
     */
    private static URI consentRedirectUri(String value, List<String> problems) {
        String text = trim(value);
        if (text == null) {
            return null;
        }
        try {
            URI uri = new URI(text);
            boolean https = "https".equalsIgnoreCase(uri.getScheme());
            boolean localHttp = "http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null
                    && Loopback.isLoopback(uri.getHost());
            if (!(https || localHttp) || uri.getHost() == null || uri.getFragment() != null
                    || uri.getRawUserInfo() != null) {
                throw new URISyntaxException(text, "not an https URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            problems.add("consentRedirectUri must be the https address of the console's consent callback, as "
                    + "registered on the app registration (Authentication, platform Web), such as "
                    + "https://admin.contoso.com/m365-mail-console/consent/callback; http only for localhost (was '"
                    + text + "')");
            return null;
        }
    }

    private static Network network(Values v, List<String> problems) {
        String proxyHost = null;
        int proxyPort = 0;
        String proxyUser = null;
        Secret proxyPassword = null;
        String proxy = trim(v.httpProxy());
        if (proxy != null) {
            String hostPort = proxy;
            int at = proxy.lastIndexOf('@');
            if (at > 0) {
                String credentials = proxy.substring(0, at);
                hostPort = proxy.substring(at + 1);
                int colon = credentials.indexOf(':');
                proxyUser = colon < 0 ? credentials : credentials.substring(0, colon);
                proxyPassword = colon < 0 ? null : Secret.of(credentials.substring(colon + 1));
            }
            int colon = hostPort.lastIndexOf(':');
            try {
                proxyHost = hostPort.substring(0, colon);
                proxyPort = Integer.parseInt(hostPort.substring(colon + 1));
                if (proxyHost.isBlank() || proxyPort < 1 || proxyPort > 65535) {
                    throw new NumberFormatException();
                }
            } catch (RuntimeException e) {
                problems.add("httpProxy must be host:port, optionally user:password@host:port, such as "
                        + "proxy.contoso.com:3128");
                proxyHost = null;
            }
        }
        int connect = atLeast("connectTimeoutMillis", v.connectTimeoutMillis(), 10_000, 100, problems);
        int read = atLeast("readTimeoutMillis", v.readTimeoutMillis(), 60_000, 100, problems);
        return new Network(proxyHost, proxyPort, proxyUser, proxyPassword, java.time.Duration.ofMillis(connect),
                java.time.Duration.ofMillis(read));
    }

    /**
     * Whether SMTP signs in as another mailbox than the From address (Send on Behalf / Send As); a plain user name on
     * another SMTP server is no mailbox and sends nothing on behalf.
     */
    public boolean sendsOnBehalf() {
        return isAddress(username) && !username.equalsIgnoreCase(fromAddress.getAddress());
    }

    private static boolean isAddress(String value) {
        try {
            return value != null && new InternetAddress(value, true).getAddress().contains("@");
        } catch (AddressException e) {
            return false;
        }
    }

    private static int atLeast(String property, Integer value, int fallback, int minimum, List<String> problems) {
        int v = value == null ? fallback : value;
        if (v < minimum) {
            problems.add(property + " must be at least " + minimum + " (was " + v + ")");
        }
        return v;
    }

    /** Loads the trust store named by {@code trustStorePath}; only call on validated settings. */
    public KeyStore loadTrustStore() throws IOException, GeneralSecurityException {
        return load(trustStorePath, trustStorePassword);
    }

    private static String checkTrustStore(Path path, Secret password) {
        if (!Files.isReadable(path)) {
            return "trustStorePath names no readable file (was '" + path + "'); give the full path of a PKCS#12 "
                    + "or JKS file, or leave it empty to use the JVM's trusted certificates";
        }
        try {
            KeyStore store = load(path, password);
            if (store.size() == 0) {
                return "trustStorePath '" + path + "' holds no certificates";
            }
            return null;
        } catch (IOException | GeneralSecurityException e) {
            return "trustStorePath '" + path + "' cannot be read with the given trustStorePassword ("
                    + e.getMessage() + "); check the password and that the file is PKCS#12 or JKS";
        }
    }

    private static KeyStore load(Path path, Secret password) throws IOException, GeneralSecurityException {
        char[] pw = password == null ? null : password.reveal().toCharArray();
        // KeyStore.getInstance(File, char[]) detects PKCS#12 and JKS by content.
        return KeyStore.getInstance(path.toFile(), pw);
    }

    private static String https(String property, String value, String fallback, List<String> problems) {
        String url = trim(value) == null ? fallback : trim(value);
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        try {
            URI uri = new URI(url);
            if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null
                    || (uri.getPath() != null && !uri.getPath().isEmpty()) || uri.getQuery() != null) {
                throw new URISyntaxException(url, "not an https host");
            }
        } catch (URISyntaxException e) {
            problems.add(property + " must be an https URL with a host and no path, such as " + fallback
                    + " (was '" + value + "')");
        }
        return url;
    }

    private static String trim(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    @Override
    public String toString() {
        return "MailSettings[transport=" + transport + ", tenantId=" + tenantId + ", clientId=" + clientId
                + ", authorityUrl=" + authorityUrl + ", graphUrl=" + graphUrl + ", fromAddress=" + fromAddress
                + ", fromName=" + fromName + ", smtpHost=" + smtpHost + ", smtpPort=" + smtpPort
                + ", trustStorePath=" + trustStorePath + ", authentication=" + authentication + ", username="
                + username + ", smtpTls=" + smtpTls + ", " + smtp + ", " + sending + ", cloud=" + cloud + ", " + graph
                + ", " + network + ", consentRedirectUri=" + consentRedirectUri + ", tokenCache=" + tokenCache + "]";
    }
}
