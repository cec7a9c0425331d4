package org.m365mail.auth;

import org.junit.jupiter.api.Test;
import org.m365mail.config.Secret;

import javax.cache.Cache;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the cluster's shared cache holds: sealed tokens only, opened by instances with the same tokenCacheKey, and
 * ignored (not trusted) when sealed with another key, moved to another name or altered.
 */
class SharedTokenSealingTest {

    private static final String KEY = "cluster-key-sixteen-plus";
    private static final String TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.payload-of-the-access-token.signature";

    /** A cache backed by a map, as the data grid's would be seen by every member. */
    @SuppressWarnings("unchecked")
    private static Cache<String, String> grid(Map<String, String> entries) {
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

    @Test
    void theGridHoldsNoReadableTokenAndAnInstanceWithTheKeyOpensIt() {
        Map<String, String> entries = new ConcurrentHashMap<>();
        AccessToken token = new AccessToken(TOKEN, Instant.parse("2026-12-02T10:00:00Z"),
                Instant.parse("2026-12-02T11:00:00Z"));
        JCacheSharedTokens.over(grid(entries), Secret.of(KEY)).put("tenant|graph|app", token);

        String stored = entries.get("tenant|graph|app");
        assertTrue(stored.startsWith("v1:"), stored);
        assertFalse(stored.contains(TOKEN) || stored.contains("eyJ") || stored.contains("payload"), stored);
        assertFalse(stored.contains(String.valueOf(token.expiresAt().toEpochMilli())), "the times are sealed too");

        SharedTokenCache otherInstance = JCacheSharedTokens.over(grid(entries), Secret.of(KEY));
        assertEquals(token, otherInstance.get("tenant|graph|app").orElseThrow());
    }

    @Test
    void anEntryUnderAnotherKeyMovedOrAlteredIsNotUsed() {
        Map<String, String> entries = new ConcurrentHashMap<>();
        AccessToken token = new AccessToken(TOKEN, Instant.now(), Instant.now().plusSeconds(3600));
        JCacheSharedTokens.over(grid(entries), Secret.of(KEY)).put("tenant|graph|app", token);

        assertTrue(JCacheSharedTokens.over(grid(entries), Secret.of("another-key-sixteen-plus"))
                .get("tenant|graph|app").isEmpty(), "another key opens nothing");

        entries.put("tenant|smtp|app", entries.get("tenant|graph|app"));
        SharedTokenCache cache = JCacheSharedTokens.over(grid(entries), Secret.of(KEY));
        assertTrue(cache.get("tenant|smtp|app").isEmpty(), "an entry moved to another name is not a token for it");

        String sealed = entries.get("tenant|graph|app");
        int at = sealed.length() - 10;
        entries.put("tenant|graph|app", sealed.substring(0, at) + (sealed.charAt(at) == 'A' ? 'B' : 'A')
                + sealed.substring(at + 1));
        assertTrue(cache.get("tenant|graph|app").isEmpty(), "an altered entry is not used");

        entries.put("tenant|graph|app", "1796215246727 1796218846727 " + TOKEN);
        assertTrue(cache.get("tenant|graph|app").isEmpty(), "an unsealed entry is not trusted");
    }
}
