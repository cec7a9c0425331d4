package org.m365mail.auth;

import org.m365mail.config.ClientCertificate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Warns, when a connection factory starts and then daily, that the certificate it authenticates with expires within
 * 30 days, naming its subject and expiry, so it is renewed before sends start failing.
 */
public final class CertificateExpiryWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CertificateExpiryWatch.class.getName());
    static final Duration WARN_AHEAD = Duration.ofDays(30);

    private final ScheduledFuture<?> task;

    private CertificateExpiryWatch(ScheduledFuture<?> task) {
        this.task = task;
    }

    /** Checks now, and every day on {@code scheduler} (the deployment's) until closed. */
    public static CertificateExpiryWatch watch(ClientCertificate certificate, String clientId, Clock clock,
                                               ScheduledExecutorService scheduler) {
        check(certificate, clientId, clock);
        return new CertificateExpiryWatch(scheduler.scheduleAtFixedRate(() -> check(certificate, clientId, clock),
                1, 1, TimeUnit.DAYS));
    }

    /** Logs a WARNING if the certificate expires within 30 days (or has expired); returns whether it did. */
    static boolean check(ClientCertificate certificate, String clientId, Clock clock) {
        Instant now = Instant.now(clock);
        if (certificate.notAfter().isAfter(now.plus(WARN_AHEAD))) {
            return false;
        }
        long days = Duration.between(now, certificate.notAfter()).toDays();
        LOG.warning("M365MAIL-2101 The certificate " + certificate.subject() + " that app " + clientId
                + " signs in with " + (days < 0 ? "expired on " : "expires on ") + certificate.notAfter()
                + (days < 0 ? "" : " (in " + days + " days)") + ": upload a new certificate to the app registration "
                + "(Certificates & secrets) and replace certificatePath before then.");
        return true;
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
