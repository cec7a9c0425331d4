package org.m365mail.auth;

import com.microsoft.aad.msal4j.ITokenCacheAccessAspect;
import com.microsoft.aad.msal4j.ITokenCacheAccessContext;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

import java.io.StringReader;

/**
 * Reads the newest refresh token out of msal4j's token cache after each change to it: msal4j keeps the refresh token a
 * redemption returns (Entra rotates them) in its cache and gives the caller none, so this is how it is kept.
 */
final class RefreshTokenCapture implements ITokenCacheAccessAspect {

    private final JsonProvider json = JsonProvider.provider();
    private volatile String serialized;

    @Override
    public void beforeCacheAccess(ITokenCacheAccessContext context) {
    }

    @Override
    public void afterCacheAccess(ITokenCacheAccessContext context) {
        if (context.hasCacheChanged()) {
            serialized = context.tokenCache().serialize();
        }
    }

    void clear() {
        serialized = null;
    }

    /** The refresh token for {@code clientId} in the cache as last changed, or {@code null}. */
    String latest(String clientId) {
        return latest(clientId, null);
    }

    /**
     * The refresh token for {@code clientId} and the account {@code homeAccountId} (any account when {@code null})
     * in the cache as last changed, or {@code null}.
     */
    String latest(String clientId, String homeAccountId) {
        String cache = serialized;
        if (cache == null) {
            return null;
        }
        try (JsonReader reader = json.createReader(new StringReader(cache))) {
            JsonObject tokens = reader.readObject().getJsonObject("RefreshToken");
            String found = null;
            if (tokens != null) {
                for (JsonValue entry : tokens.values()) {
                    JsonObject token = entry.asJsonObject();
                    if (clientId.equalsIgnoreCase(token.getString("client_id", ""))
                            && (homeAccountId == null
                            || homeAccountId.equalsIgnoreCase(token.getString("home_account_id", "")))) {
                        found = token.getString("secret", null);
                    }
                }
            }
            return found;
        }
    }
}
