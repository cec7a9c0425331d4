package org.m365mail.policy;

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

    private final Semaphore concurrent;
    private final SendPace pace;

    private MailboxLimits(int concurrentSends, int perMinute, Clock clock) {
        this.concurrent = concurrentSends > 0 ? new Semaphore(concurrentSends, true) : null;
        this.pace = new SendPace(perMinute, clock, d -> Thread.sleep(Math.max(1, d.toMillis())));
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

    /** Waits for the pace and for a free sending slot; close the slot once the server has answered. */
    public Slot acquire() throws MailSendException {
        return acquire(SendEvents.NONE);
    }

    /**
     * Waits for the pace and for a free sending slot, telling {@code events} how long when it had to wait; close the
     * slot once the server has answered.
     */
    public Slot acquire(SendEvents events) throws MailSendException {
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
}
