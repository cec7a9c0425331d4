package org.m365mail.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
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
import org.m365mail.sandbox.SandboxDirectory;

import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's side in Payara Micro, as an operator sees it: the connector's factories at Micro's
 * {@code /health/ready} (DOWN with the reason while Entra refuses a pool's secret, UP once Entra knows it), its counts
 * at {@code /metrics}, and the alert of a pool that cannot sign in mailed through its {@code alertFallbackFactory},
 * then a recovery notice through the pool itself. The pools are made by the post-boot commands, like an
 * administrator's.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsIT {

    /** HealthCheckPool's secret: not known to Entra until the test "fixes" it. */
    private static final String HEALTH_SECRET = "health-it~secret.not-yet-in-entra";
    private static final String ALERT_MAILBOX = "alerts-it@contoso.test";
    private static final String OPS = "ops@contoso.test";
    private static M365Sandbox sandbox;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive application() throws Exception {
        sandbox = SandboxEndpoints.startSandbox();
        tenant().addMailbox(ALERT_MAILBOX, "Alerts IT").grantFullAccess(app());
        return ShrinkWrap.create(WebArchive.class, "ops-it.war").addClasses(OperationsServlet.class);
    }

    @AfterAll
    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private static SandboxDirectory.Tenant tenant() {
        return sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow();
    }

    private static SandboxDirectory.App app() {
        return tenant().app(SandboxDefaults.CLIENT_ID).orElseThrow();
    }

    private URI server(String path) {
        return URI.create(base.toString()).resolve(path);
    }

    private HttpResponse<String> send(String factory, String to, String subject) throws Exception {
        String form = "factory=" + enc(factory) + "&to=" + enc(to) + "&subject=" + enc(subject);
        return HTTP.send(HttpRequest.newBuilder(server("/ops-it/send"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Micro's readiness checks, by name. */
    private Map<String, JsonObject> readiness() throws Exception {
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(server("/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(health.statusCode() == 200 || health.statusCode() == 503, health.statusCode() + health.body());
        Map<String, JsonObject> checks = new HashMap<>();
        for (JsonValue check : Json.createReader(new StringReader(health.body())).readObject().getJsonArray("checks")) {
            checks.put(check.asJsonObject().getString("name"), check.asJsonObject());
        }
        return checks;
    }

    private JsonObject awaitReadiness(String name, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        JsonObject check = readiness().get(name);
        while ((check == null || !status.equals(check.getString("status"))) && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            check = readiness().get(name);
        }
        assertTrue(check != null, "no readiness check named " + name + " in " + readiness().keySet());
        assertEquals(status, check.getString("status"), check.toString());
        return check;
    }

    private static DeliveredMessage awaitMail(String subjectStart) throws InterruptedException {
        return sandbox.outbox().await(m -> m.subject() != null && m.subject().startsWith(subjectStart)
                        && m.to().contains(OPS), Duration.ofSeconds(20))
                .orElseThrow(() -> new AssertionError("no mail '" + subjectStart + "' to " + OPS + " in "
                        + sandbox.outbox().messages().stream().map(DeliveredMessage::subject).toList()));
    }

    @Test
    @Order(2)
    void aPoolEntraRefusesIsDownAlertedThroughTheFallbackThenUpWithANotice() throws Exception {
        assertEquals("UP", awaitReadiness("m365-mail mail/Office365", "UP").getString("status"));
        JsonObject down = awaitReadiness("m365-mail mail/HealthCheck", "DOWN");
        String reason = down.getJsonObject("data").getString("reason");
        assertTrue(reason.startsWith("authentication: ") && reason.contains("AADSTS7000215"), reason);
        assertFalse(down.toString().contains(HEALTH_SECRET), "no secret at /health");

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> refused = send("mail/HealthCheck", SandboxDefaults.RECIPIENT, "refused " + i);
            assertEquals(500, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("AADSTS7000215"), refused.body());
        }
        // The pool cannot sign in, so its alert goes through alertFallbackFactory (mail/Office365, another mailbox).
        DeliveredMessage alert = awaitMail("[m365-mail] ALERT: authentication failing for");
        assertEquals(SandboxDefaults.SENDER, alert.from(), "sent through the fallback pool");
        assertTrue(alert.textBody().contains(ALERT_MAILBOX) && alert.textBody().contains("AADSTS7000215")
                && alert.textBody().contains("Fix:"), alert.textBody());
        assertFalse(alert.textBody().contains(HEALTH_SECRET));
        assertTrue(sandbox.outbox().await(m -> m.subject().startsWith("[m365-mail] ALERT")
                && !m.messageId().equals(alert.messageId()), Duration.ofSeconds(1)).isEmpty(), "no second alert");
        assertEquals(1, sandbox.outbox().messages().stream()
                        .filter(m -> m.subject().startsWith("[m365-mail] ALERT")).count(),
                "one alert, not one per failed send");

        // The administrator adds the secret to the app registration.
        app().addSecret(HEALTH_SECRET);
        JsonObject up = awaitReadiness("m365-mail mail/HealthCheck", "UP");
        assertFalse(up.getJsonObject("data").containsKey("reason"), up.toString());
        DeliveredMessage notice = awaitMail("[m365-mail] RECOVERED:");
        assertEquals(ALERT_MAILBOX, notice.from(), "the notice goes through the pool that works again");
        HttpResponse<String> sent = send("mail/HealthCheck", SandboxDefaults.RECIPIENT, "after the fix");
        assertEquals(200, sent.statusCode(), sent.body());
    }

    /** The application registry's metrics, in the OpenMetrics text Micro serves. */
    private String metricsText() throws Exception {
        HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(server("/metrics?scope=application"))
                .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode(), metrics.body());
        return metrics.body();
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)\\} ([0-9.eE+-]+)",
            Pattern.MULTILINE);

    /** The value of {@code name} whose labels include {@code labels}, or 0 when there is none. */
    private static double value(String text, String name, Map<String, String> labels) {
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            if (!m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> found = new HashMap<>();
            for (String pair : m.group(2).split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    found.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim().replace("\"", ""));
                }
            }
            if (found.entrySet().containsAll(labels.entrySet())) {
                return Double.parseDouble(m.group(3));
            }
        }
        return 0;
    }

    private double metric(String name, String... labels) throws Exception {
        Map<String, String> wanted = new HashMap<>(Map.of("factory", "mail/Metrics"));
        for (int i = 0; i + 1 < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return value(metricsText(), name, wanted);
    }

    /** First: a readiness check would give mail/Metrics an hour's token before the short ones this test needs. */
    @Test
    @Order(1)
    void theMetricsCountSendsFailuresAndTokenRefreshes() throws Exception {
        String text = metricsText();
        assertTrue(text.contains("m365mail_messages_sent_total"), "the connector's metrics are published:\n" + text);
        double sent = metric("m365mail_messages_sent_total");
        double rejected = metric("m365mail_messages_failed_total", "reason", "rejected");
        double requested = metric("m365mail_tokens_requested_total");
        double refreshed = metric("m365mail_tokens_refreshed_total");
        double timed = metric("m365mail_send_duration_seconds_count");

        Duration lifetime = sandbox.tokenLifetime();
        sandbox.tokenLifetime(Duration.ofSeconds(20));
        try {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> ok = send("mail/Metrics", SandboxDefaults.RECIPIENT, "counted " + i);
                assertEquals(200, ok.statusCode(), ok.body());
            }
            HttpResponse<String> refused = send("mail/Metrics", "nobody@localhost", "not resolvable");
            assertEquals(500, refused.statusCode(), refused.body());
            assertEquals(sent + 3, metric("m365mail_messages_sent_total"));
            assertEquals(rejected + 1, metric("m365mail_messages_failed_total", "reason", "rejected"));
            assertEquals(timed + 3, metric("m365mail_send_duration_seconds_count"));
            assertTrue(metric("m365mail_tokens_requested_total") >= requested + 1);

            // Once a quarter of the token's 20 s life is left, a send fetches the next token in the background.
            int later = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (metric("m365mail_tokens_refreshed_total") < refreshed + 1 && System.nanoTime() < deadline) {
                HttpResponse<String> ok = send("mail/Metrics", SandboxDefaults.RECIPIENT, "while the token ages");
                assertEquals(200, ok.statusCode(), ok.body());
                later++;
                Thread.sleep(500);
            }
            assertEquals(refreshed + 1, metric("m365mail_tokens_refreshed_total"));
            assertEquals(sent + 3 + later, metric("m365mail_messages_sent_total"));
        } finally {
            sandbox.tokenLifetime(lifetime);
        }
        assertFalse(metricsText().contains("sandbox~secret"), "no secret in the metrics");
    }
}
