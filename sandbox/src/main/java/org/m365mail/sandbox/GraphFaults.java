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
        SERVER_ERROR,
        /** No answer for two seconds, then {@code 504}, the message not taken: a client's read timeout fires first. */
        HANG,
        /** The next attachment chunk is stored only in part and answered {@code 500}: the client must resume. */
        UPLOAD_CHUNK_FAILS
    }

    private final Queue<Fault> queue = new ConcurrentLinkedQueue<>();

    public GraphFaults add(Fault fault) {
        queue.add(fault);
        return this;
    }

    public void clear() {
        queue.clear();
    }

    /** The next fault for a Graph request; upload faults wait for an upload. */
    Fault next() {
        Fault head = queue.peek();
        return head == null || head == Fault.UPLOAD_CHUNK_FAILS ? null : queue.poll();
    }

    boolean takeUploadFault() {
        return queue.peek() == Fault.UPLOAD_CHUNK_FAILS && queue.remove(Fault.UPLOAD_CHUNK_FAILS);
    }
}
