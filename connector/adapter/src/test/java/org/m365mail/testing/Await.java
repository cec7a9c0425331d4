package org.m365mail.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in a test for something another thread or process does: on its condition, never for a fixed time. */
public final class Await {

    private Await() {
    }

    /**
     * Returns once {@code condition} holds; fails naming {@code what} if it does not within {@code bound}. Polls every
     * 5 ms: the conditions are cheap reads of counters and states.
     */
    public static void until(BooleanSupplier condition, Duration bound, String what) throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + bound.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
