package org.m365mail.config;

import jakarta.mail.internet.InternetAddress;
import jakarta.resource.spi.InvalidPropertyException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Instant;
import java.util.List;

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
 * @param certificatePath    the file {@code certificate} was read from (watched for a replacement), or {@code null}
 * @param certificatePassword its password, or {@code null}
 * @param clientSecretExpires when the client secret expires, as the administrator gave it, or {@code null}
 * @param operations         who is told of failures, and when the pool counts as not ready
 * @param delivery           what a send inside a transaction does, the bound on waiting sends, and the outbox
 */
public record MailSettings(TransportKind transport, String tenantId, String clientId, Secret clientSecret,
                           String authorityUrl, String graphUrl, InternetAddress fromAddress, String fromName,
                           String smtpHost, int smtpPort, Path trustStorePath, Secret trustStorePassword,
                           AuthenticationMode authentication, String username, Secret password,
                           SmtpTls smtpTls, SmtpLimits smtp, SendingLimits sending, Cloud cloud, GraphOptions graph,
                           Network network, ClientCertificate certificate, Path tokenStoreFile, Secret tokenStoreKey,
                           String tokenStoreDataSource, TokenCacheKind tokenCache, URI consentRedirectUri,
                           Secret tokenCacheKey, Path certificatePath, Secret certificatePassword,
                           Instant clientSecretExpires, Operations operations, Delivery delivery) {

    /**
     * How messages not sent on the caller's thread are handled.
     *
     * @param transactionalSend    what {@code send} does inside a JTA transaction
     * @param pendingSendsLimit    how many messages may wait in memory for their send (sendAsync, after commit)
     * @param pendingSendsWait     how long a caller waits for room before it is refused
     * @param outboxDataSource     the JNDI name of the outbox's JDBC data source, or {@code null} for no outbox
     * @param outboxThreads        how many threads of each instance deliver from the outbox
     * @param outboxRetry          how long a message that keeps failing is retried before it is marked failed
     * @param outboxKeepDelivered  how long delivered messages stay in the outbox's table (counts, idempotency)
     * @param inDoubt              what happens to a message whose send's outcome is unknown
     */
    public record Delivery(TransactionalSend transactionalSend, int pendingSendsLimit,
                           java.time.Duration pendingSendsWait, String outboxDataSource, int outboxThreads,
                           java.time.Duration outboxRetry, java.time.Duration outboxKeepDelivered,
                           InDoubtPolicy inDoubt) {

        // Written out: a record's generated toString() would leave this class in a JDK-wide cache (JDK-8078641),
        // keeping an undeployed RAR's class loader; the settings are logged when a factory is configured.
        @Override
        public String toString() {
            return "Delivery[transactionalSend=" + transactionalSend + ", pendingSendsLimit=" + pendingSendsLimit
                    + ", pendingSendsWait=" + pendingSendsWait + ", outboxDataSource=" + outboxDataSource
                    + ", outboxThreads=" + outboxThreads + ", outboxRetry=" + outboxRetry + ", outboxKeepDelivered="
                    + outboxKeepDelivered + ", inDoubt=" + inDoubt + "]";
        }

        /** Today's defaults, without an outbox. */
        public static Delivery defaults() {
            return new Delivery(PropertyDefaults.TRANSACTIONAL_SEND, PropertyDefaults.PENDING_SENDS_LIMIT,
                    java.time.Duration.ofMillis(PropertyDefaults.PENDING_SENDS_WAIT_MILLIS), null,
                    PropertyDefaults.OUTBOX_DELIVERY_THREADS,
                    java.time.Duration.ofHours(PropertyDefaults.OUTBOX_RETRY_HOURS),
                    java.time.Duration.ofHours(PropertyDefaults.OUTBOX_KEEP_DELIVERED_HOURS),
                    PropertyDefaults.OUTBOX_IN_DOUBT);
        }
    }

    /**
     * How the factory is watched and who is told.
     *
     * @param alertAddresses    who receives failure alerts, recovery and expiry notices; empty: the server's log only
     * @param alertInterval     at most one alert per kind of failure in this time
     * @param alertFallbackFactory the JNDI name of the connection factory alerts go through when this one cannot
     *                          send, or {@code null} (then the server's log)
     * @param unhealthyAfter    how long sends may keep failing before the pool is reported not ready
     * @param expiryWarning     how far ahead an expiring secret or certificate is announced
     */
    public record Operations(List<InternetAddress> alertAddresses, java.time.Duration alertInterval,
                             String alertFallbackFactory, java.time.Duration unhealthyAfter,
                             java.time.Duration expiryWarning) {
        @Override
        public String toString() {
            return "Operations[alertAddresses=" + alertAddresses.stream().map(InternetAddress::getAddress).toList()
                    + ", alertInterval=" + alertInterval + ", alertFallbackFactory=" + alertFallbackFactory
                    + ", unhealthyAfter=" + unhealthyAfter + ", expiryWarning=" + expiryWarning + "]";
        }
    }

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
     * @param scope                whether the pace and the concurrency limits count this instance's sends or the
     *                             whole cluster's
     */
    public record SendingLimits(List<InternetAddress> allowedFromAddresses, int messagesPerMinute, int maxRecipients,
                                long maxMessageBytes, LimitsScope scope) {
        @Override
        public String toString() {
            return "SendingLimits[allowedFromAddresses=" + allowedFromAddresses.stream()
                    .map(InternetAddress::getAddress).toList() + ", messagesPerMinute=" + messagesPerMinute
                    + ", maxRecipients=" + maxRecipients + ", maxMessageBytes=" + maxMessageBytes + ", scope=" + scope
                    + "]";
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



    /** The scope to ask Entra for when sending through Graph: {@code {graphUrl}/.default}. */
    public String graphScope() {
        return graphUrl + "/.default";
    }

    /** The authority msal4j talks to: {@code {authorityUrl}/{tenantId}/}. */
    public String tenantAuthority() {
        return authorityUrl + "/" + tenantId + "/";
    }

    /**
     * Checks every property, concern by concern (how it sends and signs in, who it is, what it signs in with, where it
     * reaches Microsoft, what may be sent, where tokens are kept), and builds the settings.
     *
     * @throws InvalidPropertyException naming each property that is missing or wrong and how to fix it
     */
    public static MailSettings validate(MailProperties p) throws InvalidPropertyException {
        Problems problems = new Problems();
        ModeRules.Modes modes = ModeRules.check(p, problems);
        IdentityRules.Identity identity = IdentityRules.check(p, modes, problems);
        CredentialRules.Credentials credentials = CredentialRules.check(p, modes.authentication(), problems);
        EndpointRules.Endpoints endpoints = EndpointRules.check(p, problems);
        LimitRules.Limits limits = LimitRules.check(p, identity.fromAddress(), problems);
        StoreRules.Stores stores = StoreRules.check(p, problems);
        Operations operations = OperationRules.check(p, problems);
        Delivery delivery = DeliveryRules.check(p, problems);
        AliasRules.check(p, problems);
        problems.throwIfAny();
        return new MailSettings(modes.transport(), identity.tenantId(), identity.clientId(),
                credentials.clientSecret(), endpoints.authorityUrl(), endpoints.graphUrl(), identity.fromAddress(),
                identity.fromName(), endpoints.smtpHost(), endpoints.smtpPort(), endpoints.trustStorePath(),
                endpoints.trustStorePassword(), modes.authentication(), identity.username(), credentials.password(),
                endpoints.smtpTls(), limits.smtp(), limits.sending(), endpoints.cloud(), limits.graph(),
                endpoints.network(), credentials.certificate(), stores.tokenStoreFile(), stores.tokenStoreKey(),
                stores.tokenStoreDataSource(), stores.tokenCache(), stores.consentRedirectUri(),
                stores.tokenCacheKey(), credentials.certificate() == null ? null
                        : Path.of(p.getCertificatePath().trim()).toAbsolutePath(),
                Secret.of(p.getCertificatePassword()), credentials.clientSecretExpires(), operations, delivery);
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
     * Whether SMTP signs in as another mailbox than the From address (Send on Behalf / Send As); a plain user name on
     * another SMTP server is no mailbox and sends nothing on behalf.
     */
    public boolean sendsOnBehalf() {
        return IdentityRules.isAddress(username) && !username.equalsIgnoreCase(fromAddress.getAddress());
    }

    /** Loads the trust store named by {@code trustStorePath}; only call on validated settings. */
    public KeyStore loadTrustStore() throws IOException, GeneralSecurityException {
        return EndpointRules.load(trustStorePath, trustStorePassword);
    }

    @Override
    public String toString() {
        return "MailSettings[transport=" + transport + ", tenantId=" + tenantId + ", clientId=" + clientId
                + ", authorityUrl=" + authorityUrl + ", graphUrl=" + graphUrl + ", fromAddress=" + fromAddress
                + ", fromName=" + fromName + ", smtpHost=" + smtpHost + ", smtpPort=" + smtpPort
                + ", trustStorePath=" + trustStorePath + ", authentication=" + authentication + ", username="
                + username + ", smtpTls=" + smtpTls + ", " + smtp + ", " + sending + ", cloud=" + cloud + ", " + graph
                + ", " + network + ", consentRedirectUri=" + consentRedirectUri + ", tokenCache=" + tokenCache
                + (certificatePath == null ? "" : ", certificatePath=" + certificatePath)
                + (clientSecretExpires == null ? "" : ", clientSecretExpires=" + clientSecretExpires) + ", "
                + operations + ", " + delivery + "]";
    }
}
