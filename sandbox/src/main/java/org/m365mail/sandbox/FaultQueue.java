package org.m365mail.sandbox;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One-shot faults a test queues for one of the stand-in's services, met in order: the shape the token endpoint's,
 * Graph's and SMTP's fault lists share.
 *
 * @param <F> the service's faults
 * @param <Q> the service's own list, so that {@link #add} chains
 */
public abstract class FaultQueue<F extends Enum<F>, Q extends FaultQueue<F, Q>> {

    private final Queue<F> queue = new ConcurrentLinkedQueue<>();

    /** Queues {@code fault} after those already queued. */
    @SuppressWarnings("unchecked")
    public Q add(F fault) {
        queue.add(fault);
        return (Q) this;
    }

    public void clear() {
        queue.clear();
    }

    /** How many faults are still queued. */
    public int pending() {
        return queue.size();
    }

    /** The fault that comes next, left queued; {@code null} when none. */
    F peek() {
        return queue.peek();
    }

    /** The fault that comes next, taken; {@code null} when none. */
    F poll() {
        return queue.poll();
    }

    /** Takes {@code fault} if it is the one that comes next. */
    boolean takeIfNext(F fault) {
        return queue.peek() == fault && queue.remove(fault);
    }
}
