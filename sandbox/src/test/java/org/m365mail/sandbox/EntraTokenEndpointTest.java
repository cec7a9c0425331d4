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

/** The stand-in's token endpoint answers as Entra ID documents it. */
class EntraTokenEndpointTest {

    private static M365Sandbox sandbox;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        sandbox = M365Sandbox.builder().workDir(Path.of("target/sandbox-entra")).start();
        http = HttpClient.newBuilder().sslContext(sandbox.clientSslContext()).build();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private static HttpResponse<String> token(String tenant, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(sandbox.authorityUrl() + "/" + tenant + "/oauth2/v2.0/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String form(String clientId, String secret, String scope) {
        return "grant_type=client_credentials&client_id=" + clientId + "&client_secret="
                + URLEncoder.encode(secret, StandardCharsets.UTF_8) + "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8);
    }

    private static JsonObject json(HttpResponse<String> response) {
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    @Test
    void clientCredentialsGiveAnAppOnlyTokenForTheRequestedResource() throws Exception {
        HttpResponse<String> response = token(SandboxDefaults.TENANT_ID, form(SandboxDefaults.CLIENT_ID,
                SandboxDefaults.CLIENT_SECRET, "https://outlook.office365.com/.default openid profile offline_access"));
        assertEquals(200, response.statusCode(), response.body());
        JsonObject body = json(response);
        assertEquals("Bearer", body.getString("token_type"));
        assertEquals(3599, body.getInt("expires_in"));
        String[] jwt = body.getString("access_token").split("\\.");
        JsonObject claims = Json.createReader(new StringReader(new String(Base64.getUrlDecoder().decode(jwt[1]),
                StandardCharsets.UTF_8))).readObject();
        assertEquals("https://outlook.office365.com", claims.getString("aud"));
        assertEquals(SandboxDefaults.TENANT_ID, claims.getString("tid"));
        assertEquals(SandboxDefaults.CLIENT_ID, claims.getString("appid"));
        assertEquals("https://sts.windows.net/" + SandboxDefaults.TENANT_ID + "/", claims.getString("iss"));
        assertEquals("SMTP.SendAsApp", claims.getJsonArray("roles").getString(0));
        assertTrue(claims.getJsonNumber("exp").longValue() > claims.getJsonNumber("iat").longValue());
    }

    @Test
    void entraErrorsCarryTheirStatusCodeAndAadstsCode() throws Exception {
        String graphScope = sandbox.graphUrl() + "/.default";
        expectError(token("00000000-0000-0000-0000-000000000001", form(SandboxDefaults.CLIENT_ID,
                SandboxDefaults.CLIENT_SECRET, graphScope)), 400, "invalid_request", 90002);
        expectError(token(SandboxDefaults.TENANT_ID, form("00000000-0000-0000-0000-000000000002",
                SandboxDefaults.CLIENT_SECRET, graphScope)), 400, "unauthorized_client", 700016);
        expectError(token(SandboxDefaults.TENANT_ID, form(SandboxDefaults.CLIENT_ID, "wrong", graphScope)),
                401, "invalid_client", 7000215);
        expectError(token(SandboxDefaults.TENANT_ID, form(SandboxDefaults.CLIENT_ID, SandboxDefaults.CLIENT_SECRET,
                "https://graph.microsoft.com/Mail.Send")), 400, "invalid_scope", 1002012);
        expectError(token(SandboxDefaults.TENANT_ID, form(SandboxDefaults.CLIENT_ID, SandboxDefaults.CLIENT_SECRET,
                "https://unknown.example/.default")), 400, "invalid_resource", 500011);
        expectError(token(SandboxDefaults.TENANT_DOMAIN, "grant_type=client_credentials&client_id="
                + SandboxDefaults.CLIENT_ID + "&scope=x"), 401, "invalid_client", 7000218);
    }

    private static void expectError(HttpResponse<String> response, int status, String error, int code) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject body = json(response);
        assertEquals(error, body.getString("error"));
        assertEquals(code, body.getJsonArray("error_codes").getInt(0));
        assertTrue(body.getString("error_description").startsWith("AADSTS" + code + ": "), body.toString());
        assertTrue(body.containsKey("trace_id") && body.containsKey("correlation_id"), body.toString());
    }

    @Test
    void everyRequestIsCounted() throws Exception {
        int before = sandbox.tokenRequests().total();
        token(SandboxDefaults.TENANT_ID, form(SandboxDefaults.CLIENT_ID, SandboxDefaults.CLIENT_SECRET,
                sandbox.graphUrl() + "/.default"));
        token(SandboxDefaults.TENANT_ID, form(SandboxDefaults.CLIENT_ID, "wrong", sandbox.graphUrl() + "/.default"));
        assertEquals(before + 2, sandbox.tokenRequests().total());
    }
}
