package org.m365mail.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an access token says of itself: its lifetime, its identity as a value, and the claims of its JWT. */
class TokenClaimsTest {

    private static final Instant T = Instant.parse("2026-12-02T10:00:00Z");

    private static AccessToken jwt(String payloadJson) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return new AccessToken(b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8)) + ".signature", T,
                T.plusSeconds(3600));
    }

    @Test
    void aTokenIsFreshWhileMoreThanTheMarginOfItsLifeIsLeft() {
        AccessToken token = new AccessToken("t", T, T.plusSeconds(60));
        assertTrue(token.isFreshAt(T, Duration.ofSeconds(59)));
        assertFalse(token.isFreshAt(T, Duration.ofSeconds(60)), "exactly the margin left is not more than it");
        assertFalse(token.isFreshAt(T.plusSeconds(61), Duration.ZERO));
    }

    @Test
    void tokensAreEqualWhenValueAndTimesAre() {
        AccessToken token = new AccessToken("t", T, T.plusSeconds(60));
        AccessToken same = new AccessToken(new String("t"), T, T.plusSeconds(60));
        assertEquals(token, same);
        assertEquals(token.hashCode(), same.hashCode());
        assertNotEquals(token, new AccessToken("u", T, T.plusSeconds(60)));
        assertNotEquals(token, new AccessToken("t", T.plusSeconds(1), T.plusSeconds(60)));
        assertNotEquals(token, new AccessToken("t", T, T.plusSeconds(61)));
        assertNotEquals(token, (Object) "t");
        assertTrue(token.toString().contains("expiresAt=" + T.plusSeconds(60)), token.toString());
        assertTrue(token.toString().contains("acquiredAt=" + T), token.toString());
    }

    @Test
    void theClaimsOfAnAppOnlyToken() {
        TokenClaims claims = TokenClaims.of(jwt("{\"tid\":\"tenant-1\",\"aud\":\"https://graph.microsoft.com\","
                + "\"roles\":[\"Mail.Send\",42,\"User.Read.All\"]}")).orElseThrow();
        assertEquals("tenant-1", claims.tenantId());
        assertEquals("https://graph.microsoft.com", claims.audience());
        assertEquals(List.of("Mail.Send", "User.Read.All"), claims.roles(), "strings only");
        assertEquals(List.of(), claims.scopes());
    }

    @Test
    void theScopesOfADelegatedTokenSplitAtSpaces() {
        TokenClaims claims = TokenClaims.of(jwt("{\"scp\":\"  Mail.Send   SMTP.Send openid \",\"roles\":\"no-array\"}"))
                .orElseThrow();
        assertEquals(List.of("Mail.Send", "SMTP.Send", "openid"), claims.scopes());
        assertEquals(List.of(), claims.roles());
        assertNull(claims.tenantId());
        assertNull(claims.audience());
        assertEquals(List.of(), TokenClaims.of(jwt("{\"scp\":\"   \"}")).orElseThrow().scopes());
    }

    @Test
    void aTokenThatIsNoReadableJwtHasNoClaims() {
        assertTrue(TokenClaims.of(new AccessToken("opaque-token", T, T)).isEmpty());
        assertTrue(TokenClaims.of(new AccessToken("a.b", T, T)).isEmpty());
        assertTrue(TokenClaims.of(new AccessToken("a.b.c.d", T, T)).isEmpty());
        assertTrue(TokenClaims.of(new AccessToken("a.!!!.c", T, T)).isEmpty(), "not Base64");
        assertTrue(TokenClaims.of(jwt("not json")).isEmpty());
        assertTrue(TokenClaims.of(jwt("[1,2]")).isEmpty(), "not an object");
    }
}
