package org.m365mail.sandbox;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** App Service's managed identity endpoint, as the stand-in plays it. */
class ManagedIdentityEndpointTest {

    private static M365Sandbox sandbox;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        sandbox = M365Sandbox.builder().workDir(Path.of("target/sandbox-identity")).start();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private static HttpResponse<String> get(String query, String header) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sandbox.identityEndpoint() + "?" + query));
        if (header != null) {
            request.header("X-IDENTITY-HEADER", header);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String resource(String resource) {
        return "resource=" + URLEncoder.encode(resource, StandardCharsets.UTF_8) + "&api-version=2019-08-01";
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static JsonObject claims(String jwt) {
        return json(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    @Test
    void theSystemAssignedIdentityGetsATokenWithItsAppRoles() throws Exception {
        HttpResponse<String> response = get(resource("https://outlook.office365.com"), SandboxDefaults.IDENTITY_HEADER);
        assertEquals(200, response.statusCode(), response.body());
        JsonObject body = json(response.body());
        assertEquals("Bearer", body.getString("token_type"));
        assertEquals(SandboxDefaults.MANAGED_IDENTITY_CLIENT_ID, body.getString("client_id"));
        long expiresOn = Long.parseLong(body.getString("expires_on"));
        assertTrue(expiresOn > System.currentTimeMillis() / 1000, "expires_on is epoch seconds in the future");
        JsonObject claims = claims(body.getString("access_token"));
        assertEquals(SandboxDefaults.MANAGED_IDENTITY_CLIENT_ID, claims.getString("appid"));
        assertEquals(SandboxDefaults.TENANT_ID, claims.getString("tid"));
        assertEquals("SMTP.SendAsApp", claims.getJsonArray("roles").getString(0));
    }

    @Test
    void aUserAssignedIdentityIsChosenByClientId() throws Exception {
        HttpResponse<String> response = get(resource("https://graph.microsoft.com") + "&client_id="
                + SandboxDefaults.USER_ASSIGNED_IDENTITY_CLIENT_ID, SandboxDefaults.IDENTITY_HEADER);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(SandboxDefaults.USER_ASSIGNED_IDENTITY_CLIENT_ID,
                claims(json(response.body()).getString("access_token")).getString("appid"));
    }

    @Test
    void theEndpointRefusesWhatAppServiceRefuses() throws Exception {
        assertEquals(401, get(resource("https://graph.microsoft.com"), null).statusCode(), "no X-IDENTITY-HEADER");
        assertEquals(401, get(resource("https://graph.microsoft.com"), "guess").statusCode(), "wrong header");
        assertEquals(400, get("api-version=2019-08-01", SandboxDefaults.IDENTITY_HEADER).statusCode(),
                "no resource");
        assertEquals(400, get("resource=https%3A%2F%2Fgraph.microsoft.com&api-version=2017-09-01",
                SandboxDefaults.IDENTITY_HEADER).statusCode(), "old api-version");
        HttpResponse<String> unassigned = get(resource("https://graph.microsoft.com") + "&client_id="
                + SandboxDefaults.CLIENT_ID, SandboxDefaults.IDENTITY_HEADER);
        assertEquals(400, unassigned.statusCode(), "an app registration is no identity of this resource");
        assertTrue(json(unassigned.body()).getString("message").contains(SandboxDefaults.CLIENT_ID));
        HttpResponse<String> unknown = get(resource("https://vault.example"), SandboxDefaults.IDENTITY_HEADER);
        assertEquals(400, unknown.statusCode());
        assertTrue(json(unknown.body()).getString("message").contains("AADSTS500011"));
    }
}
