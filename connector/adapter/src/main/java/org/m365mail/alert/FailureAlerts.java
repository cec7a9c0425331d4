package org.m365mail.alert;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import org.m365mail.api.MailSendException;
import org.m365mail.config.MailSettings;
import org.m365mail.logging.LogText;
import org.m365mail.monitor.FailureReason;
import org.m365mail.monitor.PoolObserver;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells the pool's {@code alertAddress} what an administrator must act on: authentication, permission, connectivity,
 * throttling and quota failures, messages that failed for good, recovery after a pool-wide failure, and a secret or
 * certificate near its expiry.
 *
 * <ul>
 *   <li><b>Once per kind per interval:</b> the first failure of a kind is told at once, then nothing of that kind for
 *       {@code alertIntervalMinutes}; the next alert counts what was held back.
 *   <li><b>A path that works:</b> a message-level failure, a recovery and an expiry notice go through the pool itself
 *       (it sends); a pool-wide failure through {@code alertFallbackFactory}. When that is not set or fails too, the
 *       alert's whole text goes to the server's log at {@code SEVERE} ({@code M365MAIL-6004}) — the same text.
 *   <li><b>Never in the sender's way:</b> alerts are composed and sent, in order, on the deployment's alert thread.
 *   <li><b>No secret:</b> the texts come from the connector's messages, which name no secret; every secret of the pool
 *       is masked all the same.
 * </ul>
 */
public final class FailureAlerts implements PoolObserver {

    private static final Logger LOG = Logger.getLogger(FailureAlerts.class.getName());

    private final Supplier<String> pool;
    private final MailSettings.Operations settings;
    private final AlertChannel channel;
    private final FallbackPool fallback;
    private final Executor executor;
    private final Clock clock;
    private final String host;
    /** Guarded by this: per kind, when it was last told and how many were held back since. */
    private final Map<FailureReason, Window> windows = new EnumMap<>(FailureReason.class);
    /** Guarded by this: per credential, when its expiry was last told. */
    private final Map<String, Instant> expiryToldAt = new HashMap<>();

    private static final class Window {
        Instant toldAt;
        Instant firstHeldBack;
        long heldBack;
        boolean toldThisEpisode;
    }

    /**
     * @param pool     what the pool is, for the text (its names may grow as the console learns them)
     * @param executor where alerts are sent from (the deployment's alert thread)
     */
    public FailureAlerts(Supplier<String> pool, MailSettings.Operations settings, AlertChannel channel,
                         Executor executor, Clock clock) {
        this.pool = pool;
        this.settings = settings;
        this.channel = channel;
        this.fallback = settings.alertFallbackFactory() == null ? null
                : new FallbackPool(settings.alertFallbackFactory());
        this.executor = executor;
        this.clock = clock;
        this.host = hostName();
    }

    @Override
    public void failed(FailureReason reason, String detail, Instant at) {
        Instant firstHeldBack;
        long heldBack;
        synchronized (this) {
            Window w = windows.computeIfAbsent(reason, r -> new Window());
            if (w.toldAt != null && at.isBefore(w.toldAt.plus(settings.alertInterval()))) {
                if (w.heldBack++ == 0) {
                    w.firstHeldBack = at;
                }
                return;
            }
            firstHeldBack = w.firstHeldBack;
            heldBack = w.heldBack;
            w.toldAt = at;
            w.heldBack = 0;
            w.firstHeldBack = null;
            w.toldThisEpisode = true;
        }
        AlertMail alert = AlertMail.failure(pool.get(), reason.tag(), reason.poolWide(), detail, at, firstHeldBack,
                heldBack, reason.fix(), settings.alertInterval(), host);
        dispatch(alert, !reason.poolWide());
    }

    @Override
    public void recovered(FailureReason reason, Instant since, long failures, Instant at) {
        synchronized (this) {
            Window w = windows.get(reason);
            boolean told = w != null && w.toldThisEpisode;
            for (Window each : windows.values()) {
                each.toldThisEpisode = false;
            }
            if (w != null) {
                // The outage is over: the next one of this kind is told at once, not after the interval.
                w.toldAt = null;
                w.heldBack = 0;
                w.firstHeldBack = null;
            }
            if (!told) {
                return;
            }
        }
        dispatch(AlertMail.recovery(pool.get(), reason.tag(), since, failures, at, host), true);
    }

    @Override
    public void expiring(String credential, Instant expires, Instant at) {
        synchronized (this) {
            Instant told = expiryToldAt.get(credential);
            if (told != null && at.isBefore(told.plus(settings.alertInterval()))) {
                return;
            }
            expiryToldAt.put(credential, at);
        }
        dispatch(AlertMail.expiry(pool.get(), credential, expires, at, host), true);
    }

    /** Sends on the alert thread; the sender's thread only decides. */
    private void dispatch(AlertMail unmasked, boolean throughPool) {
        try {
            executor.execute(() -> deliver(unmasked, throughPool));
        } catch (RejectedExecutionException stopping) {
            toLog(unmasked.masking(channel.secrets()));
        }
    }

    private void deliver(AlertMail unmasked, boolean throughPool) {
        AlertMail alert = unmasked.masking(channel.secrets());
        if (settings.alertAddresses().isEmpty()) {
            toLog(alert);
            return;
        }
        String to = String.join(", ", settings.alertAddresses().stream().map(a -> a.getAddress()).toList());
        Message message;
        try {
            message = alert.toMessage(settings.alertAddresses());
        } catch (MessagingException e) {
            toLog(alert);
            return;
        }
        if (throughPool) {
            try {
                channel.sendThroughPool(message);
                LOG.warning(() -> "M365MAIL-6003 " + LogText.of(alert.subjectLine()) + " sent to " + to
                        + " through the pool");
                return;
            } catch (MailSendException | RuntimeException e) {
                LOG.warning(() -> "M365MAIL-6005 The alert could not be sent through the pool itself: "
                        + LogText.of(e.getMessage()));
            }
        }
        if (fallback != null) {
            try {
                // A message of its own: the pool's attempt may have set its From and Message-ID.
                fallback.send(alert.toMessage(settings.alertAddresses()));
                LOG.warning(() -> "M365MAIL-6006 " + LogText.of(alert.subjectLine()) + " sent to " + to
                        + " through alertFallbackFactory " + fallback.name());
                return;
            } catch (MailSendException | MessagingException | RuntimeException e) {
                LOG.log(Level.WARNING, "M365MAIL-6007 The alert could not be sent through alertFallbackFactory "
                        + fallback.name() + ": " + LogText.of(e.getMessage()));
            }
        }
        toLog(alert);
    }

    /** The alert's whole text in the server's log: where it goes when no mail can carry it. */
    private static void toLog(AlertMail alert) {
        LOG.severe("M365MAIL-6004 " + LogText.whole(alert.logText()));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException | RuntimeException e) {
            return "this server";
        }
    }

    @Override
    public String toString() {
        return "FailureAlerts[" + settings.alertAddresses().size() + " addresses]";
    }
}
