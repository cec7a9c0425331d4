package org.m365mail.outbox;

import org.m365mail.api.MailSendException;
import org.m365mail.api.OutboxEntry;
import org.m365mail.api.SentMessage;
import org.m365mail.config.InDoubtPolicy;
import org.m365mail.config.MailSettings;
import org.m365mail.delivery.DeliveryChannels;
import org.m365mail.delivery.MessageSnapshot;
import org.m365mail.logging.LogText;
import org.m365mail.monitor.FailureReason;
import org.m365mail.monitor.PoolMonitor;
import org.m365mail.runtime.ConnectorRuntime;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers an outbox's messages: {@code outboxDeliveryThreads} threads of the connector's own, each claiming one due
 * message at a time, sending it on the factory's delivery channels (through the same sending policy, pace and limits
 * as any send), and recording the outcome:
 * <ul>
 *   <li>accepted: DELIVERED (its content removed);</li>
 *   <li>refused for good (a bad recipient, a {@code 550}, Graph's {@code 400}, the policy): FAILED with its error,
 *       reported, not retried;</li>
 *   <li>a failure that may pass (no connection, throttling, credentials being fixed): WAITING again, after a
 *       growing pause, until {@code outboxRetryHours} after it was written; then FAILED and reported;</li>
 *   <li>the outcome unknown (the answer never came): IN_DOUBT and reported, or WAITING again with
 *       {@code outboxInDoubt=RESEND}.</li>
 * </ul>
 * A commit on this instance wakes the threads at once; other instances' messages, and retries, are found by polling
 * every second. One thread also finds expired claims (an instance died mid-send) and removes old delivered rows.
 */
public final class OutboxDelivery implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OutboxDelivery.class.getName());
    static final Duration POLL = Duration.ofSeconds(1);
    /** The first pause after finding nothing: a busy outbox is looked at again soon, an idle one once a second. */
    private static final Duration FIRST_POLL = Duration.ofMillis(20);
    private static final Duration HOUSEKEEPING = Duration.ofSeconds(15);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    private static final Duration LONGEST_RETRY = Duration.ofMinutes(15);
    private static final Duration THROTTLED_RETRY = Duration.ofMinutes(1);
    /** How long past the send timeout a claim holds: the send has given up by then. */
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(15);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final JdbcOutbox outbox;
    private final DeliveryChannels channels;
    private final PoolMonitor monitor;
    private final Clock clock;
    private final MailSettings.Delivery settings;
    private final Duration lease;
    private final String owner = "m365mail-" + UUID.randomUUID();
    private final List<ExecutorService> threads = new ArrayList<>();
    private final Object signal = new Object();
    private long wakeups;
    private volatile boolean closed;
    private volatile long lastHousekeeping;
    private volatile long lastUnavailableLog;

    public OutboxDelivery(JdbcOutbox outbox, DeliveryChannels channels, PoolMonitor monitor, Clock clock,
                          MailSettings settings) {
        this.outbox = outbox;
        this.channels = channels;
        this.monitor = monitor;
        this.clock = clock;
        this.settings = settings.delivery();
        this.lease = settings.graph().sendTimeout().plus(LEASE_MARGIN);
    }

    /** Starts the delivering threads on the deployment's runtime. */
    public OutboxDelivery start(ConnectorRuntime runtime) {
        for (int i = 0; i < settings.outboxThreads(); i++) {
            ExecutorService thread = runtime.singleThread("outbox-" + i);
            threads.add(thread);
            boolean housekeeper = i == 0;
            thread.execute(() -> loop(housekeeper));
        }
        LOG.info(() -> "M365MAIL-7001 Outbox " + outbox.name() + " delivering on " + settings.outboxThreads()
                + " threads as " + owner);
        return this;
    }

    /** A message was committed on this instance: look at once. */
    public void wake() {
        synchronized (signal) {
            wakeups++;
            signal.notifyAll();
        }
    }

    /** This instance's name in the outbox's CLAIMED_BY column. */
    public String owner() {
        return owner;
    }

    private void loop(boolean housekeeper) {
        // One database session while there is work; given back when the thread goes idle.
        Connection c = null;
        int emptyLooks = 0;
        while (!closed) {
            long seen;
            synchronized (signal) {
                seen = wakeups;
            }
            try {
                outbox.ensureSchema();
                if (c == null) {
                    c = outbox.connection();
                }
                if (housekeeper && clock.millis() - lastHousekeeping >= HOUSEKEEPING.toMillis()) {
                    housekeeping(c);
                }
                Optional<JdbcOutbox.Claim> claim = outbox.claimNext(c, owner, lease, settings.outboxThreads() * 2);
                if (claim.isPresent()) {
                    emptyLooks = 0;
                    deliver(c, claim.get());
                    continue;
                }
                // Messages committed by a caller's own JDBC transaction, or on another instance, wake no one here:
                // right after work, look again soon, then less and less often, up to once a second.
                Duration pause = FIRST_POLL.multipliedBy(1L << Math.min(emptyLooks++, 6));
                if (pause.compareTo(POLL) >= 0) {
                    c = release(c);
                    pause = POLL;
                }
                pause(seen, pause);
            } catch (SQLException | MailSendException | RuntimeException e) {
                c = release(c);
                if (closed) {
                    return;
                }
                unavailable(e);
                pause(seen, FIRST_RETRY);
            }
        }
        release(c);
    }

    private static Connection release(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a broken session; the next one is new
            }
        }
        return null;
    }

    private void pause(long seen, Duration most) {
        long until = System.nanoTime() + most.toNanos();
        synchronized (signal) {
            while (!closed && wakeups == seen) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(signal, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void housekeeping(Connection c) throws SQLException {
        lastHousekeeping = clock.millis();
        boolean resend = settings.inDoubt() == InDoubtPolicy.RESEND;
        for (String messageId : outbox.expireLeases(c, resend)) {
            String text = "The outbox message " + LogText.of(messageId) + " was being sent by an instance that stopped "
                    + "(or took longer than its lease), so whether Microsoft 365 accepted it is unknown; "
                    + (resend ? "it is sent again (outboxInDoubt=RESEND)." : "it is kept as IN_DOUBT and not sent "
                    + "again on its own: look it up in the Exchange message trace, then retry or discard it.");
            LOG.warning("M365MAIL-7011 " + text);
            if (!resend) {
                monitor.failed(new MailSendException(text, "OutcomeUnknown", null));
            }
        }
        int purged = outbox.purgeDelivered(c, clock.instant().minus(settings.outboxKeepDelivered()));
        if (purged > 0) {
            LOG.fine(() -> "M365MAIL-7008 Removed " + purged + " delivered messages from outbox " + outbox.name());
        }
    }

    private void deliver(Connection c, JdbcOutbox.Claim claim) throws SQLException {
        long start = System.nanoTime();
        SentMessage sent;
        try (InputStream content = outbox.content(c, claim); MessageSnapshot copy = MessageSnapshot.of(content)) {
            if (copy.size() == 0) {
                throw new MailSendException("The outbox holds no content for this message (its parts were removed "
                        + "from " + OutboxSchema.PARTS + ")", "OutboxContentMissing", null);
            }
            sent = channels.send(copy.message());
        } catch (MailSendException e) {
            failed(c, claim, e);
            return;
        } catch (java.io.IOException e) {
            failed(c, claim, new MailSendException("Reading the message from the outbox failed: " + e.getMessage(),
                    "OutboxUnavailable", e));
            return;
        }
        monitor.sent(Duration.ofNanos(System.nanoTime() - start));
        // Accepted: the record must say so, or a later look would take it for in doubt. A database hiccup now is
        // waited out rather than left to the lease.
        Connection session = c;
        for (int attempt = 1; ; attempt++) {
            try {
                if (session == null) {
                    session = outbox.connection();
                }
                outbox.delivered(session, claim, owner, sent.serviceReference());
                if (session != c) {
                    release(session);
                }
                LOG.fine(() -> "M365MAIL-7009 Outbox message " + LogText.of(claim.messageId()) + " delivered");
                return;
            } catch (SQLException | MailSendException e) {
                if (attempt >= 5 || closed) {
                    LOG.log(Level.SEVERE, "M365MAIL-7010 The outbox message " + LogText.of(claim.messageId())
                            + " was accepted by Microsoft 365 but cannot be recorded as delivered in outbox "
                            + outbox.name() + ": its claim will expire and it will be marked in doubt", e);
                    return;
                }
                if (session != c) {
                    release(session);
                }
                session = null;
                sleep(Duration.ofMillis(200L * attempt));
            }
        }
    }

    private void failed(Connection c, JdbcOutbox.Claim claim, MailSendException e) throws SQLException {
        monitor.failed(e);
        String error = e.getMessage();
        if ("OutcomeUnknown".equals(e.getErrorCode())) {
            if (settings.inDoubt() == InDoubtPolicy.RESEND) {
                outbox.retryAt(c, claim, owner, clock.instant(), error);
                return;
            }
            outbox.settle(c, claim, owner, OutboxEntry.State.IN_DOUBT, error);
            LOG.warning("M365MAIL-7004 The outbox message " + LogText.of(claim.messageId()) + " may have been accepted "
                    + "by Microsoft 365, but its answer never came: kept as IN_DOUBT and not sent again on its own. "
                    + LogText.of(error));
            return;
        }
        FailureReason reason = FailureReason.of(e);
        Instant now = clock.instant();
        boolean permanent = reason == FailureReason.REJECTED || reason == FailureReason.REFUSED
                || "OutboxContentMissing".equals(e.getErrorCode());
        boolean tooLong = now.isAfter(claim.createdAt().plus(settings.outboxRetry()));
        if (permanent || tooLong) {
            outbox.settle(c, claim, owner, OutboxEntry.State.FAILED, error);
            LOG.warning("M365MAIL-7003 The outbox message " + LogText.of(claim.messageId()) + " was not delivered "
                    + (permanent ? "and will not be retried" : "after " + claim.attempts() + " attempts over "
                    + settings.outboxRetry().toHours() + " h (outboxRetryHours)") + "; it is kept as FAILED: "
                    + LogText.of(error));
            return;
        }
        Duration wait = backoff(claim.attempts(), reason);
        outbox.retryAt(c, claim, owner, now.plus(wait), error);
        LOG.fine(() -> "M365MAIL-7006 Outbox message " + LogText.of(claim.messageId()) + " attempt "
                + claim.attempts() + " failed (" + reason.tag() + "); next in " + wait.toSeconds() + " s");
    }

    /** 5 s, 10 s, 20 s ... up to 15 min, at least a minute when throttled, with ±20 % jitter. */
    static Duration backoff(int attempts, FailureReason reason) {
        long millis = FIRST_RETRY.toMillis() << Math.min(Math.max(0, attempts - 1), 16);
        millis = Math.min(millis, LONGEST_RETRY.toMillis());
        if (reason == FailureReason.THROTTLING || reason == FailureReason.QUOTA) {
            millis = Math.max(millis, THROTTLED_RETRY.toMillis());
        }
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis((long) (millis * jitter));
    }

    private void unavailable(Exception e) {
        long now = clock.millis();
        if (now - lastUnavailableLog >= Duration.ofMinutes(1).toMillis()) {
            lastUnavailableLog = now;
            LOG.warning("M365MAIL-7005 The outbox in outboxDataSource " + outbox.name() + " cannot be used now ("
                    + LogText.of(String.valueOf(e.getMessage())) + "); messages in it wait and are delivered once it "
                    + "can. Check the JDBC resource and its database.");
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops claiming; waits up to 10 s for the sends in progress to finish, so they are recorded. */
    @Override
    public void close() {
        closed = true;
        wake();
        for (ExecutorService thread : threads) {
            thread.shutdown();
        }
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        for (ExecutorService thread : threads) {
            try {
                if (!thread.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    thread.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                thread.shutdownNow();
            }
        }
    }
}
