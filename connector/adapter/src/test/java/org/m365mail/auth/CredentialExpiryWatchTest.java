package org.m365mail.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m365mail.config.ClientCertificate;
import org.m365mail.config.Secret;
import org.m365mail.monitor.SendEvents;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.ManualClock;
import org.m365mail.testing.TestCertificates;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which credentials are announced as expiring, how, and when they are looked at. */
class CredentialExpiryWatchTest {

    private static final Duration WARN_AHEAD = Duration.ofDays(30);

    /** What the pool's monitor hears of expiries. */
    private static final class Heard implements SendEvents {
        final List<String> expiries = new ArrayList<>();

        @Override
        public void expiry(String kind, String credential, Instant expires, boolean warning) {
            expiries.add(kind + "|" + credential + "|" + expires + "|" + warning);
        }
    }

    private final ManualClock clock = new ManualClock();
    private final Heard heard = new Heard();

    private CredentialExpiryWatch secretExpiring(Instant expires) {
        return new CredentialExpiryWatch(null, expires, "app-1", WARN_AHEAD, clock, heard);
    }

    @Test
    void aSecretExpiringWithinTheWarningTimeIsAnnouncedWithTheDaysLeft() {
        Instant expires = clock.instant().plus(Duration.ofDays(10)).plusSeconds(60);
        try (CapturedLog log = new CapturedLog(CredentialExpiryWatch.class)) {
            assertEquals(1, secretExpiring(expires).check());
            String warning = log.warnings().get(0).getMessage();
            assertTrue(warning.startsWith("M365MAIL-2103 The client secret of app app-1 expires on " + expires
                    + " (in 10 days)"), warning);
        }
        assertEquals(List.of("client secret|client secret of app app-1|" + expires + "|true"), heard.expiries);
    }

    @Test
    void aSecretExpiringExactlyAtTheWarningTimeIsAnnouncedOneLaterIsNot() {
        assertEquals(1, secretExpiring(clock.instant().plus(WARN_AHEAD)).check());
        try (CapturedLog log = new CapturedLog(CredentialExpiryWatch.class)) {
            Instant later = clock.instant().plus(WARN_AHEAD).plusMillis(1);
            assertEquals(0, secretExpiring(later).check());
            assertTrue(log.warnings().isEmpty());
            assertEquals("client secret|client secret of app app-1|" + later + "|false", heard.expiries.get(1),
                    "still told to the monitor, as no warning");
        }
    }

    @Test
    void anExpiredSecretSaysItExpired() {
        Instant expired = clock.instant().minus(Duration.ofDays(3));
        try (CapturedLog log = new CapturedLog(CredentialExpiryWatch.class)) {
            assertEquals(1, secretExpiring(expired).check());
            String warning = log.warnings().get(0).getMessage();
            assertTrue(warning.contains("expired on " + expired + " (clientSecretExpires)"), warning);
            assertFalse(warning.contains("(in "), warning);
        }
    }

    @Test
    void noKnownCredentialNothingToTell() {
        assertEquals(0, new CredentialExpiryWatch(() -> null, null, "app-1", WARN_AHEAD, clock, heard).check());
        assertEquals(0, new CredentialExpiryWatch(null, null, "app-1", WARN_AHEAD, clock, heard).check());
        assertTrue(heard.expiries.isEmpty());
    }

    @Test
    void aCertificateIsWatchedAsTheSecretIs(@TempDir Path dir) throws Exception {
        ClientCertificate soon = ClientCertificate.load(TestCertificates.pkcs12(dir.resolve("soon.p12"), "mailer-soon",
                10, "changeit"), Secret.of("changeit"));
        ClientCertificate later = ClientCertificate.load(TestCertificates.pkcs12(dir.resolve("later.p12"),
                "mailer-later", 400, "changeit"), Secret.of("changeit"));
        ClientCertificate[] current = {soon};
        Instant secret = Instant.now().plus(Duration.ofDays(5));
        CredentialExpiryWatch watch = new CredentialExpiryWatch(() -> current[0], secret, "app-1", WARN_AHEAD,
                java.time.Clock.systemUTC(), heard);
        try (CapturedLog log = new CapturedLog(CredentialExpiryWatch.class)) {
            assertEquals(2, watch.check(), "the certificate and the secret");
            String warning = log.warnings().get(0).getMessage();
            assertTrue(warning.startsWith("M365MAIL-2101 The certificate CN=mailer-soon that app app-1 signs in "
                    + "with expires on " + soon.notAfter()), warning);
            assertTrue(warning.contains("(in 9 days)") || warning.contains("(in 10 days)"), warning);
        }
        assertEquals("certificate|certificate CN=mailer-soon (certificatePath)|" + soon.notAfter() + "|true",
                heard.expiries.get(0));
        current[0] = later;
        assertEquals(1, watch.check(), "the replaced certificate is the one looked at");
        assertTrue(heard.expiries.get(2).startsWith("certificate|certificate CN=mailer-later") &&
                heard.expiries.get(2).endsWith("|false"), heard.expiries.toString());
    }

    @Test
    void anExpiredCertificateSaysItExpired(@TempDir Path dir) throws Exception {
        ClientCertificate expired = ClientCertificate.load(TestCertificates.pkcs12(dir.resolve("old.p12"),
                "mailer-old", 10, "changeit", "-30d"), Secret.of("changeit"));
        try (CapturedLog log = new CapturedLog(CredentialExpiryWatch.class)) {
            assertEquals(1, new CredentialExpiryWatch(() -> expired, null, "app-1", WARN_AHEAD,
                    java.time.Clock.systemUTC(), heard).check());
            String warning = log.warnings().get(0).getMessage();
            assertTrue(warning.contains("expired on " + expired.notAfter() + ": upload"), warning);
        }
    }

    @Test
    void startChecksAtOnceThenDailyUntilClosed() throws Exception {
        ScheduledThreadPoolExecutor scheduler = (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(1);
        try {
            CredentialExpiryWatch watch = secretExpiring(clock.instant().plus(Duration.ofDays(90)));
            assertTrue(watch == watch.start(scheduler));
            assertEquals(1, heard.expiries.size(), "checked at start");
            ScheduledFuture<?> daily = (ScheduledFuture<?>) scheduler.getQueue().peek();
            long delay = daily.getDelay(TimeUnit.HOURS);
            assertTrue(delay >= 23 && delay <= 24, "next check in a day: " + delay + " h");
            watch.close();
            assertTrue(daily.isCancelled());
            new CredentialExpiryWatch(null, null, "app-1", WARN_AHEAD, clock, heard).close(); // never started
        } finally {
            scheduler.shutdownNow();
        }
    }
}
