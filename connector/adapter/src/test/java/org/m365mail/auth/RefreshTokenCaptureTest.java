package org.m365mail.auth;

import com.microsoft.aad.msal4j.ITokenCache;
import com.microsoft.aad.msal4j.ITokenCacheAccessContext;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The refresh token msal4j keeps to itself, read out of its cache after each change. */
class RefreshTokenCaptureTest {

    private static final String CACHE = "{\"AccessToken\":{},\"RefreshToken\":{"
            + "\"k1\":{\"client_id\":\"app-1\",\"home_account_id\":\"user-a\",\"secret\":\"rt-a\"},"
            + "\"k2\":{\"client_id\":\"app-1\",\"home_account_id\":\"user-b\",\"secret\":\"rt-b\"},"
            + "\"k3\":{\"client_id\":\"app-2\",\"home_account_id\":\"user-a\",\"secret\":\"rt-other-app\"}}}";

    /** msal4j's view of its cache after an access: changed or not, serialized as {@code json}. */
    private static ITokenCacheAccessContext access(boolean changed, String json) {
        ITokenCache cache = new ITokenCache() {
            @Override
            public void deserialize(String data) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String serialize() {
                return json;
            }
        };
        return (ITokenCacheAccessContext) Proxy.newProxyInstance(RefreshTokenCaptureTest.class.getClassLoader(),
                new Class<?>[]{ITokenCacheAccessContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "hasCacheChanged" -> changed;
                    case "tokenCache" -> cache;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void theRefreshTokenOfTheAppAndAccountIsFound() {
        RefreshTokenCapture capture = new RefreshTokenCapture();
        assertNull(capture.latest("app-1"), "nothing seen yet");
        capture.beforeCacheAccess(access(true, "{}"));
        assertNull(capture.latest("app-1"), "only what follows an access counts");
        capture.afterCacheAccess(access(true, CACHE));
        assertEquals("rt-a", capture.latest("APP-1", "USER-A"), "ids whatever their case");
        assertEquals("rt-b", capture.latest("app-1", "user-b"));
        assertEquals("rt-other-app", capture.latest("app-2"));
        assertEquals("rt-b", capture.latest("app-1"), "any account: the last one listed");
        assertNull(capture.latest("app-3"));
        assertNull(capture.latest("app-2", "user-b"));
    }

    @Test
    void anUnchangedCacheLeavesTheTokenAsItWasAndClearForgetsIt() {
        RefreshTokenCapture capture = new RefreshTokenCapture();
        capture.afterCacheAccess(access(true, CACHE));
        capture.afterCacheAccess(access(false, "{\"RefreshToken\":{}}"));
        assertEquals("rt-a", capture.latest("app-1", "user-a"));
        capture.afterCacheAccess(access(true, "{\"AccessToken\":{}}"));
        assertNull(capture.latest("app-1"), "a cache without refresh tokens");
        capture.afterCacheAccess(access(true, CACHE));
        capture.clear();
        assertNull(capture.latest("app-1"));
    }
}
