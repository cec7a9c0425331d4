package org.m365mail.transport;

import org.m365mail.api.MailSendException;
import org.m365mail.auth.CachedTokenSource;
import org.m365mail.auth.MsalClientCredentials;
import org.m365mail.auth.TokenSource;
import org.m365mail.config.AuthenticationMode;
import org.m365mail.config.MailSettings;
import org.m365mail.config.TlsTrust;
import org.m365mail.transport.graph.GraphTransport;
import org.m365mail.transport.smtp.SmtpXoauth2Transport;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.net.http.HttpClient;
import java.time.Clock;

/** Builds the transport that validated settings ask for, with its token source and TLS trust. */
public final class MailTransports {

    private MailTransports() {
    }

    public static MailTransport create(MailSettings settings) throws MailSendException {
        SSLContext tls = tls(settings);
        Clock clock = Clock.systemUTC();
        HttpClient http = ConnectorHttpClient.build(settings, tls);
        return switch (settings.transport()) {
            case GRAPH -> new GraphTransport(settings, settings.authentication() == AuthenticationMode.DELEGATED
                    ? delegatedTokens(settings, http, clock, "Microsoft Graph for " + settings.username())
                    : cached(settings, settings.graphScope(), appTokens(settings, settings.graphScope(), http, clock),
                    clock, "Microsoft Graph (" + identity(settings) + ")"), http, clock);
            case SMTP -> new SmtpXoauth2Transport(settings, smtpTokens(settings, http, clock), tls, clock);
        };
    }

    /** The TLS trust the settings ask for. */
    public static SSLContext tls(MailSettings settings) throws MailSendException {
        try {
            return TlsTrust.context(settings);
        } catch (IOException | GeneralSecurityException e) {
            throw new MailSendException("Cannot set up TLS trust from trustStorePath " + settings.trustStorePath()
                    + ": " + e.getMessage(), e);
        }
    }

    private static TokenSource smtpTokens(MailSettings settings, HttpClient http, Clock clock)
            throws MailSendException {
        if (settings.authentication() == AuthenticationMode.PASSWORD) {
            return null;
        }
        if (settings.authentication() == AuthenticationMode.DELEGATED) {
            return delegatedTokens(settings, http, clock, "Exchange Online SMTP for " + settings.username());
        }
        return cached(settings, settings.exchangeScope(), appTokens(settings, settings.exchangeScope(), http, clock),
                clock, "Exchange Online SMTP (" + identity(settings) + ")");
    }

    /**
     * The one token cache of a pool: in this JVM, or (tokenCache JCACHE, where the server has JCache) shared with the
     * cluster under a key naming authority, tenant, identity, scope and, for a user's consent, the user.
     */
    private static CachedTokenSource cached(MailSettings settings, String scope, org.m365mail.auth.TokenRequest request,
                                            Clock clock, String description) {
        if (settings.tokenCache() == org.m365mail.config.TokenCacheKind.JCACHE) {
            java.util.Optional<org.m365mail.auth.SharedTokenCache> shared = org.m365mail.auth.JCacheSharedTokens.open(
                    settings.tokenCacheKey());
            if (shared.isPresent()) {
                String key = String.join("|", settings.authorityUrl(), String.valueOf(settings.tenantId()),
                        settings.authentication().name(), String.valueOf(settings.clientId()), scope,
                        settings.authentication() == AuthenticationMode.DELEGATED ? settings.username() : "app");
                return CachedTokenSource.shared(request, clock, description, shared.get(),
                        key.toLowerCase(java.util.Locale.ROOT));
            }
        }
        return new CachedTokenSource(request, clock, description);
    }

    /** A user's tokens from the consent kept in the pool's token store. */
    private static TokenSource delegatedTokens(MailSettings settings, HttpClient http, Clock clock,
                                               String description) throws MailSendException {
        return cached(settings, settings.delegatedScope(), new org.m365mail.auth.MsalDelegatedTokens(settings,
                settings.delegatedScope(), http, refreshTokenStore(settings),
                org.m365mail.auth.MsalDelegatedTokens.storeKey(settings), clock), clock, description);
    }

    /** App-only tokens: the app registration's client credentials, or the Azure resource's managed identity. */
    private static org.m365mail.auth.TokenRequest appTokens(MailSettings settings, String scope, HttpClient http,
                                                           Clock clock) throws MailSendException {
        if (settings.authentication() == AuthenticationMode.MANAGED_IDENTITY) {
            return new org.m365mail.auth.MsalManagedIdentity(settings,
                    org.m365mail.auth.MsalManagedIdentity.resourceOf(scope), http, clock);
        }
        return new MsalClientCredentials(settings, scope, http, clock);
    }

    private static String identity(MailSettings settings) {
        if (settings.authentication() == AuthenticationMode.MANAGED_IDENTITY) {
            return settings.clientId() == null ? "system-assigned managed identity"
                    : "managed identity " + settings.clientId();
        }
        return "client " + settings.clientId();
    }

    /**
     * Where a pool keeps its delegated consent: the JDBC data source, the encrypted file, or (by default) this JVM's
     * memory. Pools that name the same place with the same {@code tokenStoreKey} share one store; a pool with another
     * key gets a store of its own, which reads and writes only the entries sealed with its key (the file's writes are
     * serialized per file, whoever makes them).
     */
    public static org.m365mail.auth.RefreshTokenStore refreshTokenStore(MailSettings settings) {
        String key = keyDigest(settings.tokenStoreKey());
        if (settings.tokenStoreDataSource() != null) {
            return STORES.computeIfAbsent("jdbc:" + settings.tokenStoreDataSource() + "|" + key,
                    n -> new org.m365mail.auth.JdbcRefreshTokenStore(settings.tokenStoreDataSource(),
                            settings.tokenStoreKey()));
        }
        if (settings.tokenStoreFile() != null) {
            return STORES.computeIfAbsent("file:" + settings.tokenStoreFile().toAbsolutePath().normalize() + "|" + key,
                    f -> new org.m365mail.auth.EncryptedFileRefreshTokenStore(settings.tokenStoreFile(),
                            settings.tokenStoreKey(), FILE_LOCKS.computeIfAbsent(
                                    settings.tokenStoreFile().toAbsolutePath().normalize(), p -> new Object())));
        }
        return MEMORY;
    }

    /** A digest of the key, to tell stores apart without keeping the key itself in a map's key. */
    private static String keyDigest(org.m365mail.config.Secret key) {
        if (key == null) {
            return "-";
        }
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("m365-mail-store|" + key.reveal()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final org.m365mail.auth.RefreshTokenStore MEMORY = new org.m365mail.auth.InMemoryRefreshTokenStore();
    private static final java.util.Map<String, org.m365mail.auth.RefreshTokenStore> STORES =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.Map<java.nio.file.Path, Object> FILE_LOCKS =
            new java.util.concurrent.ConcurrentHashMap<>();
}
