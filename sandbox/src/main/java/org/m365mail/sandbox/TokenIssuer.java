package org.m365mail.sandbox;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;
import java.util.UUID;

/**
 * Signs and checks the stand-in's access tokens: RS256 JWTs shaped like Entra ID's v1.0 app-only access tokens,
 * which is what Graph and Exchange Online receive for the client credentials grant.
 *
 * <p>Claims follow https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
 * ({@code aud}, {@code iss = https://sts.windows.net/{tid}/}, {@code iat}, {@code nbf}, {@code exp}, {@code appid},
 * {@code appidacr}, {@code idp}, {@code idtyp = app}, {@code oid}, {@code sub}, {@code tid}, {@code roles},
 * {@code ver = 1.0}).
 */
final class TokenIssuer {

    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_DECODER = Base64.getUrlDecoder();

    private final KeyPair keys;
    private final String keyId = UUID.randomUUID().toString();
    private final Clock clock;

    TokenIssuer(Clock clock) {
        this.clock = clock;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            this.keys = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A signed app-only access token. */
    String issue(String tenantId, String audience, String appId, String servicePrincipalId,
                 Collection<String> roles, long lifetimeSeconds) {
        Instant now = clock.instant();
        JsonArrayBuilder roleArray = Json.createArrayBuilder();
        roles.forEach(roleArray::add);
        JsonObjectBuilder claims = Json.createObjectBuilder()
                .add("aud", audience)
                .add("iss", "https://sts.windows.net/" + tenantId + "/")
                .add("iat", now.getEpochSecond())
                .add("nbf", now.getEpochSecond())
                .add("exp", now.getEpochSecond() + lifetimeSeconds)
                .add("aio", UUID.randomUUID().toString())
                .add("app_displayname", "m365 sandbox app " + appId.substring(0, 8))
                .add("appid", appId)
                .add("appidacr", "1")
                .add("idp", "https://sts.windows.net/" + tenantId + "/")
                .add("idtyp", "app")
                .add("oid", servicePrincipalId)
                .add("rh", UUID.randomUUID().toString())
                .add("roles", roleArray)
                .add("sub", servicePrincipalId)
                .add("tid", tenantId)
                .add("uti", UUID.randomUUID().toString().replace("-", ""))
                .add("ver", "1.0")
                .add("xms_idrel", "7 12");
        return sign(claims.build());
    }

    /**
     * A signed delegated (user) access token, as the authorization code or refresh token grants give: {@code scp}
     * holds the consented scopes, {@code upn} the signed-in user.
     */
    String issueDelegated(String tenantId, String audience, String appId, String userAddress, String userObjectId,
                          Collection<String> scopes, long lifetimeSeconds) {
        Instant now = clock.instant();
        JsonObjectBuilder claims = Json.createObjectBuilder()
                .add("aud", audience)
                .add("iss", "https://sts.windows.net/" + tenantId + "/")
                .add("iat", now.getEpochSecond())
                .add("nbf", now.getEpochSecond())
                .add("exp", now.getEpochSecond() + lifetimeSeconds)
                .add("appid", appId)
                .add("appidacr", "1")
                .add("idtyp", "user")
                .add("name", userAddress)
                .add("oid", userObjectId)
                .add("scp", String.join(" ", scopes))
                .add("sub", UUID.nameUUIDFromBytes(userAddress.getBytes(StandardCharsets.UTF_8)).toString())
                .add("tid", tenantId)
                .add("unique_name", userAddress)
                .add("upn", userAddress)
                .add("uti", UUID.randomUUID().toString().replace("-", ""))
                .add("ver", "1.0");
        return sign(claims.build());
    }

    /**
     * A signed v2.0 ID token for the user who signed in: {@code aud} is the app, {@code preferred_username} the
     * user's sign-in name (https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference).
     */
    String issueIdToken(String authorityUrl, String tenantId, String appId, String userAddress, String displayName,
                        String userObjectId, long lifetimeSeconds) {
        Instant now = clock.instant();
        JsonObjectBuilder claims = Json.createObjectBuilder()
                .add("aud", appId)
                .add("iss", authorityUrl + "/" + tenantId + "/v2.0")
                .add("iat", now.getEpochSecond())
                .add("nbf", now.getEpochSecond())
                .add("exp", now.getEpochSecond() + lifetimeSeconds)
                .add("name", displayName)
                .add("oid", userObjectId)
                .add("preferred_username", userAddress)
                .add("sub", UUID.nameUUIDFromBytes((appId + userAddress).getBytes(StandardCharsets.UTF_8)).toString())
                .add("tid", tenantId)
                .add("uti", UUID.randomUUID().toString().replace("-", ""))
                .add("ver", "2.0");
        return sign(claims.build());
    }

    private String sign(JsonObject claims) {
        String header = Json.createObjectBuilder().add("typ", "JWT").add("alg", "RS256")
                .add("x5t", keyId).add("kid", keyId).build().toString();
        String signingInput = B64URL.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64URL.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        return signingInput + "." + B64URL.encodeToString(sign(signingInput));
    }

    /**
     * Checks the signature and returns the claims, or empty when the token is not one this issuer signed.
     * Lifetime, audience and roles are the resource's own checks.
     */
    Optional<JsonObject> verify(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(keys.getPublic());
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!verifier.verify(B64URL_DECODER.decode(parts[2]))) {
                return Optional.empty();
            }
            try (JsonReader reader = Json.createReader(new StringReader(
                    new String(B64URL_DECODER.decode(parts[1]), StandardCharsets.UTF_8)))) {
                return Optional.of(reader.readObject());
            }
        } catch (GeneralSecurityException | IllegalArgumentException | jakarta.json.JsonException e) {
            return Optional.empty();
        }
    }

    Instant now() {
        return clock.instant();
    }

    private byte[] sign(String input) {
        try {
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(keys.getPrivate());
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
