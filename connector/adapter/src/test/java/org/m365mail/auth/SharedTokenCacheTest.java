package org.m365mail.auth;

import org.junit.jupiter.api.Test;
import org.m365mail.config.Secret;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.TestNaming;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's shared token cache: found in JNDI where the server binds a JCache manager, absent with one warning where
 * it binds something else or nothing; and entries that cannot be read or written leave each instance its own tokens.
 */
class SharedTokenCacheTest {

    private static final Secret KEY = Secret.of("cluster-key-sixteen-plus");
    /** The server's naming tree with {@code atJndiName} bound at the cache manager's name, or nothing. */
    private static AutoCloseable naming(Object atJndiName) {
        return TestNaming.install(atJndiName == null ? Map.of() : Map.of(JCacheSharedTokens.JNDI_NAME, atJndiName));
    }

    @SuppressWarnings("unchecked")
    private static Cache<String, String> map(Map<String, String> entries) {
        return (Cache<String, String>) Proxy.newProxyInstance(Cache.class.getClassLoader(), new Class<?>[]{Cache.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "get" -> entries.get((String) args[0]);
                    case "put" -> {
                        entries.put((String) args[0], (String) args[1]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A cache manager that has {@code cache} under the token cache's name. */
    private static CacheManager manager(Cache<String, String> cache) {
        return (CacheManager) Proxy.newProxyInstance(CacheManager.class.getClassLoader(),
                new Class<?>[]{CacheManager.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getCache" -> JCacheSharedTokens.CACHE_NAME.equals(args[0]) ? cache : null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void theServersGridIsFoundInJndiAndSharesSealedTokens() throws Exception {
        Map<String, String> entries = new ConcurrentHashMap<>();
        AccessToken token = new AccessToken("eyJ.token.value", Instant.parse("2026-12-02T10:00:00Z"),
                Instant.parse("2026-12-02T11:00:00Z"));
        AtomicBoolean warned = new AtomicBoolean();
        try (AutoCloseable n = naming(manager(map(entries)));
             CapturedLog log = new CapturedLog(JCacheSharedTokens.class)) {
            SharedTokenCache shared = JCacheSharedTokens.open(KEY, warned).orElseThrow();
            shared.put("tenant|graph|app", token);
            assertTrue(entries.get("tenant|graph|app").startsWith("v1:"));
            assertEquals(Optional.of(token), JCacheSharedTokens.open(KEY, warned).orElseThrow()
                    .get("tenant|graph|app"));
            assertEquals(Optional.empty(), shared.get("tenant|graph|other"));
            assertTrue(log.warnings().isEmpty());
            assertFalse(warned.get());
            assertEquals("JCacheSharedTokens[m365-mail-access-tokens]", shared.toString());
        }
    }

    @Test
    void somethingElseAtTheJndiNameMeansNoSharedCacheWithOneWarning() throws Exception {
        AtomicBoolean warned = new AtomicBoolean();
        try (AutoCloseable n = naming("not a cache manager");
             CapturedLog log = new CapturedLog(JCacheSharedTokens.class)) {
            assertTrue(JCacheSharedTokens.open(KEY, warned).isEmpty());
            assertTrue(JCacheSharedTokens.open(KEY, warned).isEmpty());
            assertTrue(warned.get());
            assertEquals(1, log.warnings().size(), "once per deployment");
            assertTrue(log.warnings().get(0).getMessage().startsWith("M365MAIL-2401"));
        }
        try (AutoCloseable n = naming(null);
             CapturedLog log = new CapturedLog(JCacheSharedTokens.class)) {
            assertTrue(JCacheSharedTokens.open(KEY, new AtomicBoolean()).isEmpty());
            assertEquals(1, log.warnings().size(), "a new deployment warns again");
        }
    }

    @Test
    void entriesThatCannotBeOpenedOrAGridThatFailsLeaveEachInstanceItsOwnTokens() {
        Map<String, String> entries = new ConcurrentHashMap<>();
        SharedTokenCache cache = JCacheSharedTokens.over(map(entries), KEY);
        entries.put("k", "v1:***not-base64***");
        assertEquals(Optional.empty(), cache.get("k"));

        @SuppressWarnings("unchecked")
        Cache<String, String> failing = (Cache<String, String>) Proxy.newProxyInstance(
                Cache.class.getClassLoader(), new Class<?>[]{Cache.class}, (proxy, method, args) -> {
                    throw new IllegalStateException("the grid lost its members");
                });
        SharedTokenCache broken = JCacheSharedTokens.over(failing, KEY);
        assertEquals(Optional.empty(), broken.get("k"));
        broken.put("k", new AccessToken("t", Instant.EPOCH, Instant.EPOCH.plusSeconds(60))); // no exception
    }
}
