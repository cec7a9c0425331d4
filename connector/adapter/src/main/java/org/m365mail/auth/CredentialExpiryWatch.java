package org.m365mail.auth;

import org.m365mail.config.ClientCertificate;
import org.m365mail.monitor.SendEvents;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Watches when the factory's credentials stop working — the certificate's expiry, and the client secret's as the
 * administrator gave it ({@code clientSecretExpires}; Entra says nothing of it to an app that only sends) — when the
 * factory starts, daily, and when the certificate is replaced. Each check is told to the pool's monitor (the console
 * shows it); one within {@code expiryWarningDays} is logged as a WARNING and told to the alert address.
 */
public final class CredentialExpiryWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CredentialExpiryWatch.class.getName());

    private final Supplier<ClientCertificate> certificate;
    private final Instant secretExpires;
    private final String clientId;
    private final Duration warnAhead;
    private final Clock clock;
    private final SendEvents events;
    private volatile ScheduledFuture<?> task;

    /**
     * @param certificate   the certificate in use now, or {@code null} when the factory uses none
     * @param secretExpires when the client secret expires, or {@code null} when not known
     */
    public CredentialExpiryWatch(Supplier<ClientCertificate> certificate, Instant secretExpires, String clientId,
                                 Duration warnAhead, Clock clock, SendEvents events) {
        this.certificate = certificate;
        this.secretExpires = secretExpires;
        this.clientId = clientId;
        this.warnAhead = warnAhead;
        this.clock = clock;
        this.events = events;
    }

    /** Checks now, then daily on {@code scheduler} (the deployment's) until closed. */
    public CredentialExpiryWatch start(ScheduledExecutorService scheduler) {
        check();
        task = scheduler.scheduleAtFixedRate(this::check, 1, 1, TimeUnit.DAYS);
        return this;
    }

    /** Checks every credential now; returns how many expire within the warning time (or have expired). */
    public int check() {
        Instant now = Instant.now(clock);
        int warnings = 0;
        ClientCertificate c = certificate == null ? null : certificate.get();
        if (c != null) {
            boolean warn = !c.notAfter().isAfter(now.plus(warnAhead));
            events.expiry("certificate", "certificate " + c.subject() + " (certificatePath)", c.notAfter(), warn);
            if (warn) {
                warnings++;
                long days = Duration.between(now, c.notAfter()).toDays();
                LOG.warning("M365MAIL-2101 The certificate " + c.subject() + " that app " + clientId
                        + " signs in with " + (days < 0 ? "expired on " : "expires on ") + c.notAfter()
                        + (days < 0 ? "" : " (in " + days + " days)") + ": upload a new certificate to the app "
                        + "registration (Certificates & secrets) and copy it over certificatePath before then; it is "
                        + "taken up without redeploying.");
            }
        }
        if (secretExpires != null) {
            boolean warn = !secretExpires.isAfter(now.plus(warnAhead));
            events.expiry("client secret", "client secret of app " + clientId, secretExpires, warn);
            if (warn) {
                warnings++;
                long days = Duration.between(now, secretExpires).toDays();
                LOG.warning("M365MAIL-2103 The client secret of app " + clientId + " "
                        + (days < 0 ? "expired on " : "expires on ") + secretExpires
                        + (days < 0 ? "" : " (in " + days + " days)") + " (clientSecretExpires): create a new secret "
                        + "under Certificates & secrets and set clientSecret and clientSecretExpires on the pool "
                        + "before then; running applications take it up without redeploying.");
            }
        }
        return warnings;
    }

    @Override
    public void close() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }
}
