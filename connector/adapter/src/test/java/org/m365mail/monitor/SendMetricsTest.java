package org.m365mail.monitor;

import org.junit.jupiter.api.Test;
import org.m365mail.admin.MetricsObserver;
import org.m365mail.admin.MetricsSnapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Counting, and passing each count on to a metrics registry. */
class SendMetricsTest {

    private final SendMetrics metrics = new SendMetrics();
    private final List<String> events = new ArrayList<>();

    private final MetricsObserver observer = new MetricsObserver() {
        @Override
        public void sent(Duration took) {
            events.add("sent " + took.toMillis());
        }

        @Override
        public void failed(String reason) {
            events.add("failed " + reason);
        }

        @Override
        public void retried() {
            events.add("retried");
        }

        @Override
        public void throttled(Duration waited) {
            events.add("throttled " + waited.toMillis());
        }

        @Override
        public void tokenRequested(boolean refresh) {
            events.add(refresh ? "refresh" : "token");
        }
    };

    @Test
    void everyKindOfEventIsToldToTheObserver() throws Exception {
        AutoCloseable subscription = metrics.observe(observer);
        metrics.sent(Duration.ofMillis(12));
        metrics.failed(FailureReason.QUOTA);
        metrics.retried();
        metrics.throttled(Duration.ofMillis(700));
        metrics.tokenRequested(false);
        metrics.tokenRequested(true);
        subscription.close();
        metrics.retried();
        assertEquals(List.of("sent 12", "failed quota", "retried", "throttled 700", "token", "refresh"), events);
    }

    @Test
    void onlyRefreshesAheadOfExpiryCountAsRefreshes() {
        metrics.tokenRequested(false);
        metrics.tokenRequested(false);
        MetricsSnapshot s = metrics.snapshot();
        assertEquals(2, s.tokenRequests());
        assertEquals(0, s.tokenRefreshes());
        metrics.tokenRequested(true);
        assertEquals(1, metrics.snapshot().tokenRefreshes());
    }

    @Test
    void aBrokenObserverNeitherFailsTheCountNorKeepsOthersFromBeingTold() throws Exception {
        metrics.observe(new MetricsObserver() {
            @Override
            public void retried() {
                throw new IllegalStateException("registry gone");
            }
        });
        metrics.observe(observer);
        metrics.retried();
        assertEquals(1, metrics.snapshot().retried());
        assertEquals(List.of("retried"), events);
    }

    @Test
    void failuresAreCountedByReasonWithEveryReasonPresent() {
        metrics.failed(FailureReason.REJECTED);
        metrics.failed(FailureReason.REJECTED);
        metrics.failed(FailureReason.AUTHENTICATION);
        MetricsSnapshot s = metrics.snapshot();
        assertEquals(2, s.failed().get("rejected"));
        assertEquals(1, s.failed().get("authentication"));
        assertEquals(0, s.failed().get("other"));
        assertEquals(FailureReason.values().length, s.failed().size());
        assertEquals(3, s.failedTotal());
    }
}
