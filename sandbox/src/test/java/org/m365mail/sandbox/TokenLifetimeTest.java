package org.m365mail.sandbox;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The lifetime of issued tokens can change while the sandbox runs, for every grant that issues them. */
class TokenLifetimeTest {

    private static final long INITIAL = 1200;
    private static M365Sandbox sandbox;
    private static HttpClient https;

    @BeforeAll
    static void start() throws Exception {
        sandbox = M365Sandbox.builder().workDir(Path.of("target/sandbox-lifetime")).tokenLifetimeSeconds(INITIAL)
                .start();
        https = HttpClient.newBuilder().sslContext(sandbox.clientSslContext()).build();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @BeforeEach
    void reset() {
        sandbox.tokenLifetime(Duration.ofSeconds(INITIAL));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonObject token(String form) throws Exception {
        HttpResponse<String> response = https.send(HttpRequest.newBuilder(URI.create(sandbox.authorityUrl() + "/"
                        + SandboxDefaults.TENANT_ID + "/oauth2/v2.0/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body());
    }

    private static JsonObject clientCredentials() throws Exception {
        return token("grant_type=client_credentials&client_id=" + SandboxDefaults.CLIENT_ID + "&client_secret="
                + enc(SandboxDefaults.CLIENT_SECRET) + "&scope=" + enc("https://graph.microsoft.com/.default"));
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /** exp - iat of a JWT. */
    private static long lifetimeOf(String jwt) {
        JsonObject claims = json(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
        return claims.getJsonNumber("exp").longValue() - claims.getJsonNumber("iat").longValue();
    }

    @Test
    void theBuildersLifetimeIsTheStartingValue() throws Exception {
        assertEquals(Duration.ofSeconds(INITIAL), sandbox.tokenLifetime());
        JsonObject body = clientCredentials();
        assertEquals(INITIAL, body.getJsonNumber("expires_in").longValue());
        assertEquals(INITIAL, lifetimeOf(body.getString("access_token")));
    }

    @Test
    void clientCredentialsTokensIssuedAfterTheChangeHaveTheNewLifetime() throws Exception {
        String before = clientCredentials().getString("access_token");
        sandbox.tokenLifetime(Duration.ofMinutes(5));
        assertEquals(Duration.ofSeconds(300), sandbox.tokenLifetime());
        JsonObject body = clientCredentials();
        assertEquals(300, body.getJsonNumber("expires_in").longValue());
        assertEquals(300, body.getJsonNumber("ext_expires_in").longValue());
        assertEquals(300, lifetimeOf(body.getString("access_token")));
        assertEquals(INITIAL, lifetimeOf(before), "a token already issued keeps its lifetime");
    }

    @Test
    void refreshTokenAndIdTokensFollowTheChange() throws Exception {
        sandbox.tokenLifetime(Duration.ofSeconds(90));
        String refreshToken = sandbox.consent(SandboxDefaults.USER, "https://outlook.office.com/SMTP.Send");
        JsonObject body = token("grant_type=refresh_token&client_id=" + SandboxDefaults.CLIENT_ID + "&client_secret="
                + enc(SandboxDefaults.CLIENT_SECRET) + "&refresh_token=" + enc(refreshToken) + "&scope="
                + enc("https://outlook.office.com/SMTP.Send openid profile offline_access"));
        assertEquals(90, body.getJsonNumber("expires_in").longValue());
        assertEquals(90, lifetimeOf(body.getString("access_token")));
        assertEquals(90, lifetimeOf(body.getString("id_token")));
    }

    @Test
    void theManagedIdentityEndpointFollowsTheChange() throws Exception {
        sandbox.tokenLifetime(Duration.ofSeconds(450));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        sandbox.identityEndpoint() + "?resource=" + enc("https://graph.microsoft.com")
                                + "&api-version=2019-08-01"))
                .header("X-IDENTITY-HEADER", SandboxDefaults.IDENTITY_HEADER).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        JsonObject body = json(response.body());
        assertEquals(450, lifetimeOf(body.getString("access_token")));
        JsonObject claims = json(new String(Base64.getUrlDecoder().decode(
                body.getString("access_token").split("\\.")[1]), StandardCharsets.UTF_8));
        assertEquals(claims.getJsonNumber("exp").longValue(), Long.parseLong(body.getString("expires_on")));
    }

    @Test
    void aNegativeLifetimeIsRefusedAndFractionsOfASecondAreDropped() {
        assertThrows(IllegalArgumentException.class, () -> sandbox.tokenLifetime(Duration.ofSeconds(-1)));
        assertEquals(Duration.ofSeconds(INITIAL), sandbox.tokenLifetime());
        sandbox.tokenLifetime(Duration.ofMillis(61_900));
        assertEquals(Duration.ofSeconds(61), sandbox.tokenLifetime());
    }
}
