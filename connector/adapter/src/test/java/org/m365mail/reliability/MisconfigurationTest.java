package org.m365mail.reliability;

import jakarta.resource.ResourceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.StandaloneAdapter;
import org.m365mail.testing.SandboxFactories;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The misconfiguration matrix: one property missing or wrong at a time, on each transport. The failure comes at
 * deployment (the factory's validation) or at the pool's Ping (a new pooled connection), names the property to fix,
 * never shows a secret, and comes within the configured timeouts (here 2 s to connect, 2 s to read).
 */
class MisconfigurationTest {

    private static final Logger LOG = Logger.getLogger(MisconfigurationTest.class.getName());
    private static final String WRONG_SECRET = "wrong-secret-value-7Qx!";
    private static final String CERTIFICATE_PASSWORD = "misconfig-cert-pass";

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-misconfiguration");

    @RegisterExtension
    final StandaloneAdapter adapter = new StandaloneAdapter();

    /** A wrong setting and the property (or fix) the error must name. */
    private record Case(String transport, Consumer<MailManagedConnectionFactory> breaks, String names) {
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Map<String, Case> cases() throws Exception {
        int closed = closedPort();
        int graphPort = URI.create(SANDBOX.get().graphUrl()).getPort();
        String unknownTenant = "0b8d7c6e-1111-4222-8333-944455556666";
        Map<String, Case> cases = new LinkedHashMap<>();
        for (String t : new String[]{"GRAPH", "SMTP"}) {
            cases.put(t + ": no tenantId", new Case(t, m -> m.setTenantId(null), "tenantId"));
            cases.put(t + ": no clientId", new Case(t, m -> m.setClientId(""), "clientId"));
            cases.put(t + ": no clientSecret", new Case(t, m -> m.setClientSecret(null), "clientSecret"));
            cases.put(t + ": no fromAddress", new Case(t, m -> m.setFromAddress(null), "fromAddress"));
            cases.put(t + ": fromAddress not an address", new Case(t, m -> m.setFromAddress("notifications"),
                    "fromAddress"));
            cases.put(t + ": authorityUrl not a URL", new Case(t, m -> m.setAuthorityUrl("login microsoft"),
                    "authorityUrl"));
            cases.put(t + ": an http: authority", new Case(t, m -> m.setAuthorityUrl("http://login.microsoftonline.com"),
                    "authorityUrl"));
            cases.put(t + ": an unknown tenant", new Case(t, m -> m.setTenantId(unknownTenant), "tenantId"));
            cases.put(t + ": an unknown clientId", new Case(t,
                    m -> m.setClientId("0c9e8d7f-2222-4333-8444-a55566667777"), "clientId"));
            cases.put(t + ": a wrong secret", new Case(t, m -> m.setClientSecret(WRONG_SECRET), "clientSecret"));
            cases.put(t + ": an unreachable authority", new Case(t,
                    m -> m.setAuthorityUrl("https://127.0.0.1:" + closed), "authorityUrl"));
            cases.put(t + ": a trust store that does not trust the server", new Case(t,
                    m -> m.setTrustStorePath(null), "trustStorePath"));
        }
        java.nio.file.Path expired = org.m365mail.testing.TestCertificates.pkcs12(
                java.nio.file.Path.of("target/misconfiguration/expired.p12"), "expired-app", 10, CERTIFICATE_PASSWORD,
                "-30d");
        java.nio.file.Path current = org.m365mail.testing.TestCertificates.pkcs12(
                java.nio.file.Path.of("target/misconfiguration/current.p12"), "current-app", 365, CERTIFICATE_PASSWORD);
        cases.put("GRAPH: an expired certificate", new Case("GRAPH", m -> {
            m.setClientSecret(null);
            m.setCertificatePath(expired.toString());
            m.setCertificatePassword(CERTIFICATE_PASSWORD);
        }, "expired"));
        cases.put("GRAPH: a certificate's wrong password", new Case("GRAPH", m -> {
            m.setClientSecret(null);
            m.setCertificatePath(current.toString());
            m.setCertificatePassword("not-the-password");
        }, "certificatePassword"));
        cases.put("GRAPH: a certificate file that is not there", new Case("GRAPH", m -> {
            m.setClientSecret(null);
            m.setCertificatePath("target/misconfiguration/missing.p12");
        }, "certificatePath"));
        cases.put("GRAPH: graphUrl not a URL", new Case("GRAPH", m -> m.setGraphUrl("graph"), "graphUrl"));
        cases.put("GRAPH: an http: graphUrl", new Case("GRAPH", m -> m.setGraphUrl("http://graph.microsoft.com"),
                "graphUrl"));
        cases.put("SMTP: no smtpHost", new Case("SMTP", m -> m.setSmtpHost(""), "smtpHost"));
        cases.put("SMTP: a port out of range", new Case("SMTP", m -> m.setSmtpPort(70000), "smtpPort"));
        cases.put("SMTP: a closed port", new Case("SMTP", m -> m.setSmtpPort(closed), "smtpPort"));
        cases.put("SMTP: a port that speaks TLS at once (implicit), with STARTTLS", new Case("SMTP",
                m -> m.setSmtpPort(graphPort), "smtpTls=IMPLICIT"));
        cases.put("SMTP: IMPLICIT against a STARTTLS port", new Case("SMTP",
                m -> m.setSmtpTls("IMPLICIT"), "smtpTls=STARTTLS"));
        cases.put("SMTP: an unknown smtpTls", new Case("SMTP", m -> m.setSmtpTls("SSL"), "smtpTls"));
        cases.put("SMTP: a username that is not the mailbox", new Case("SMTP",
                m -> m.setUsername("someone-else@contoso.test"), "username"));
        return cases;
    }

    @Test
    void eachWrongSettingIsNamedAtDeploymentOrPingWithinTheTimeouts() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Case> entry : cases().entrySet()) {
            Case c = entry.getValue();
            MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), c.transport());
            mcf.setConnectTimeoutMillis(2000);
            mcf.setReadTimeoutMillis(2000);
            mcf.setSendTimeoutSeconds(10);
            adapter.attach(mcf);
            c.breaks().accept(mcf);
            long started = System.nanoTime();
            String failure = null;
            String when;
            try {
                mcf.createConnectionFactory();
                when = "ping";
                mcf.createManagedConnection(null, null).destroy();
            } catch (ResourceException | RuntimeException e) {
                failure = e.getMessage();
            }
            when = failure == null ? "nowhere" : "deployment or ping";
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            LOG.info(entry.getKey() + " -> " + when + " in " + took.toMillis() + " ms: " + failure);
            if (failure == null) {
                problems.add(entry.getKey() + ": accepted");
                continue;
            }
            if (!failure.contains(c.names())) {
                problems.add(entry.getKey() + ": does not name " + c.names() + ": " + failure);
            }
            if (failure.contains(WRONG_SECRET) || failure.contains(SandboxDefaults.CLIENT_SECRET)
                    || failure.contains(CERTIFICATE_PASSWORD) || failure.contains("not-the-password")) {
                problems.add(entry.getKey() + ": shows the secret");
            }
            // Connect and read timeouts of 2 s each, one retry with a new token at most: well under 15 s.
            if (took.compareTo(Duration.ofSeconds(15)) > 0) {
                problems.add(entry.getKey() + ": took " + took.toMillis() + " ms");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /**
     * A mailbox that does not exist, or that the app may not use, cannot be seen in a token: Ping passes (it cannot
     * ask Graph without a permission to read mailboxes), and the first send names fromAddress.
     */
    @Test
    void aMailboxThatDoesNotExistIsNamedByTheFirstSend() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setFromAddress("nobody@contoso.test");
        adapter.attach(mcf);
        org.m365mail.api.MailConnectionFactory factory = (org.m365mail.api.MailConnectionFactory)
                mcf.createConnectionFactory();
        try (org.m365mail.api.MailConnection c = factory.getConnection()) {
            org.m365mail.api.MailSendException e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.m365mail.api.MailSendException.class,
                    () -> c.send(SandboxFactories.textMessage("to nobody", "x")));
            assertTrue(e.getMessage().contains("fromAddress"), e.getMessage());
            assertTrue(e.getMessage().contains("nobody@contoso.test"), e.getMessage());
        }
    }
}
