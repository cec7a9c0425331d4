package org.m365mail.sandbox;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The token request log names the client credential each request presented, and never holds a secret. */
class TokenRequestCredentialTest {

    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String PASSWORD = "credential-test";
    private static M365Sandbox sandbox;
    private static HttpClient http;
    private static X509Certificate certificate;
    private static PrivateKey key;

    @BeforeAll
    static void start() throws Exception {
        Path workDir = Path.of("target/sandbox-credentials");
        sandbox = M365Sandbox.builder().workDir(workDir).start();
        http = HttpClient.newBuilder().sslContext(sandbox.clientSslContext()).build();
        KeyStore store = rsaKeyStore(workDir.resolve("app.p12"));
        certificate = (X509Certificate) store.getCertificate("app");
        key = (PrivateKey) store.getKey("app", PASSWORD.toCharArray());
        sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID).orElseThrow()
                .addCertificate(certificate);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    /** An RSA key and self-signed certificate, made with the JDK's keytool as the sandbox's own TLS material is. */
    private static KeyStore rsaKeyStore(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "app", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=credential test",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    private static String tokenUrl() {
        return sandbox.authorityUrl() + "/" + SandboxDefaults.TENANT_ID + "/oauth2/v2.0/token";
    }

    private static HttpResponse<String> token(String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String secretForm(String secret) {
        return "grant_type=client_credentials&client_id=" + SandboxDefaults.CLIENT_ID + "&client_secret=" + enc(secret)
                + "&scope=" + enc("https://graph.microsoft.com/.default");
    }

    private static String assertionForm(String assertion) {
        return "grant_type=client_credentials&client_id=" + SandboxDefaults.CLIENT_ID
                + "&client_assertion_type=" + enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                + "&client_assertion=" + enc(assertion) + "&scope=" + enc("https://graph.microsoft.com/.default");
    }

    /** A client assertion as msal4j makes one, with the given header thumbprint and expiry, signed by {@code signer}. */
    private static String assertion(String thumbprintName, String thumbprint, long exp, PrivateKey signer)
            throws Exception {
        JsonObjectBuilder header = Json.createObjectBuilder().add("alg", "RS256").add("typ", "JWT");
        if (thumbprint != null) {
            header.add(thumbprintName, thumbprint);
        }
        long now = System.currentTimeMillis() / 1000;
        String claims = Json.createObjectBuilder().add("aud", tokenUrl()).add("iss", SandboxDefaults.CLIENT_ID)
                .add("sub", SandboxDefaults.CLIENT_ID).add("jti", UUID.randomUUID().toString())
                .add("nbf", now - 60).add("exp", exp).build().toString();
        String input = B64URL.encodeToString(header.build().toString().getBytes(StandardCharsets.UTF_8)) + "."
                + B64URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(signer);
        rsa.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + B64URL.encodeToString(rsa.sign());
    }

    private static String x5tS256(X509Certificate c) throws Exception {
        return B64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    }

    private static long inTenMinutes() {
        return System.currentTimeMillis() / 1000 + 600;
    }

    private static TokenRequestLog.Entry last() {
        List<TokenRequestLog.Entry> entries = sandbox.tokenRequests().entries();
        return entries.get(entries.size() - 1);
    }

    @Test
    void theIdHelpersNameCredentialsAsDocumented() throws Exception {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad (FIPS 180-2 example).
        assertEquals("secret:ba7816bf8f01", TokenRequestLog.secretId("abc"));
        assertEquals("certificate:" + x5tS256(certificate), TokenRequestLog.certificateId(certificate));
        assertFalse(TokenRequestLog.certificateId(certificate).contains("="), "base64url without padding");
    }

    @Test
    void aSecretIsLoggedByItsHashWhateverTheAnswerAndNeverItself() throws Exception {
        assertEquals(200, token(secretForm(SandboxDefaults.CLIENT_SECRET)).statusCode());
        assertEquals(TokenRequestLog.secretId(SandboxDefaults.CLIENT_SECRET), last().credential());

        assertEquals(401, token(secretForm("not-the-secret")).statusCode());
        assertEquals("AADSTS7000215", last().error());
        assertEquals(TokenRequestLog.secretId("not-the-secret"), last().credential());

        String logged = sandbox.tokenRequests().entries().toString();
        assertFalse(logged.contains(SandboxDefaults.CLIENT_SECRET), logged);
        assertFalse(logged.contains("not-the-secret"), logged);
    }

    @Test
    void aCertificateIsLoggedByTheThumbprintOfTheCertificateThatVerifiedTheAssertion() throws Exception {
        HttpResponse<String> bySha256 = token(assertionForm(assertion("x5t#S256", x5tS256(certificate), inTenMinutes(),
                key)));
        assertEquals(200, bySha256.statusCode(), bySha256.body());
        assertEquals(TokenRequestLog.certificateId(certificate), last().credential());

        // Named by its SHA-1 thumbprint (x5t), it is still logged by its SHA-256 one.
        String sha1 = B64URL.encodeToString(MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded()));
        assertEquals(200, token(assertionForm(assertion("x5t", sha1, inTenMinutes(), key))).statusCode());
        assertEquals(TokenRequestLog.certificateId(certificate), last().credential());

        // Verified, then refused for its lifetime: the certificate still verified it.
        assertEquals(401, token(assertionForm(assertion("x5t#S256", x5tS256(certificate), 1, key))).statusCode());
        assertEquals("AADSTS700024", last().error());
        assertEquals(TokenRequestLog.certificateId(certificate), last().credential());
    }

    @Test
    void anAssertionNoCertificateVerifiedIsLoggedByTheThumbprintItsHeaderNames() throws Exception {
        PrivateKey stranger = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
        assertEquals(401, token(assertionForm(assertion("x5t#S256", x5tS256(certificate), inTenMinutes(), stranger)))
                .statusCode());
        assertEquals("AADSTS700027", last().error());
        assertEquals("certificate:" + x5tS256(certificate), last().credential());

        assertEquals(401, token(assertionForm(assertion("x5t", "bm90LXJlZ2lzdGVyZWQ", inTenMinutes(), stranger)))
                .statusCode());
        assertEquals("certificate:bm90LXJlZ2lzdGVyZWQ", last().credential());

        assertEquals(401, token(assertionForm("not-a-jwt")).statusCode());
        assertEquals("certificate:", last().credential(), "a credential came, naming no certificate");
    }

    @Test
    void requestsWithNoClientCredentialAreLoggedWithNone() throws Exception {
        // A public client redeeming a refresh token: Entra wants a credential from this app, so it is refused.
        assertEquals(401, token("grant_type=refresh_token&client_id=" + SandboxDefaults.CLIENT_ID
                + "&refresh_token=" + enc(sandbox.consent(SandboxDefaults.USER, "https://outlook.office.com/SMTP.Send"))
                + "&scope=" + enc("https://outlook.office.com/SMTP.Send")).statusCode());
        assertEquals("AADSTS7000218", last().error());
        assertNull(last().credential());

        HttpResponse<String> identity = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        sandbox.identityEndpoint() + "?resource=" + enc("https://graph.microsoft.com")
                                + "&api-version=2019-08-01"))
                .header("X-IDENTITY-HEADER", SandboxDefaults.IDENTITY_HEADER).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, identity.statusCode(), identity.body());
        assertEquals("managed_identity", last().grantType());
        assertNull(last().credential());
    }

    @Test
    void credentialsListsEachRequestsCredentialInOrderKeepingNulls() throws Exception {
        sandbox.tokenRequests().clear();
        token(secretForm(SandboxDefaults.CLIENT_SECRET));
        token("grant_type=client_credentials&client_id=" + SandboxDefaults.CLIENT_ID + "&scope=x");
        token(assertionForm(assertion("x5t#S256", x5tS256(certificate), inTenMinutes(), key)));
        assertEquals(Arrays.asList(TokenRequestLog.secretId(SandboxDefaults.CLIENT_SECRET), null,
                TokenRequestLog.certificateId(certificate)), sandbox.tokenRequests().credentials());
    }
}
