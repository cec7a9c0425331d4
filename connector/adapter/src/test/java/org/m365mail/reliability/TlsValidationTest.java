package org.m365mail.reliability;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import jakarta.resource.ResourceException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.StandaloneAdapter;
import org.m365mail.testing.SandboxFactories;
import org.m365mail.testing.TestCertificates;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS is checked on every connection: a server whose certificate is trusted (it is in {@code trustStorePath}) but
 * issued for another host name is refused on the token endpoint, on Graph and on SMTP; and no setting turns the
 * checks off — the only way around TLS is {@code smtpTls=PLAINTEXT_LOOPBACK_ONLY}, for a server on this machine.
 */
class TlsValidationTest {

    private static final String PASSWORD = "changeit";

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-tls-validation");

    private static HttpsServer wrongHost;
    private static Path trustStore;
    @RegisterExtension
    final StandaloneAdapter adapter = new StandaloneAdapter();

    /** A server on 127.0.0.1 whose certificate, trusted by the connector, names wrong-host.example only. */
    @BeforeAll
    static void startWrongHost() throws Exception {
        Path dir = Path.of("target/tls-validation");
        Path keys = TestCertificates.pkcs12(dir.resolve("wrong-host.p12"), "wrong-host.example", 30, PASSWORD);
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keys)) {
            keyStore.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        wrongHost = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        wrongHost.setHttpsConfigurator(new HttpsConfigurator(context));
        wrongHost.createContext("/", exchange -> {
            byte[] body = "{}".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        wrongHost.start();

        // The stand-in's own trust (for the token) plus the wrong-host certificate, as a trusted entry.
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(SANDBOX.get().trustStorePath())) {
            trust.load(in, SANDBOX.get().trustStorePassword().toCharArray());
        }
        trust.setCertificateEntry("wrong-host", TestCertificates.certificate(keys, PASSWORD));
        trustStore = dir.resolve("trust.p12");
        try (var out = Files.newOutputStream(trustStore)) {
            trust.store(out, PASSWORD.toCharArray());
        }
    }

    @AfterAll
    static void stopWrongHost() {
        wrongHost.stop(0);
    }

    private MailManagedConnectionFactory factory(String transport) {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), transport);
        mcf.setTrustStorePath(trustStore.toString());
        mcf.setTrustStorePassword(PASSWORD);
        mcf.setSendTimeoutSeconds(3);
        adapter.attach(mcf);
        return mcf;
    }

    private static String wrongHostUrl() {
        return "https://127.0.0.1:" + wrongHost.getAddress().getPort();
    }

    private static void assertNamesTheCertificate(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        // Refused for its host name, not for its issuer: the certificate itself is trusted.
        assertTrue(lower.contains("subject alternative") || lower.contains("no name matching")
                || lower.contains("hostname") || lower.contains("host name"), text);
        assertTrue(!lower.contains("pkix"), "refused as untrusted, which it is not: " + text);
    }

    @Test
    void aTrustedCertificateForAnotherHostIsRefusedByTheTokenRequest() throws Exception {
        MailManagedConnectionFactory mcf = factory("GRAPH");
        mcf.setAuthorityUrl(wrongHostUrl());
        mcf.createConnectionFactory();
        ResourceException e = assertThrows(ResourceException.class, () -> mcf.createManagedConnection(null, null));
        assertNamesTheCertificate(e.getMessage());
        assertTrue(e.getMessage().contains("authorityUrl"), e.getMessage());
    }

    @Test
    void aTrustedCertificateForAnotherHostIsRefusedByGraph() throws Exception {
        MailManagedConnectionFactory mcf = factory("GRAPH");
        mcf.setGraphUrl(wrongHostUrl());
        SANDBOX.get().directory().addGraphIdentifier(wrongHostUrl());
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        try (MailConnection c = factory.getConnection()) {
            MailSendException e = assertThrows(MailSendException.class,
                    () -> c.send(SandboxFactories.textMessage("wrong host", "x")));
            assertNamesTheCertificate(e.getMessage());
            assertEquals("GraphUnreachable", e.getErrorCode(), e.getMessage());
        }
    }

    @Test
    void aTrustedCertificateForAnotherHostIsRefusedBySmtp() throws Exception {
        MailManagedConnectionFactory mcf = factory("SMTP");
        mcf.setSmtpPort(wrongHost.getAddress().getPort());
        mcf.setSmtpTls("IMPLICIT");
        mcf.createConnectionFactory();
        ResourceException e = assertThrows(ResourceException.class, () -> mcf.createManagedConnection(null, null));
        assertNamesTheCertificate(e.getMessage());
    }

    @Test
    void noSettingTurnsCertificateOrHostNameChecksOff() {
        List<String> suspicious = Arrays.stream(MailManagedConnectionFactory.class.getMethods())
                .map(Method::getName)
                .filter(n -> n.startsWith("set"))
                .map(n -> n.toLowerCase(Locale.ROOT))
                .filter(n -> n.contains("insecure") || n.contains("trustall") || n.contains("verify")
                        || n.contains("hostname") || n.contains("validat") || n.contains("checkserver")
                        || n.contains("ssl") || (n.contains("trust") && !n.startsWith("settruststore")))
                .toList();
        assertEquals(List.of(), suspicious, "a setting that could weaken TLS");
        MailManagedConnectionFactory mcf = factory("SMTP");
        mcf.setSmtpHost("smtp.office365.com");
        mcf.setSmtpTls("PLAINTEXT_LOOPBACK_ONLY");
        ResourceException e = assertThrows(ResourceException.class, mcf::createConnectionFactory);
        assertTrue(e.getMessage().contains("PLAINTEXT_LOOPBACK_ONLY"), e.getMessage());
    }
}
