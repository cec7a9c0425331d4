package org.m365mail.sandbox;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Answers a test asks the stand-in's Graph to give instead of the real one, once each, in order. */
public final class GraphFaults {

    /** A one-shot fault. */
    public enum Fault {
        /** {@code 429 TooManyRequests} with {@code Retry-After: 0.2} (Graph sends fractional seconds). */
        THROTTLED,
        /** {@code 503 ServiceUnavailable} with {@code Retry-After: 0.2}. */
        UNAVAILABLE,
        /** {@code 500 InternalServerError} without Retry-After. */
        SERVER_ERROR
    }

    private final Queue<Fault> queue = new ConcurrentLinkedQueue<>();

    public GraphFaults add(Fault fault) {
        queue.add(fault);
        return this;
    }

    public void clear() {
        queue.clear();
    }

    Fault next() {
        return queue.poll();
    }
}
