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
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;
import org.m365mail.testing.TestCertificates;

import java.nio.file.Path;
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
        try (CapturedLog log = new CapturedLog(CertificateExpiryWatch.class)) {
            send(withCertificate(soon, PASSWORD, "GRAPH"), "expiring certificate");
            send(withCertificate(registered, PASSWORD, "GRAPH"), "long-lived certificate");
            warnings = log.warnings();
        }
        assertEquals(1, warnings.size(), "only the certificate that expires soon is reported");
        assertTrue(warnings.get(0).getMessage().contains("CN=expiring-soon"), warnings.get(0).getMessage());
        assertTrue(warnings.get(0).getMessage().contains("in 9 days") || warnings.get(0).getMessage().contains("in 10 days"),
                warnings.get(0).getMessage());
    }
}
