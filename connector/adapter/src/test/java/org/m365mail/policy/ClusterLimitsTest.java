package org.m365mail.policy;

import org.junit.jupiter.api.Test;
import org.m365mail.config.LimitsScope;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.ManualClock;

import javax.cache.Cache;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mailbox's limits shared by the instances of a cluster through the data grid: two instances together keep the
 * pace and the sends at once that one keeps alone, a place of an instance that died stops counting, and a server
 * without a grid keeps the limits per instance.
 */
class ClusterLimitsTest {

    /** A data grid's cache as every member sees it: get, putIfAbsent and compare-and-set replace, atomic. */
    @SuppressWarnings("unchecked")
    static Cache<String, String> grid(Map<String, String> entries) {
        return (Cache<String, String>) Proxy.newProxyInstance(Cache.class.getClassLoader(), new Class<?>[]{Cache.class},
                (proxy, method, args) -> {
                    synchronized (entries) {
                        return switch (method.getName()) {
                            case "get" -> entries.get((String) args[0]);
                            case "putIfAbsent" -> entries.putIfAbsent((String) args[0], (String) args[1]) == null;
                            case "replace" -> {
                                if (args.length == 3 && Objects.equals(entries.get((String) args[0]), args[1])) {
                                    entries.put((String) args[0], (String) args[2]);
                                    yield true;
                                }
                                yield false;
                            }
                            default -> throw new UnsupportedOperationException(method.getName());
                        };
                    }
                });
    }

    @Test
    void twoInstancesTogetherKeepThePaceOneKeepsAlone() throws Exception {
        Map<String, String> entries = new ConcurrentHashMap<>();
        ManualClock clock = new ManualClock();
        ClusterLedger first = ClusterLedger.over(grid(entries), clock).ledger("pace|mailbox|a@contoso.test|3", 3);
        ClusterLedger second = ClusterLedger.over(grid(entries), clock).ledger("pace|mailbox|a@contoso.test|3", 3);
        String a = first.take(Duration.ofMinutes(3));
        String b = second.take(Duration.ofMinutes(3));
        String c = first.take(Duration.ofMinutes(3));
        first.settle(a, Duration.ofMinutes(1));
        second.settle(b, Duration.ofMinutes(1));
        first.settle(c, Duration.ofMinutes(1));
        assertEquals(3, second.counted(), "both instances' turns are in one ledger");

        CompletableFuture<String> fourth = CompletableFuture.supplyAsync(() -> {
            try {
                return second.take(Duration.ofMinutes(3));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(600);
        assertFalse(fourth.isDone(), "a fourth message in the minute waits, whichever instance sends it");
        clock.advance(Duration.ofSeconds(61));
        fourth.get(5, TimeUnit.SECONDS);
        assertEquals(1, first.counted());
    }

    @Test
    void sendsAtOnceAreCountedAcrossInstancesAndADeadInstancesPlaceExpires() throws Exception {
        Map<String, String> entries = new ConcurrentHashMap<>();
        ManualClock clock = new ManualClock();
        ClusterLedger first = ClusterLedger.over(grid(entries), clock).ledger("sending|graph|a@contoso.test|2", 2);
        ClusterLedger second = ClusterLedger.over(grid(entries), clock).ledger("sending|graph|a@contoso.test|2", 2);
        String mine = first.take(Duration.ofSeconds(135));
        second.take(Duration.ofSeconds(135)); // an instance that dies while sending: never given back
        CompletableFuture<String> third = CompletableFuture.supplyAsync(() -> {
            try {
                return second.take(Duration.ofSeconds(135));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(600);
        assertFalse(third.isDone(), "a third send at once waits");
        first.settle(mine, Duration.ZERO);
        String got = third.get(5, TimeUnit.SECONDS);
        assertTrue(entries.values().iterator().next().contains(got));

        // The dead instance's place counts until its lease (the send timeout and a margin), then no longer.
        clock.advance(Duration.ofSeconds(136));
        assertEquals(0, first.counted());
    }

    @Test
    void manySendersOnTwoInstancesNeverExceedTheLimitTogether() throws Exception {
        Map<String, String> entries = new ConcurrentHashMap<>();
        Clock clock = Clock.systemUTC();
        ClusterLedger[] instances = {ClusterLedger.over(grid(entries), clock).ledger("sending|smtp|a|3", 3),
            ClusterLedger.over(grid(entries), clock).ledger("sending|smtp|a|3", 3)};
        java.util.concurrent.atomic.AtomicInteger atOnce = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(12);
        try {
            java.util.List<java.util.concurrent.Future<?>> sends = new java.util.ArrayList<>();
            for (int i = 0; i < 120; i++) {
                ClusterLedger ledger = instances[i % 2];
                sends.add(threads.submit(() -> {
                    String place = ledger.take(Duration.ofMinutes(1));
                    most.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
                    Thread.sleep(2);
                    atOnce.decrementAndGet();
                    ledger.settle(place, Duration.ZERO);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : sends) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertTrue(most.get() <= 3, "at most 3 at once across both instances: " + most.get());
        assertEquals(3, most.get(), "and the limit was reached");
    }

    @Test
    void withoutADataGridTheLimitsAreThisInstancesWithOneWarning() throws Exception {
        try (ConnectorRuntime runtime = new ConnectorRuntime("no-grid");
             CapturedLog log = new CapturedLog(MailboxLimits.class)) {
            MailboxLimits limits = MailboxLimits.of(runtime, "graph", "a@contoso.test", 2, 0, Clock.systemUTC(),
                    LimitsScope.CLUSTER, Duration.ofSeconds(120));
            MailboxLimits.of(runtime, "smtp", "a@contoso.test", 3, 0, Clock.systemUTC(), LimitsScope.CLUSTER,
                    Duration.ofSeconds(120));
            assertEquals(1, log.warnings().size());
            assertTrue(log.warnings().get(0).getMessage().startsWith("M365MAIL-7012"));
            try (MailboxLimits.Slot one = limits.acquire(); MailboxLimits.Slot two = limits.acquire()) {
                assertTrue(one != two, "two at once, as configured, on this instance");
            }
        }
    }
}
