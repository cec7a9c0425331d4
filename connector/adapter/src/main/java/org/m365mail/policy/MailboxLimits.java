package org.m365mail.policy;

import org.m365mail.config.LimitsScope;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import org.m365mail.api.MailSendException;
import org.m365mail.monitor.SendEvents;
import org.m365mail.runtime.ConnectorRuntime;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;

/**
 * Exchange Online's per-mailbox limits, shared by every connection factory of the deployment that sends from the same
 * mailbox with the same limits (a mailbox's limits do not care which pool a message came from): how many messages are
 * sent at once, and how many per minute. Kept in the deployment's {@link ConnectorRuntime}.
 */
public final class MailboxLimits {


    /** Shorter waits are the cost of taking a free slot, not throttling. */
    private static final long WAIT_WORTH_COUNTING_NANOS = 1_000_000;

    private static final Logger LOG = Logger.getLogger(MailboxLimits.class.getName());
    private static final Duration WINDOW = Duration.ofMinutes(1);
    /** How long past the send timeout a place in the cluster's ledger counts if its instance never gives it back. */
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(15);

    private final Semaphore concurrent;
    private final SendPace pace;
    /** The cluster's ledgers ({@code limitsScope=CLUSTER}); {@code null} when the limits are this instance's. */
    private final ClusterLedger clusterPace;
    private final ClusterLedger clusterSlots;
    private final Duration sendTimeout;

    private MailboxLimits(int concurrentSends, int perMinute, Clock clock) {
        this.concurrent = concurrentSends > 0 ? new Semaphore(concurrentSends, true) : null;
        this.pace = new SendPace(perMinute, clock, d -> Thread.sleep(Math.max(1, d.toMillis())));
        this.clusterPace = null;
        this.clusterSlots = null;
        this.sendTimeout = null;
    }

    private MailboxLimits(ClusterLedger pace, ClusterLedger slots, Duration sendTimeout) {
        this.concurrent = null;
        this.pace = new SendPace(0, Clock.systemUTC(), d -> { });
        this.clusterPace = pace;
        this.clusterSlots = slots;
        this.sendTimeout = sendTimeout;
    }

    /** A message's place within the limits, held while it is sent; closing it lets the next one go. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * @param service        which service the mailbox is reached through (an SMTP host, or Graph)
     * @param mailbox        the mailbox's address
     * @param concurrentSends sends at once; 0 for no limit
     * @param perMinute      messages per minute; 0 for no pace
     */
    public static MailboxLimits of(ConnectorRuntime runtime, String service, String mailbox, int concurrentSends,
                                   int perMinute, Clock clock) {
        // Everything that tells two mailboxes' limits apart; a list, not a record (see FactoryServices).
        List<Object> key = List.of("mailbox-limits", service.toLowerCase(Locale.ROOT), mailbox.toLowerCase(Locale.ROOT),
                concurrentSends, perMinute);
        return runtime.shared(key, () -> new MailboxLimits(concurrentSends, perMinute, clock));
    }

    /**
     * The limits of a mailbox as {@code scope} says: this instance's ({@link #of(ConnectorRuntime, String, String, int,
     * int, Clock)}), or the cluster's, kept in the server's data grid; where the server has none, this instance's,
     * with one WARNING per deployment.
     *
     * @param sendTimeout the longest a send takes: a place the cluster's ledger gives a send counts at most this long
     *                    (plus a margin) if its instance dies before giving it back
     */
    public static MailboxLimits of(ConnectorRuntime runtime, String service, String mailbox, int concurrentSends,
                                   int perMinute, Clock clock, LimitsScope scope, Duration sendTimeout) {
        if (scope != LimitsScope.CLUSTER || (concurrentSends <= 0 && perMinute <= 0)) {
            return of(runtime, service, mailbox, concurrentSends, perMinute, clock);
        }
        List<Object> key = List.of("mailbox-limits-cluster", service.toLowerCase(Locale.ROOT),
                mailbox.toLowerCase(Locale.ROOT), concurrentSends, perMinute);
        return runtime.shared(key, () -> {
            ClusterLedger.Grid grid;
            try {
                // Not a JCache type in sight here: on a server without JCache only ClusterLedger fails to load.
                grid = ClusterLedger.serverGrid(clock);
            } catch (Exception | LinkageError e) {
                if (runtime.shared("no-grid-for-limits-warning", AtomicBoolean::new).compareAndSet(false, true)) {
                    LOG.warning("M365MAIL-7012 limitsScope is CLUSTER but this server offers no JCache at "
                            + ClusterLedger.JNDI_NAME + " (" + e + "); the mailbox's limits count this instance's "
                            + "sends only. On Payara, keep Hazelcast on (no --noHazelcast).");
                }
                return new MailboxLimits(concurrentSends, perMinute, clock);
            }
            String name = service.toLowerCase(Locale.ROOT) + "|" + mailbox.toLowerCase(Locale.ROOT);
            return new MailboxLimits(perMinute > 0 ? grid.ledger("pace|" + name + "|" + perMinute, perMinute) : null,
                    concurrentSends > 0 ? grid.ledger("sending|" + name + "|" + concurrentSends, concurrentSends)
                            : null, sendTimeout);
        });
    }

    /** Waits for the pace and for a free sending slot; close the slot once the server has answered. */
    public Slot acquire() throws MailSendException {
        return acquire(SendEvents.NONE);
    }

    /**
     * Waits for the pace and for a free sending slot, telling {@code events} how long when it had to wait; close the
     * slot once the server has answered.
     */
    public Slot acquire(SendEvents events) throws MailSendException {
        if (clusterPace != null || clusterSlots != null) {
            return acquireInCluster(events);
        }
        long start = System.nanoTime();
        SendPace.Turn turn = pace.awaitTurn();
        if (concurrent != null) {
            try {
                if (!concurrent.tryAcquire()) {
                    concurrent.acquire();
                }
            } catch (InterruptedException e) {
                turn.end();
                Thread.currentThread().interrupt();
                throw new MailSendException("Interrupted while waiting for a free sending slot for the mailbox", e);
            }
        }
        long waited = System.nanoTime() - start;
        if (waited >= WAIT_WORTH_COUNTING_NANOS) {
            events.throttled(Duration.ofNanos(waited));
        }
        if (concurrent == null) {
            return turn::end;
        }
        return () -> {
            concurrent.release();
            turn.end();
        };
    }

    /**
     * The cluster's turn and sending place, as {@link SendPace} keeps them for one instance: a turn counts while its
     * send runs and for a minute after it ends; a sending place is given back when the send ends.
     */
    private Slot acquireInCluster(SendEvents events) throws MailSendException {
        long start = System.nanoTime();
        String turn = null;
        try {
            turn = clusterPace == null ? null : clusterPace.take(sendTimeout.plus(WINDOW).plus(LEASE_MARGIN));
            String place = clusterSlots == null ? null : clusterSlots.take(sendTimeout.plus(LEASE_MARGIN));
            long waited = System.nanoTime() - start;
            if (waited >= WAIT_WORTH_COUNTING_NANOS) {
                events.throttled(Duration.ofNanos(waited));
            }
            String heldTurn = turn;
            return () -> {
                if (place != null) {
                    clusterSlots.settle(place, Duration.ZERO);
                }
                if (heldTurn != null) {
                    clusterPace.settle(heldTurn, WINDOW);
                }
            };
        } catch (InterruptedException e) {
            if (turn != null) {
                clusterPace.settle(turn, WINDOW);
            }
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while waiting for the mailbox's limits in the cluster", e);
        }
    }
}
