package org.m365mail.it.ear;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.SandboxDirectory;
import org.m365mail.sandbox.TokenRequestLog;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Credentials rotated on full Payara Server while an application keeps sending through the factory it was injected
 * with: {@code asadmin set} gives a pool a new {@code clientSecret}, and the next token is asked for with it — no
 * redeployment; a certificate file copied over {@code certificatePath} is used for the next token.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CredentialRotationIT {

    private static final String RAR = "m365-mail-connector";
    private static final String APP = "rotation-it";
    private static final String OLD_SECRET = "Rt1Q~the-secret-that-expires.soon";
    private static final String NEW_SECRET = "Rt2Q~the-secret-created-today.ok";
    private static final String CERTIFICATE_PASSWORD = "rotation-pw";
    private static final Path WORK = Path.of(System.getProperty("sandbox.workDir")).resolveSibling("rotation");
    private static final URI SEND = URI.create("http://localhost:8080/" + APP + "/send");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static M365Sandbox sandbox;
    private static X509Certificate firstCertificate;

    @Deployment(testable = false)
    static WebArchive placeholder() throws Exception {
        sandbox = SandboxEndpoints.startSandbox();
        // Arquillian needs an archive; the RAR, its pools and the application are the administrator's, below.
        return ShrinkWrap.create(WebArchive.class, "rotation-placeholder.war")
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        Asadmin.run("undeploy", APP);
        Asadmin.run("undeploy", "--cascade=true", RAR);
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private static SandboxDirectory.App app() {
        return sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID)
                .orElseThrow();
    }

    private static Map<String, String> pool() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("transport", "GRAPH");
        p.put("tenantId", SandboxDefaults.TENANT_ID);
        p.put("clientId", SandboxDefaults.CLIENT_ID);
        p.put("fromAddress", SandboxDefaults.SENDER);
        p.put("authorityUrl", SandboxEndpoints.AUTHORITY_URL);
        p.put("graphUrl", SandboxEndpoints.GRAPH_URL);
        p.put("trustStorePath", SandboxEndpoints.TRUST_STORE);
        p.put("trustStorePassword", SandboxDefaults.TRUST_STORE_PASSWORD);
        p.put("messagesPerMinute", "0");
        return p;
    }

    private static void createPool(String pool, String jndiName, Map<String, String> properties) throws Exception {
        // A one-second idle timeout: Payara's timer thread keeps the pool resizer it is waiting for, even one cancelled
        // when its pool was killed (a rotation, the undeployment), until that resizer's next run — 5 minutes by
        // default — and with it the killed pool and its factory. They would show as objects of an undeployed RAR in
        // RarLifecycleIT, which runs in the same domain.
        Asadmin.Result created = Asadmin.run("create-connector-connection-pool", "--raname", RAR,
                "--connectiondefinition", "org.m365mail.api.MailConnectionFactory", "--steadypoolsize", "0",
                "--maxpoolsize", "4", "--idletimeout", "1", "--property", Asadmin.properties(properties), pool);
        assertTrue(created.succeeded(), created.output());
        Asadmin.Result resource = Asadmin.run("create-connector-resource", "--poolname", pool, jndiName);
        assertTrue(resource.succeeded(), resource.output());
    }

    private static X509Certificate certificate(Path file, String cn) throws Exception {
        return SelfSignedCertificate.create(file, cn, CERTIFICATE_PASSWORD);
    }

    private static HttpResponse<String> send(String pool, String subject) throws Exception {
        String form = "pool=" + pool + "&to=" + URLEncoder.encode(SandboxDefaults.RECIPIENT, StandardCharsets.UTF_8)
                + "&subject=" + URLEncoder.encode(subject, StandardCharsets.UTF_8);
        return HTTP.send(HttpRequest.newBuilder(SEND).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> credentials() {
        return sandbox.tokenRequests().entries().stream().map(TokenRequestLog.Entry::credential).toList();
    }

    @Test
    @Order(1)
    void aSecretChangedWithAsadminSetIsUsedForTheNextTokenOfAnInjectedFactory() throws Exception {
        Files.createDirectories(WORK);
        Asadmin.Result deployed = Asadmin.run("deploy", "--name", RAR, System.getProperty("m365.rar"));
        assertTrue(deployed.succeeded(), deployed.output());
        app().addSecret(OLD_SECRET).addSecret(NEW_SECRET);

        Map<String, String> secret = pool();
        secret.put("clientSecret", OLD_SECRET);
        createPool("RotationSecret", "mail/Rotation", secret);
        firstCertificate = certificate(WORK.resolve("first.p12"), "rotation-first");
        app().addCertificate(firstCertificate);
        Path certificateFile = WORK.resolve("app.p12");
        Files.copy(WORK.resolve("first.p12"), certificateFile, StandardCopyOption.REPLACE_EXISTING);
        Map<String, String> signed = pool();
        signed.put("certificatePath", certificateFile.toString());
        signed.put("certificatePassword", CERTIFICATE_PASSWORD);
        createPool("RotationCertificate", "mail/RotationCertificate", signed);

        Path war = WORK.resolve(APP + ".war");
        ShrinkWrap.create(WebArchive.class, APP + ".war").addClasses(RotationServlet.class)
                .as(ZipExporter.class).exportTo(war.toFile(), true);
        Asadmin.Result application = Asadmin.run("deploy", "--name", APP, "--contextroot", APP, war.toString());
        assertTrue(application.succeeded(), application.output());

        HttpResponse<String> before = send("secret", "before the rotation");
        assertEquals(200, before.statusCode(), before.body());
        assertEquals(List.of(TokenRequestLog.secretId(OLD_SECRET)), credentials());

        // The application keeps sending while the administrator rotates the secret.
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        Thread application1 = new Thread(() -> {
            int n = 0;
            while (sending.get()) {
                try {
                    HttpResponse<String> r = send("secret", "during the rotation " + n++);
                    if (r.statusCode() != 200) {
                        failures.add(r.body());
                    }
                    sent.incrementAndGet();
                    Thread.sleep(200);
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
        application1.start();
        try {
            Asadmin.Result set = Asadmin.run("set",
                    "resources.connector-connection-pool.RotationSecret.property.clientSecret=" + NEW_SECRET);
            assertTrue(set.succeeded(), set.output());
            // The old secret is deleted from the app registration: only the new one works from here on.
            app().removeSecret(OLD_SECRET);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!credentials().contains(TokenRequestLog.secretId(NEW_SECRET)) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            // The application goes on sending with the new secret for a while: ten more sends.
            int afterRotation = sent.get() + 10;
            while (sent.get() < afterRotation && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            sending.set(false);
            application1.join();
        }
        assertTrue(credentials().contains(TokenRequestLog.secretId(NEW_SECRET)),
                "the injected factory asked for a token with the new secret: " + credentials());
        HttpResponse<String> after = send("secret", "after the rotation");
        assertEquals(200, after.statusCode(), after.body());
        assertEquals(List.of(), failures, "no send failed while the secret was rotated");
    }

    @Test
    @Order(2)
    void aCertificateFileReplacedOnDiskIsUsedForTheNextToken() throws Exception {
        HttpResponse<String> before = send("certificate", "with the first certificate");
        assertEquals(200, before.statusCode(), before.body());
        assertTrue(credentials().contains(TokenRequestLog.certificateId(firstCertificate)), credentials().toString());
        X509Certificate renewed = certificate(WORK.resolve("renewed.p12"), "rotation-renewed");
        app().addCertificate(renewed);
        Files.copy(WORK.resolve("renewed.p12"), WORK.resolve("app.p12"), StandardCopyOption.REPLACE_EXISTING);
        String wanted = TokenRequestLog.certificateId(renewed);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!credentials().contains(wanted) && System.nanoTime() < deadline) {
            HttpResponse<String> sent = send("certificate", "while the certificate is replaced");
            assertEquals(200, sent.statusCode(), sent.body());
            Thread.sleep(500);
        }
        assertTrue(credentials().contains(wanted), "a token was asked for with the renewed certificate: "
                + credentials());
    }
}
