package org.m365mail.monitor;

import org.m365mail.admin.MetricsObserver;
import org.m365mail.admin.MetricsSnapshot;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A pool's counts (sent, failed by reason, retried, throttled, tokens), kept with adders so that counting costs a
 * send next to nothing, and passed on to the observers a metrics registry subscribed.
 */
public final class SendMetrics {

    private static final Logger LOG = Logger.getLogger(SendMetrics.class.getName());

    private final LongAdder sent = new LongAdder();
    private final Map<FailureReason, LongAdder> failed = new EnumMap<>(FailureReason.class);
    private final LongAdder retried = new LongAdder();
    private final LongAdder throttledWaits = new LongAdder();
    private final LongAdder throttledNanos = new LongAdder();
    private final LongAdder tokenRequests = new LongAdder();
    private final LongAdder tokenRefreshes = new LongAdder();
    private final LongAdder sendNanos = new LongAdder();
    private final AtomicLong longestSendNanos = new AtomicLong();
    private final List<MetricsObserver> observers = new CopyOnWriteArrayList<>();

    public SendMetrics() {
        for (FailureReason reason : FailureReason.values()) {
            failed.put(reason, new LongAdder());
        }
    }

    void sent(Duration took) {
        long nanos = took.toNanos();
        sent.increment();
        sendNanos.add(nanos);
        longestSendNanos.accumulateAndGet(nanos, Math::max);
        tell(o -> o.sent(took));
    }

    void failed(FailureReason reason) {
        failed.get(reason).increment();
        tell(o -> o.failed(reason.tag()));
    }

    void retried() {
        retried.increment();
        tell(MetricsObserver::retried);
    }

    void throttled(Duration waited) {
        throttledWaits.increment();
        throttledNanos.add(waited.toNanos());
        tell(o -> o.throttled(waited));
    }

    void tokenRequested(boolean refresh) {
        tokenRequests.increment();
        if (refresh) {
            tokenRefreshes.increment();
        }
        tell(o -> o.tokenRequested(refresh));
    }

    /** Starts telling {@code observer}; the returned subscription stops it. */
    AutoCloseable observe(MetricsObserver observer) {
        observers.add(observer);
        return () -> observers.remove(observer);
    }

    public MetricsSnapshot snapshot() {
        Map<String, Long> byReason = new LinkedHashMap<>();
        failed.forEach((reason, count) -> byReason.put(reason.tag(), count.sum()));
        return new MetricsSnapshot(sent.sum(), Map.copyOf(byReason), retried.sum(), throttledWaits.sum(),
                Duration.ofNanos(throttledNanos.sum()), tokenRequests.sum(), tokenRefreshes.sum(),
                Duration.ofNanos(sendNanos.sum()), Duration.ofNanos(longestSendNanos.get()));
    }

    private void tell(Consumer<MetricsObserver> event) {
        for (MetricsObserver observer : observers) {
            try {
                event.accept(observer);
            } catch (RuntimeException e) {
                // A broken registry must not fail a send.
                LOG.log(Level.FINE, "M365MAIL-6101 A metrics observer failed: " + e, e);
            }
        }
    }
}
