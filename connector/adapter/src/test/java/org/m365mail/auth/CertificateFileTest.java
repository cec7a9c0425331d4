package org.m365mail.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m365mail.config.ClientCertificate;
import org.m365mail.config.Secret;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.ManualClock;
import org.m365mail.testing.TestCertificates;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A certificate file replaced on disk is taken up within {@link CertificateFile#CHECK_EVERY}, once, if readable. */
class CertificateFileTest {

    private static final Secret PASSWORD = Secret.of("changeit");

    @Test
    void aReplacementIsTakenUpAtTheNextCheckOnce(@TempDir Path dir) throws Exception {
        Path path = TestCertificates.pkcs12(dir.resolve("app.p12"), "mailer-one", 365, "changeit");
        Path next = TestCertificates.pkcs12(dir.resolve("next.p12"), "mailer-two", 365, "changeit");
        ClientCertificate loaded = ClientCertificate.load(path, PASSWORD);
        ManualClock clock = new ManualClock();
        List<ClientCertificate> replaced = new ArrayList<>();
        CertificateFile file = new CertificateFile(path, PASSWORD, loaded, clock, replaced::add);
        assertSame(loaded, file.current());
        assertEquals(0, file.version());

        Files.copy(next, path, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(path, FileTime.fromMillis(Files.getLastModifiedTime(path).toMillis() + 10_000));
        clock.advance(CertificateFile.CHECK_EVERY.minusMillis(1));
        assertSame(loaded, file.current(), "not looked at before the check is due");
        clock.advance(Duration.ofMillis(1));
        assertEquals("CN=mailer-two", file.current().subject());
        assertEquals(1, file.version());
        assertEquals(1, replaced.size());
        assertEquals("CN=mailer-two", replaced.get(0).subject());

        clock.advance(CertificateFile.CHECK_EVERY);
        file.current();
        assertEquals(1, file.version(), "the same file again is no replacement");
        assertEquals(1, replaced.size());
        assertTrue(file.toString().contains(path.toString()));
    }

    @Test
    void anUnreadableReplacementIsReportedOnceAndTheCertificateStays(@TempDir Path dir) throws Exception {
        Path path = TestCertificates.pkcs12(dir.resolve("app.p12"), "mailer-one", 365, "changeit");
        ClientCertificate loaded = ClientCertificate.load(path, PASSWORD);
        ManualClock clock = new ManualClock();
        List<ClientCertificate> replaced = new ArrayList<>();
        CertificateFile file = new CertificateFile(path, PASSWORD, loaded, clock, replaced::add);
        byte[] original = Files.readAllBytes(path);

        Files.write(path, new byte[]{1, 2, 3}); // half copied
        try (CapturedLog log = new CapturedLog(CertificateFile.class)) {
            clock.advance(CertificateFile.CHECK_EVERY);
            assertSame(loaded, file.current());
            clock.advance(CertificateFile.CHECK_EVERY);
            assertSame(loaded, file.current());
            assertEquals(1, log.warnings().size(), "the same broken file is reported once");
            assertTrue(log.warnings().get(0).getMessage().startsWith("M365MAIL-2104"));
        }

        Files.write(path, original); // the same certificate copied back: read, but nothing changed
        Files.setLastModifiedTime(path, FileTime.fromMillis(Files.getLastModifiedTime(path).toMillis() + 20_000));
        clock.advance(CertificateFile.CHECK_EVERY);
        assertSame(loaded, file.current());
        assertEquals(0, file.version());

        Files.delete(path);
        clock.advance(CertificateFile.CHECK_EVERY);
        assertSame(loaded, file.current(), "a file gone for a moment changes nothing");
        assertTrue(replaced.isEmpty());
    }
}
