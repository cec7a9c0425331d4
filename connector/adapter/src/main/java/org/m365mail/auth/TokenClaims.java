package org.m365mail.auth;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * What an access token says about itself: the claims of its JWT payload that tell whether the setup is right
 * (https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference): {@code tid} (the tenant
 * that issued it), {@code roles} (application permissions granted with admin consent), {@code scp} (delegated
 * permissions the user consented to), {@code aud}. Read, not verified: the connector got the token from Entra over
 * TLS itself, and only uses the claims to explain what to fix. {@link #toString()} shows the claims, never the token.
 *
 * @param tenantId the {@code tid} claim, or {@code null}
 * @param audience the {@code aud} claim, or {@code null}
 * @param roles    the {@code roles} claim (app-only tokens), possibly empty
 * @param scopes   the {@code scp} claim split at spaces (delegated tokens), possibly empty
 */
public record TokenClaims(String tenantId, String audience, List<String> roles, List<String> scopes) {

    /** The claims of {@code token}, or empty when it is not a JWT this can read (Entra may issue opaque tokens). */
    public static Optional<TokenClaims> of(AccessToken token) {
        String[] parts = token.value().split("\\.");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try (JsonReader reader = JsonProvider.provider().createReader(new StringReader(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)))) {
            JsonObject claims = reader.readObject();
            List<String> roles = new ArrayList<>();
            JsonValue roleClaim = claims.get("roles");
            if (roleClaim instanceof JsonArray array) {
                for (JsonValue role : array) {
                    if (role instanceof JsonString s) {
                        roles.add(s.getString());
                    }
                }
            }
            String scp = claims.getString("scp", "");
            List<String> scopes = scp.isBlank() ? List.of() : List.of(scp.trim().split("\\s+"));
            return Optional.of(new TokenClaims(claims.getString("tid", null), claims.getString("aud", null),
                    List.copyOf(roles), scopes));
        } catch (RuntimeException notJson) {
            return Optional.empty();
        }
    }
}
