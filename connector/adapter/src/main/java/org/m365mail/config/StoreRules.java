package org.m365mail.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Where tokens are kept beyond one request: delegated consents (a file or a database, sealed with
 * {@code tokenStoreKey}), the cluster's shared access tokens (sealed with {@code tokenCacheKey}), and where a consent's
 * sign-in returns ({@code consentRedirectUri}).
 */
final class StoreRules {

    /**
     * @param tokenStoreFile       the encrypted file consents are kept in, or {@code null}
     * @param tokenStoreKey        the passphrase the store's entries are sealed with, or {@code null}
     * @param tokenStoreDataSource the JNDI name of the JDBC data source consents are kept in, or {@code null}
     * @param tokenCache           this JVM only, or shared through JCache
     * @param tokenCacheKey        the passphrase the shared cache's entries are sealed with, or {@code null}
     * @param consentRedirectUri   where Entra sends the browser back after a consent, or {@code null}
     */
    record Stores(Path tokenStoreFile, Secret tokenStoreKey, String tokenStoreDataSource, TokenCacheKind tokenCache,
                  Secret tokenCacheKey, URI consentRedirectUri) {
    }

    private StoreRules() {
    }

    static Stores check(MailProperties p, Problems problems) {
        String file = Problems.trim(p.getTokenStoreFile());
        Path tokenStoreFile = file == null ? null : Path.of(file);
        Secret tokenStoreKey = Secret.of(p.getTokenStoreKey());
        String tokenStoreDataSource = Problems.trim(p.getTokenStoreDataSource());
        if (tokenStoreDataSource != null && !JndiNames.isGlobal(tokenStoreDataSource)) {
            // Looked up from the connector's own thread, where only the server's global names resolve.
            problems.add(JndiNames.problem("tokenStoreDataSource", tokenStoreDataSource,
                    "a JDBC resource (e.g. jdbc/mailTokens)"));
            tokenStoreDataSource = null;
        }
        if (tokenStoreFile != null && tokenStoreDataSource != null) {
            problems.add("set tokenStoreFile or tokenStoreDataSource, not both: consents are kept in one place");
        }
        if ((tokenStoreFile != null || tokenStoreDataSource != null) && tokenStoreKey == null) {
            problems.add("tokenStoreKey is required with " + (tokenStoreFile != null ? "tokenStoreFile"
                    : "tokenStoreDataSource") + ": the passphrase the stored tokens are encrypted with (a password "
                    + "alias ${ALIAS=name} is recommended)");
        }
        if (tokenStoreKey != null && tokenStoreKey.reveal().length() < 16) {
            problems.add("tokenStoreKey must be at least 16 characters long");
        }

        TokenCacheKind tokenCache = problems.choice("tokenCache", p.getTokenCache(), TokenCacheKind.class,
                PropertyDefaults.TOKEN_CACHE);
        Secret tokenCacheKey = Secret.of(p.getTokenCacheKey());
        if (tokenCache == TokenCacheKind.JCACHE && tokenCacheKey == null) {
            problems.add("tokenCacheKey is required with tokenCache JCACHE: the passphrase (16+ characters, the same "
                    + "on every instance) access tokens are encrypted with in the cluster's shared cache, so that no "
                    + "member of the data grid holds a readable token (a password alias ${ALIAS=name} is recommended)");
        } else if (tokenCacheKey != null && tokenCacheKey.reveal().length() < 16) {
            problems.add("tokenCacheKey must be at least 16 characters long");
        }
        return new Stores(tokenStoreFile, tokenStoreKey, tokenStoreDataSource, tokenCache, tokenCacheKey,
                consentRedirectUri(p.getConsentRedirectUri(), problems));
    }

    /**
     * The consent's redirect URI: an absolute {@code https} URL, or {@code http} on this machine (Entra accepts
     * {@code http://localhost} redirect URIs for development:
     * https://learn.microsoft.com/en-us/entra/identity-platform/reply-url#localhost-exceptions), with no fragment.
     */
    private static URI consentRedirectUri(String value, Problems problems) {
        String text = Problems.trim(value);
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
}
