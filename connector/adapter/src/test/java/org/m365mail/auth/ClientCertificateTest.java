package org.m365mail.auth;

import jakarta.resource.spi.InvalidPropertyException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.TokenRequestLog;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;
import org.m365mail.testing.TestCertificates;

import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.StandardCopyOption;
import java.nio.file.Files;
import java.util.List;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signing in with a certificate (a signed client assertion) instead of a client secret. */
class ClientCertificateTest {

    private static final String PASSWORD = "cert-pass";
    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-certificates");
    private static Path registered;

    @BeforeAll
    static void start() throws Exception {
        registered = TestCertificates.pkcs12(Path.of("target/certs/app.p12"), "contoso-mailer", 365, PASSWORD);
        SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID).orElseThrow()
                .addCertificate(TestCertificates.certificate(registered, PASSWORD));
    }

    private static MailManagedConnectionFactory withCertificate(Path file, String password, String transport) {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), transport);
        mcf.setClientSecret(null);
        mcf.setCertificatePath(file.toString());
        mcf.setCertificatePassword(password);
        return mcf;
    }

    private static void send(MailManagedConnectionFactory mcf, String subject) throws Exception {
        try (MailConnection c = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
            c.send(SandboxFactories.textMessage(subject, "x"));
        }
    }

    @Test
    void aPkcs12OrPemCertificateSignsInWithoutASecret() throws Exception {
        send(withCertificate(registered, PASSWORD, "GRAPH"), "certificate p12");
        send(withCertificate(registered, PASSWORD, "SMTP"), "certificate p12 smtp");
        Path pem = TestCertificates.pem(registered, PASSWORD, Path.of("target/certs/app.pem"));
        send(withCertificate(pem, null, "GRAPH"), "certificate pem");
        assertEquals(3, SANDBOX.get().outbox().messages().size());
    }

    @Test
    void aCertificateTheAppRegistrationDoesNotKnowIsExplained() throws Exception {
        Path other = TestCertificates.pkcs12(Path.of("target/certs/other.p12"), "not-uploaded", 365, PASSWORD);
        MailSendException e = assertThrows(MailSendException.class,
                () -> send(withCertificate(other, PASSWORD, "GRAPH"), "unknown certificate"));
        assertEquals("AADSTS700027", e.getErrorCode());
        assertTrue(e.getMessage().contains("Upload the certificate"), e.getMessage());
    }

    @Test
    void aWrongPasswordNamesTheProperty() {
        MailManagedConnectionFactory mcf = withCertificate(registered, "wrong", "GRAPH");
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, mcf::settings);
        assertTrue(e.getMessage().contains("certificatePath '" + registered + "' cannot be read with the given "
                + "certificatePassword"), e.getMessage());
        assertTrue(!e.getMessage().contains("wrong"), e.getMessage());
    }

    @Test
    void aCertificateExpiringWithin30DaysIsReportedAtStart() throws Exception {
        Path soon = TestCertificates.pkcs12(Path.of("target/certs/soon.p12"), "expiring-soon", 10, PASSWORD);
        SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID).orElseThrow()
                .addCertificate(TestCertificates.certificate(soon, PASSWORD));
        List<LogRecord> warnings;
        try (CapturedLog log = new CapturedLog(CredentialExpiryWatch.class)) {
            send(withCertificate(soon, PASSWORD, "GRAPH"), "expiring certificate");
            send(withCertificate(registered, PASSWORD, "GRAPH"), "long-lived certificate");
            warnings = log.warnings();
        }
        assertEquals(1, warnings.size(), "only the certificate that expires soon is reported");
        assertTrue(warnings.get(0).getMessage().contains("CN=expiring-soon"), warnings.get(0).getMessage());
        assertTrue(warnings.get(0).getMessage().contains("in 9 days") || warnings.get(0).getMessage().contains("in 10 days"),
                warnings.get(0).getMessage());
    }

    @Test
    void aCertificateFileReplacedOnDiskIsUsedForTheNextTokenAndARefusedOneIsReported() throws Exception {
        Path file = Path.of("target/certs/rotating.p12");
        Files.copy(registered, file, StandardCopyOption.REPLACE_EXISTING);
        MailManagedConnectionFactory mcf = withCertificate(file, PASSWORD, "GRAPH");
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        try {
            try (MailConnection c = factory.getConnection()) {
                c.send(SandboxFactories.textMessage("before renewal", "x"));
            }
            String before = TokenRequestLog.certificateId(TestCertificates.certificate(registered, PASSWORD));
            assertEquals(List.of(before), credentials());

            Path renewed = TestCertificates.pkcs12(Path.of("target/certs/renewed.p12"), "contoso-mailer-2027", 730,
                    PASSWORD);
            app().addCertificate(TestCertificates.certificate(renewed, PASSWORD));
            Files.copy(renewed, file, StandardCopyOption.REPLACE_EXISTING);
            String after = TokenRequestLog.certificateId(TestCertificates.certificate(renewed, PASSWORD));
            awaitCredential(factory, after);

            Path unknown = TestCertificates.pkcs12(Path.of("target/certs/not-uploaded.p12"), "not-uploaded", 365,
                    PASSWORD);
            try (CapturedLog alerts = new CapturedLog(org.m365mail.alert.FailureAlerts.class)) {
                Files.copy(unknown, file, StandardCopyOption.REPLACE_EXISTING);
                String refused = TokenRequestLog.certificateId(TestCertificates.certificate(unknown, PASSWORD));
                awaitCredential(factory, refused);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (alerts.records().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                String alert = alerts.records().get(0).getMessage();
                assertTrue(alert.contains("AADSTS700027") && alert.contains("Sends go on with the current token until"),
                        alert);
            }
            try (MailConnection c = factory.getConnection()) {
                c.send(SandboxFactories.textMessage("with the renewed certificate's token", "x"));
            }
        } finally {
            mcf.close();
        }
    }

    /** Sends until the stand-in has seen a token request signed with {@code credential} (5 s file check, at most). */
    private static void awaitCredential(MailConnectionFactory factory, String credential) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!credentials().contains(credential)) {
            assertTrue(System.nanoTime() < deadline, "no token request with " + credential + ": " + credentials());
            try (MailConnection c = factory.getConnection()) {
                c.send(SandboxFactories.textMessage("while the file is replaced", "x"));
            }
            Thread.sleep(250);
        }
    }

    private static List<String> credentials() {
        return SANDBOX.get().tokenRequests().entries().stream().map(TokenRequestLog.Entry::credential).toList();
    }

    private static org.m365mail.sandbox.SandboxDirectory.App app() {
        return SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow()
                .app(SandboxDefaults.CLIENT_ID).orElseThrow();
    }
}
