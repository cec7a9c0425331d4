package org.m365mail.it.portable;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same RAR and the same application on every Jakarta EE server of the portable suite (GlassFish, WildFly, Open
 * Liberty; Payara Micro and Server have their own modules): the build unpacks the server fresh into {@code target/},
 * deploys the RAR and defines three connection factories the server's way, with the client secret in the server's
 * secret store (GlassFish password alias, WildFly Elytron encrypted expression, Liberty variable and the secret
 * encoded with {aes} as applicationPassword); Arquillian starts the server, deploys this application, and stops the server.
 *
 * <p>What differs per server is given to the test by the build: the application's URL, the files that hold the
 * factories' configuration, what the secret is replaced by there, and the server's log files.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortableMailIT {

    private static final String SERVER = System.getProperty("portable.server");
    private static final URI APP = URI.create(System.getProperty("portable.baseUrl"));
    private static M365Sandbox sandbox;

    @Deployment(testable = false)
    static WebArchive application() throws IOException {
        sandbox = SandboxEndpoints.startSandbox();
        return ShrinkWrap.create(WebArchive.class, "portable-it.war")
                .addClass(PortableMailServlet.class)
                // The resource references (java:comp/env/mail/...) with each server's global name as lookup-name.
                .setWebXML("portable-web.xml")
                // WildFly: a standalone RAR's classes reach an application only through a module dependency
                // (harmless on the other servers).
                .setManifest(new StringAsset("Manifest-Version: 1.0\n"
                        + "Dependencies: deployment.m365-mail-connector.rar\n"));
    }

    @AfterAll
    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private static HttpResponse<String> call(String action, String ref, String subject) throws Exception {
        String form = "action=" + enc(action) + "&ref=" + enc(ref) + "&to=" + enc(SandboxDefaults.RECIPIENT)
                + "&subject=" + enc(subject) + "&text=" + enc("Sent on " + SERVER);
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                HttpRequest.newBuilder(APP.resolve("mail")).timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static DeliveredMessage delivered(String subject) throws InterruptedException {
        return sandbox.outbox().await(m -> subject.equals(m.subject()), Duration.ofSeconds(10))
                .orElseThrow(() -> new AssertionError("the stand-in received no message '" + subject + "'"));
    }

    private static void assertSentThrough(String ref, String transport) throws Exception {
        String subject = "Portable " + transport + " on " + SERVER;
        HttpResponse<String> response = call("send", ref, subject);
        assertEquals(200, response.statusCode(), response.body());
        String[] answer = response.body().split("\n");
        assertEquals(transport, answer[1], response.body());
        assertEquals("ACCEPTED", answer[2], response.body());
        DeliveredMessage got = delivered(subject);
        assertEquals(transport, got.channel());
        assertEquals(SandboxDefaults.SENDER, got.mailbox());
        assertEquals(List.of(SandboxDefaults.RECIPIENT), got.to());
        assertEquals("Sent on " + SERVER, got.textBody().trim());
        assertEquals(answer[0], got.messageId(), "the returned Message-ID is the delivered message's");
    }

    @Test
    @Order(1)
    void sendsThroughGraphWithTheSecretFromTheServersStore() throws Exception {
        int tokens = sandbox.tokenRequests().entries().size();
        assertSentThrough("mail/Graph", "GRAPH");
        assertTrue(sandbox.tokenRequests().entries().size() > tokens, "a token was asked for with the stored secret");
    }

    @Test
    @Order(2)
    void sendsThroughSmtpWithTheSecretFromTheServersStore() throws Exception {
        int logins = sandbox.smtpLogins();
        assertSentThrough("mail/Smtp", "SMTP");
        assertTrue(sandbox.smtpLogins() > logins, "the SMTP connection signed in with XOAUTH2");
    }

    /** The pool checks every connection it makes: a working pool pings, one with a wrong secret says why. */
    @Test
    @Order(3)
    void pingTellsAWorkingPoolFromOneWithAWrongSecret() throws Exception {
        HttpResponse<String> graph = call("ping", "mail/Graph", "");
        assertEquals(200, graph.statusCode(), graph.body());
        assertEquals("OK", graph.body());
        HttpResponse<String> smtp = call("ping", "mail/Smtp", "");
        assertEquals(200, smtp.statusCode(), smtp.body());

        int tokens = sandbox.tokenRequests().entries().size();
        HttpResponse<String> wrong = call("ping", "mail/WrongSecret", "");
        assertEquals(500, wrong.statusCode(), wrong.body());
        assertTrue(wrong.body().contains("AADSTS7000215") && wrong.body().contains("Check clientSecret"),
                wrong.body());
        assertFalse(wrong.body().contains("not-the-secret-42"), "the secret is not repeated: " + wrong.body());
        assertTrue(sandbox.tokenRequests().entries().size() > tokens, "Entra was asked, and refused");
    }

    private static List<String> serverLog() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String file : System.getProperty("portable.serverLogs").split(",")) {
            Path log = Path.of(file.trim());
            if (Files.exists(log)) {
                lines.addAll(Files.readAllLines(log, StandardCharsets.ISO_8859_1));
            }
        }
        return lines;
    }

    /**
     * The client secret is in the server's secret store: its configuration holds only the reference (each of them,
     * where the server keeps it two ways: the build separates them with |).
     */
    @Test
    @Order(4)
    void theServersConfigurationHoldsTheSecretsReferenceNotTheSecret() throws Exception {
        String reference = System.getProperty("portable.secretReference");
        StringBuilder all = new StringBuilder();
        for (String file : System.getProperty("portable.serverConfig").split(",")) {
            all.append(Files.readString(Path.of(file.trim())));
        }
        for (String each : reference.split("\\|")) {
            assertTrue(all.toString().contains(each), "the configuration names the stored secret by " + each);
        }
        assertFalse(all.toString().contains(SandboxDefaults.CLIENT_SECRET), "the client secret is not in the "
                + "server's configuration files " + System.getProperty("portable.serverConfig"));
    }

    /**
     * msal4j logs through SLF4J; the RAR's binding hands its lines to java.util.logging, so with its loggers at FINE
     * (set by the build) they are in the server's log: with no secret and no token, even at that level.
     */
    @Test
    @Order(5)
    void msal4jLogsReachTheServersLogWithoutSecretsOrTokens() throws Exception {
        // Servers write their log asynchronously (GlassFish through a queue): wait, boundedly, for msal4j's lines.
        List<String> lines = serverLog();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (lines.stream().noneMatch(l -> l.contains("com.microsoft.aad.msal4j")) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            lines = serverLog();
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("com.microsoft.aad.msal4j")),
                "msal4j's lines reach the server's log " + System.getProperty("portable.serverLogs"));
        assertTrue(lines.stream().noneMatch(l -> l.contains("org.slf4j.impl.StaticLoggerBinder")
                        || l.contains("Defaulting to no-operation")),
                "SLF4J found its binding (no 'no binding' warning)");
        for (String line : lines) {
            assertFalse(line.contains(SandboxDefaults.CLIENT_SECRET), "a client secret in the server's log");
            assertFalse(line.contains("not-the-secret-42"), "a client secret in the server's log");
            assertFalse(line.matches(".*eyJ[A-Za-z0-9_-]{10,}\\.eyJ.*"), "a token in the server's log: " + line);
        }
    }
}
