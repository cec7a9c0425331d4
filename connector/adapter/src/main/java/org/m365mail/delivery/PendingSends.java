package org.m365mail.delivery;

import org.m365mail.api.MailSendException;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bound on messages a factory holds for later (sendAsync, after-commit copies): beyond {@code pendingSendsLimit}
 * a caller waits up to {@code pendingSendsWaitMillis} for room, then is refused, so a burst cannot exhaust the
 * server's memory or disk.
 */
public final class PendingSends {

    private final int limit;
    private final long waitMillis;
    private final Semaphore room;

    public PendingSends(int limit, long waitMillis) {
        this.limit = limit;
        this.waitMillis = waitMillis;
        this.room = new Semaphore(limit, true);
    }

    /** Takes room for one message, waiting up to the configured time. */
    public void acquire() throws MailSendException {
        boolean got;
        try {
            got = room.tryAcquire(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            got = false;
        }
        if (!got) {
            throw new MailSendException(limit + " messages of this connection factory are already waiting to be sent "
                    + "and none was sent within " + waitMillis + " ms (pendingSendsLimit, pendingSendsWaitMillis): "
                    + "send more slowly, raise the limit, or look at why sending is slow (the console, the log). The "
                    + "message was not taken.", "PendingSendsFull", null);
        }
    }

    /** Gives back the room of one message (sent, failed, or rolled back). */
    public void release() {
        room.release();
    }

    /** How many messages wait now. */
    public int waiting() {
        return limit - room.availablePermits();
    }
}
