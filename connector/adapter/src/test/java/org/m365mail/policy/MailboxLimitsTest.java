package org.m365mail.policy;

import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.config.LimitsScope;
import org.m365mail.monitor.SendEvents;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.ManualClock;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mailbox's limits: shared by every pool sending from the mailbox, the sends at once and the pace kept on this
 * instance or, with {@code limitsScope=CLUSTER} and a data grid, across the cluster.
 */
class MailboxLimitsTest {

    /** What the pool's monitor hears of waits for the limits. */
    private static final class Throttles implements SendEvents {
        final List<Duration> waits = new CopyOnWriteArrayList<>();

        @Override
        public void throttled(Duration waited) {
            waits.add(waited);
        }
    }

    private static void awaitParked(Thread thread) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING) {
                Thread.onSpinWait();
            }
        }, "the thread waits for the limits");
    }

    private static CompletableFuture<MailboxLimits.Slot> acquireAsync(MailboxLimits limits, SendEvents events) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return limits.acquire(events);
            } catch (MailSendException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void poolsSendingFromTheSameMailboxWithTheSameLimitsShareThem() {
        ManualClock clock = new ManualClock();
        try (ConnectorRuntime runtime = new ConnectorRuntime("shared-limits")) {
            MailboxLimits limits = MailboxLimits.of(runtime, "Graph", "Orders@Contoso.test", 2, 30, clock);
            assertSame(limits, MailboxLimits.of(runtime, "graph", "orders@contoso.test", 2, 30, clock),
                    "service and mailbox whatever their case");
            assertSame(limits, MailboxLimits.of(runtime, "graph", "orders@contoso.test", 2, 30, clock,
                    LimitsScope.INSTANCE, Duration.ofSeconds(60)));
            assertNotSame(limits, MailboxLimits.of(runtime, "smtp.office365.com", "orders@contoso.test", 2, 30, clock));
            assertNotSame(limits, MailboxLimits.of(runtime, "graph", "other@contoso.test", 2, 30, clock));
            assertNotSame(limits, MailboxLimits.of(runtime, "graph", "orders@contoso.test", 3, 30, clock));
            assertNotSame(limits, MailboxLimits.of(runtime, "graph", "orders@contoso.test", 2, 20, clock));
        }
    }

    @Test
    void clusterScopeWithoutLimitsNeedsNoGrid() {
        ManualClock clock = new ManualClock();
        try (ConnectorRuntime runtime = new ConnectorRuntime("no-limits");
             CapturedLog log = new CapturedLog(MailboxLimits.class)) {
            MailboxLimits none = MailboxLimits.of(runtime, "graph", "a@contoso.test", 0, 0, clock,
                    LimitsScope.CLUSTER, Duration.ofSeconds(60));
            assertSame(MailboxLimits.of(runtime, "graph", "a@contoso.test", 0, 0, clock), none);
            assertTrue(log.warnings().isEmpty(), "nothing to count in the cluster: no warning");
        }
    }

    @Test
    void oneSendAtATimeMakesTheNextWaitAndTheMonitorHearsHowLong() throws Exception {
        Throttles throttles = new Throttles();
        try (ConnectorRuntime runtime = new ConnectorRuntime("one-at-once")) {
            MailboxLimits limits = MailboxLimits.of(runtime, "smtp", "a@contoso.test", 1, 0, new ManualClock());
            MailboxLimits.Slot first = limits.acquire(throttles);
            int before = throttles.waits.size();
            AtomicReference<MailboxLimits.Slot> second = new AtomicReference<>();
            long started = System.nanoTime();
            Thread waiter = new Thread(() -> {
                try {
                    second.set(limits.acquire(throttles));
                } catch (MailSendException e) {
                    throw new IllegalStateException(e);
                }
            });
            waiter.start();
            awaitParked(waiter); // the only slot is taken
            // Waits shorter than a millisecond are not told: hold the slot at least that long after the waiter is
            // known to wait. Counted from before the thread was made, a thread that started late on a busy machine
            // was let go within a millisecond of its asking (failed once in CI).
            long parked = System.nanoTime();
            while (System.nanoTime() - parked < 5_000_000) {
                Thread.onSpinWait();
            }
            first.close();
            waiter.join(10_000);
            long elapsed = System.nanoTime() - started;
            second.get().close();
            assertEquals(before + 1, throttles.waits.size(), "the wait was told: " + throttles.waits);
            Duration waited = throttles.waits.get(throttles.waits.size() - 1);
            assertTrue(waited.compareTo(Duration.ofMillis(1)) >= 0 && waited.toNanos() <= elapsed,
                    "as long as it lasted: " + waited);
        }
    }

    @Test
    void aSendInterruptedWhileWaitingForASlotGivesItsTurnBack() throws Exception {
        ManualClock clock = new ManualClock();
        try (ConnectorRuntime runtime = new ConnectorRuntime("interrupted")) {
            MailboxLimits limits = MailboxLimits.of(runtime, "graph", "a@contoso.test", 1, 2, clock);
            MailboxLimits.Slot first = limits.acquire();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread waiter = new Thread(() -> {
                try {
                    limits.acquire().close();
                } catch (Throwable t) {
                    failure.set(t);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
            });
            waiter.start();
            awaitParked(waiter); // its turn in the pace taken, waiting for the sending slot
            waiter.interrupt();
            waiter.join(10_000);
            MailSendException e = assertInstanceOf(MailSendException.class, failure.get());
            assertTrue(e.getMessage().contains("free sending slot"), e.getMessage());
            assertTrue(stillInterrupted.get(), "the interrupt is kept for the caller");
            first.close();

            // Both turns are over a minute later; had the interrupted one not ended, it would count for ever.
            clock.advance(Duration.ofSeconds(61));
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                limits.acquire().close();
                limits.acquire().close();
            }, "two messages fit in the new minute");
        }
    }

    @Test
    void twoInstancesShareOneSendingPlaceAndOnePaceThroughTheGrid() throws Exception {
        Map<String, String> entries = new ConcurrentHashMap<>();
        ManualClock clock = new ManualClock();
        Throttles throttles = new Throttles();
        try (AutoCloseable naming = GridNaming.install(GridNaming.grid(entries));
             ConnectorRuntime first = new ConnectorRuntime("instance-1");
             ConnectorRuntime second = new ConnectorRuntime("instance-2");
             CapturedLog log = new CapturedLog(MailboxLimits.class)) {
            MailboxLimits one = MailboxLimits.of(first, "Graph", "A@Contoso.test", 1, 2, clock, LimitsScope.CLUSTER,
                    Duration.ofSeconds(120));
            MailboxLimits two = MailboxLimits.of(second, "graph", "a@contoso.test", 1, 2, clock, LimitsScope.CLUSTER,
                    Duration.ofSeconds(120));
            assertTrue(log.warnings().isEmpty(), "a grid was found");

            long start = clock.millis();
            MailboxLimits.Slot slot = one.acquire();
            String pace = "pace|graph|a@contoso.test|2";
            String sending = "sending|graph|a@contoso.test|1";
            assertEquals(Set.of(pace, sending), entries.keySet());
            // Leases for an instance that dies mid-send: the send timeout and a margin; the turn a minute more.
            assertEquals(List.of(start + 135_000), until(entries.get(sending)));
            assertEquals(List.of(start + 195_000), until(entries.get(pace)));

            CompletableFuture<MailboxLimits.Slot> other = acquireAsync(two, throttles);
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                while (until(entries.get(pace)).size() < 2) {
                    Thread.onSpinWait();
                }
            }, "the other instance took its turn");
            assertThrows(TimeoutException.class, () -> other.get(300, TimeUnit.MILLISECONDS),
                    "the other instance waits for the one sending place");
            slot.close();
            assertEquals(List.of(start + 60_000, start + 195_000), until(entries.get(pace)),
                    "the ended turn counts a minute from its end");
            MailboxLimits.Slot got = other.get(10, TimeUnit.SECONDS);
            assertEquals(1, throttles.waits.size(), "the wait was told");
            assertTrue(throttles.waits.get(0).compareTo(Duration.ofMillis(1)) >= 0, throttles.waits.toString());
            got.close();
            assertEquals("", entries.get(sending), "both sending places given back");

            CompletableFuture<MailboxLimits.Slot> third = acquireAsync(one, SendEvents.NONE);
            assertThrows(TimeoutException.class, () -> third.get(300, TimeUnit.MILLISECONDS),
                    "a third message in the minute waits, whichever instance sends it");
            clock.advance(Duration.ofSeconds(61));
            third.get(10, TimeUnit.SECONDS).close();
        }
    }

    @Test
    void aPaceOnlyOrSendsAtOnceOnlyKeepsOneLedger() throws Exception {
        Map<String, String> entries = new ConcurrentHashMap<>();
        ManualClock clock = new ManualClock();
        try (AutoCloseable naming = GridNaming.install(GridNaming.grid(entries));
             ConnectorRuntime runtime = new ConnectorRuntime("one-ledger")) {
            MailboxLimits paced = MailboxLimits.of(runtime, "smtp", "p@contoso.test", 0, 5, clock,
                    LimitsScope.CLUSTER, Duration.ofSeconds(30));
            long start = clock.millis();
            paced.acquire().close();
            assertEquals(Set.of("pace|smtp|p@contoso.test|5"), entries.keySet());
            assertEquals(List.of(start + 60_000), until(entries.get("pace|smtp|p@contoso.test|5")));

            MailboxLimits atOnce = MailboxLimits.of(runtime, "smtp", "s@contoso.test", 3, 0, clock,
                    LimitsScope.CLUSTER, Duration.ofSeconds(30));
            MailboxLimits.Slot slot = atOnce.acquire();
            assertEquals(List.of(start + 45_000), until(entries.get("sending|smtp|s@contoso.test|3")));
            slot.close();
            assertEquals(Set.of("pace|smtp|p@contoso.test|5", "sending|smtp|s@contoso.test|3"), entries.keySet());
            assertEquals("", entries.get("sending|smtp|s@contoso.test|3"));
        }
    }

    @Test
    void aSendInterruptedWhileWaitingInTheClusterEndsItsTurn() throws Exception {
        Map<String, String> entries = new ConcurrentHashMap<>();
        ManualClock clock = new ManualClock();
        try (AutoCloseable naming = GridNaming.install(GridNaming.grid(entries));
             ConnectorRuntime runtime = new ConnectorRuntime("cluster-interrupted")) {
            MailboxLimits limits = MailboxLimits.of(runtime, "graph", "i@contoso.test", 1, 5, clock,
                    LimitsScope.CLUSTER, Duration.ofSeconds(120));
            long start = clock.millis();
            MailboxLimits.Slot held = limits.acquire();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread waiter = new Thread(() -> {
                try {
                    limits.acquire().close();
                } catch (Throwable t) {
                    failure.set(t);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
            });
            waiter.start();
            String pace = "pace|graph|i@contoso.test|5";
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                while (until(entries.get(pace)).size() < 2) {
                    Thread.onSpinWait();
                }
            }, "the waiter took its turn");
            waiter.interrupt();
            waiter.join(10_000);
            MailSendException e = assertInstanceOf(MailSendException.class, failure.get());
            assertTrue(e.getMessage().contains("in the cluster"), e.getMessage());
            assertTrue(stillInterrupted.get());
            assertEquals(List.of(start + 195_000, start + 60_000), until(entries.get(pace)),
                    "the interrupted turn counts a minute, not its whole lease");
            held.close();
        }
    }

    /** The times until which a ledger's places count, in the order taken. */
    private static List<Long> until(String ledger) {
        return List.copyOf(ClusterLedger.parse(ledger, Long.MIN_VALUE).values());
    }
}
