package org.m365mail.auth;

import org.m365mail.api.MailSendException;
import org.m365mail.config.Secret;

import org.m365mail.runtime.DataGrid;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.naming.NamingException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Shares access tokens through the server's JCache (JSR 107): on Payara, the Hazelcast data grid, whose caches every
 * member of the cluster sees. The cache manager is the one the server binds in JNDI ({@value #JNDI_NAME}); asking
 * {@code Caching.getCachingProvider()} instead would start a separate Hazelcast client, not join the server's grid.
 *
 * <p>Every member of the data grid holds the entries, and a grid's members and backups are not all as well guarded as
 * this server, so an entry never holds a readable token: {@code acquiredAt expiresAt token} is sealed by
 * {@link TokenCipher} (AES-256-GCM) under {@code tokenCacheKey}, with the entry's name as associated data, so an entry
 * moved to another name or altered is not used. Entries are strings, so no class of the connector has to be known to
 * the grid's serializer, and they expire two hours after they are written, past any access token's life. An entry
 * this instance cannot open (another key, tampering) is ignored: the instance fetches a token of its own.
 */
public final class JCacheSharedTokens implements SharedTokenCache {

    /** Where Payara binds its JCache CacheManager. */
    public static final String JNDI_NAME = DataGrid.JNDI_NAME;
    static final String CACHE_NAME = "m365-mail-access-tokens";
    private static final Logger LOG = Logger.getLogger(JCacheSharedTokens.class.getName());

    private static final String VERSION = "v1:";

    private final Cache<String, String> cache;
    private final TokenCipher cipher;

    private JCacheSharedTokens(Cache<String, String> cache, TokenCipher cipher) {
        this.cache = cache;
        this.cipher = cipher;
    }

    /**
     * The server's shared token cache, or empty (with one WARNING per JVM) where the server offers no JCache: the
     * connector then caches tokens per instance, as with {@code tokenCache=LOCAL}.
     *
     * @param key    the passphrase entries are sealed with ({@code tokenCacheKey})
     * @param warned whether the deployment has warned already that there is no JCache
     */
    public static Optional<SharedTokenCache> open(Secret key, AtomicBoolean warned) {
        try {
            return Optional.of(new JCacheSharedTokens(DataGrid.strings(CACHE_NAME,
                    CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.HOURS, 2))), new TokenCipher(key)));
        } catch (NamingException | CacheException | ClassCastException | LinkageError e) {
            if (warned.compareAndSet(false, true)) {
                LOG.warning("M365MAIL-2401 tokenCache is JCACHE but this server offers no JCache at " + JNDI_NAME
                        + " (" + e + "); each instance caches its own tokens, as with tokenCache=LOCAL. On Payara, "
                        + "keep Hazelcast on (no --noHazelcast).");
            }
            return Optional.empty();
        }
    }

    /** Shares tokens through {@code cache}, sealed with {@code key}: what {@link #open} does with the server's. */
    static SharedTokenCache over(Cache<String, String> cache, Secret key) {
        return new JCacheSharedTokens(cache, new TokenCipher(key));
    }

    @Override
    public Optional<AccessToken> get(String key) {
        try {
            String entry = cache.get(key);
            if (entry == null) {
                return Optional.empty();
            }
            if (!entry.startsWith(VERSION)) {
                return Optional.empty(); // written unsealed by an older connector: not trusted
            }
            String[] parts = cipher.open(key, entry.substring(VERSION.length()), TokenCipher.saltFor(key))
                    .split(" ", 3);
            return Optional.of(new AccessToken(parts[2], Instant.ofEpochMilli(Long.parseLong(parts[0])),
                    Instant.ofEpochMilli(Long.parseLong(parts[1]))));
        } catch (java.security.GeneralSecurityException e) {
            LOG.fine(() -> "M365MAIL-2404 An entry of the shared token cache cannot be opened with this instance's "
                    + "tokenCacheKey (another key on another instance, or altered); fetching a token instead");
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "M365MAIL-2402 Reading the shared token cache failed; fetching a token instead", e);
            return Optional.empty();
        }
    }

    @Override
    public void put(String key, AccessToken token) {
        try {
            cache.put(key, VERSION + cipher.seal(key, token.acquiredAt().toEpochMilli() + " "
                    + token.expiresAt().toEpochMilli() + " " + token.value(), TokenCipher.saltFor(key)));
        } catch (MailSendException | RuntimeException e) {
            LOG.log(Level.FINE, "M365MAIL-2403 Writing the shared token cache failed; other instances fetch their own",
                    e);
        }
    }

    @Override
    public String toString() {
        return "JCacheSharedTokens[" + CACHE_NAME + "]";
    }
}
