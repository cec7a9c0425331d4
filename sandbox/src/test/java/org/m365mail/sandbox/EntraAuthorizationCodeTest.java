package org.m365mail.sandbox;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The authorization code flow with PKCE, as a browser and the app would walk it. */
class EntraAuthorizationCodeTest {

    private static final String REDIRECT = "https://app.contoso.test/consent/callback";
    private static final String SCOPE = "https://outlook.office.com/SMTP.Send offline_access";
    private static M365Sandbox sandbox;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        sandbox = M365Sandbox.builder().workDir(Path.of("target/sandbox-auth-code")).start();
        sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID).orElseThrow()
                .addRedirectUri(REDIRECT);
        http = HttpClient.newBuilder().sslContext(sandbox.clientSslContext()).build();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String challenge(String verifier) throws Exception {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String authorizeQuery(String redirect, String verifier) throws Exception {
        return "client_id=" + SandboxDefaults.CLIENT_ID + "&response_type=code&redirect_uri=" + enc(redirect)
                + "&scope=" + enc(SCOPE) + "&state=xyz&code_challenge=" + challenge(verifier)
                + "&code_challenge_method=S256";
    }

    private static HttpResponse<String> signIn(String query, String user, String password, String action)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(sandbox.authorityUrl() + "/" + SandboxDefaults.TENANT_ID
                        + "/oauth2/v2.0/authorize?" + query)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("login=" + enc(user) + "&passwd=" + enc(password)
                        + "&action=" + action)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> query(String location) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : URI.create(location).getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            q.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return q;
    }

    private static HttpResponse<String> redeem(String code, String verifier) throws Exception {
        String form = "grant_type=authorization_code&client_id=" + SandboxDefaults.CLIENT_ID + "&client_secret="
                + enc(SandboxDefaults.CLIENT_SECRET) + "&code=" + enc(code) + "&redirect_uri=" + enc(REDIRECT)
                + "&code_verifier=" + enc(verifier) + "&scope=" + enc(SCOPE);
        return http.send(HttpRequest.newBuilder(URI.create(sandbox.authorityUrl() + "/" + SandboxDefaults.TENANT_ID
                + "/oauth2/v2.0/token")).POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }

    @Test
    void signingInRedirectsWithACodeThatIsRedeemedOnceWithTheVerifier() throws Exception {
        String verifier = "verifier-" + "x".repeat(50);
        String q = authorizeQuery(REDIRECT, verifier);
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(sandbox.authorityUrl() + "/"
                + SandboxDefaults.TENANT_ID + "/oauth2/v2.0/authorize?" + q)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("Sign in"), page.body());

        HttpResponse<String> wrong = signIn(q, SandboxDefaults.USER, "nope", "accept");
        assertTrue(wrong.body().contains("AADSTS50126"), wrong.body());

        HttpResponse<String> signedIn = signIn(q, SandboxDefaults.USER, SandboxDefaults.USER_PASSWORD, "accept");
        assertEquals(302, signedIn.statusCode());
        Map<String, String> back = query(signedIn.headers().firstValue("Location").orElseThrow());
        assertEquals("xyz", back.get("state"));

        HttpResponse<String> badVerifier = redeem(back.get("code"), "not-the-verifier");
        assertEquals(400, badVerifier.statusCode());
        assertEquals(501481, json(badVerifier.body()).getJsonArray("error_codes").getInt(0));

        HttpResponse<String> signedIn2 = signIn(q, SandboxDefaults.USER, SandboxDefaults.USER_PASSWORD, "accept");
        String code = query(signedIn2.headers().firstValue("Location").orElseThrow()).get("code");
        HttpResponse<String> tokens = redeem(code, verifier);
        assertEquals(200, tokens.statusCode(), tokens.body());
        JsonObject body = json(tokens.body());
        assertTrue(body.containsKey("refresh_token") && body.containsKey("access_token"), tokens.body());
        HttpResponse<String> again = redeem(code, verifier);
        assertEquals(70008, json(again.body()).getJsonArray("error_codes").getInt(0), "a code works once");
    }

    /** Entra answers as the application asked: response_mode=form_post POSTs the code to the redirect URI. */
    @Test
    void withFormPostTheCodeComesBackAsAFormPostedToTheRedirectUri() throws Exception {
        String verifier = "verifier-" + "y".repeat(50);
        String q = authorizeQuery(REDIRECT, verifier) + "&response_mode=form_post";
        HttpResponse<String> signedIn = signIn(q, SandboxDefaults.USER, SandboxDefaults.USER_PASSWORD, "accept");
        assertEquals(200, signedIn.statusCode(), "no redirect: " + signedIn.headers().map());
        assertTrue(signedIn.headers().firstValue("Location").isEmpty());
        String page = signedIn.body();
        assertTrue(page.contains("<form method='post' action='" + REDIRECT + "'>"), page);
        assertTrue(page.contains("<input type='hidden' name='state' value='xyz'>"), page);
        java.util.regex.Matcher code = java.util.regex.Pattern
                .compile("<input type='hidden' name='code' value='([^']+)'>").matcher(page);
        assertTrue(code.find(), page);
        assertEquals(200, redeem(code.group(1), verifier).statusCode(), "the posted code is redeemed");

        HttpResponse<String> cancelled = signIn(q, SandboxDefaults.USER, "", "cancel");
        assertEquals(200, cancelled.statusCode());
        assertTrue(cancelled.body().contains("name='error' value='access_denied'"), cancelled.body());
    }

    @Test
    void anUnregisteredRedirectOrACancelledSignInGivesNoCode() throws Exception {
        HttpResponse<String> mismatch = signIn(authorizeQuery("https://evil.test/cb", "v".repeat(50)),
                SandboxDefaults.USER, SandboxDefaults.USER_PASSWORD, "accept");
        assertEquals(400, mismatch.statusCode());
        assertTrue(mismatch.body().contains("AADSTS50011"), mismatch.body());

        HttpResponse<String> cancelled = signIn(authorizeQuery(REDIRECT, "v".repeat(50)), SandboxDefaults.USER,
                SandboxDefaults.USER_PASSWORD, "cancel");
        assertEquals(302, cancelled.statusCode());
        Map<String, String> back = query(cancelled.headers().firstValue("Location").orElseThrow());
        assertEquals("access_denied", back.get("error"));
        assertTrue(back.get("error_description").startsWith("AADSTS65004"));
    }
}
