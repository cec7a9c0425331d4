package org.m365mail.runtime;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a deployment's runtime owns and ends: its threads (named, daemon, with the connector's class loader), its
 * shared objects (one per key, closed with it), and nothing that works once it is closed.
 */
class ConnectorRuntimeTest {

    private static Thread threadOf(ExecutorService executor) throws Exception {
        return CompletableFuture.supplyAsync(Thread::currentThread, executor).get(10, TimeUnit.SECONDS);
    }

    @Test
    void everyThreadIsNamedForTheRuntimeIsADaemonAndHasTheConnectorsClassLoader() throws Exception {
        ClassLoader caller = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(new ClassLoader(caller) { });
        try (ConnectorRuntime runtime = new ConnectorRuntime("ra-test")) {
            List<Thread> threads = List.of(threadOf(runtime.scheduler()), threadOf(runtime.background()),
                    threadOf(runtime.singleThread("outbox")));
            assertTrue(threads.get(0).getName().startsWith("m365-mail-ra-test-scheduler-"), threads.get(0).getName());
            assertTrue(threads.get(1).getName().startsWith("m365-mail-ra-test-worker-"), threads.get(1).getName());
            assertTrue(threads.get(2).getName().startsWith("m365-mail-ra-test-outbox-"), threads.get(2).getName());
            assertEquals(3, threads.stream().map(Thread::getName).distinct().count());
            for (Thread t : threads) {
                assertTrue(t.isDaemon(), t.getName());
                assertSame(ConnectorRuntime.class.getClassLoader(), t.getContextClassLoader(), t.getName());
            }
            assertEquals("ra-test", runtime.name());
        } finally {
            Thread.currentThread().setContextClassLoader(caller);
        }
    }

    @Test
    void aCancelledTimerLeavesTheQueueAndBusyBackgroundWorkRunsOnTheCallerRatherThanBeingDropped()
            throws Exception {
        try (ConnectorRuntime runtime = new ConnectorRuntime("timers")) {
            ScheduledThreadPoolExecutor scheduler = (ScheduledThreadPoolExecutor) runtime.scheduler();
            scheduler.schedule(() -> { }, 1, TimeUnit.HOURS).cancel(false);
            assertEquals(0, scheduler.getQueue().size());
            assertFalse(scheduler.getExecuteExistingDelayedTasksAfterShutdownPolicy());
            ThreadPoolExecutor background = (ThreadPoolExecutor) runtime.background();
            assertEquals(0, background.getCorePoolSize());
            assertEquals(64, background.getMaximumPoolSize());
            assertEquals(60, background.getKeepAliveTime(TimeUnit.SECONDS));
            assertTrue(background.getRejectedExecutionHandler() instanceof ThreadPoolExecutor.CallerRunsPolicy);
        }
    }

    @Test
    void aSharedObjectIsMadeOncePerKeyAndClosedWithTheRuntimeEvenIfAnotherFailsToClose() {
        ConnectorRuntime runtime = new ConnectorRuntime("shared");
        AtomicInteger made = new AtomicInteger();
        List<String> closed = new ArrayList<>();
        AutoCloseable first = runtime.shared("store-a", () -> {
            made.incrementAndGet();
            return (AutoCloseable) () -> closed.add("a");
        });
        assertSame(first, runtime.shared("store-a", () -> {
            made.incrementAndGet();
            return (AutoCloseable) () -> closed.add("again");
        }));
        runtime.shared("store-b", () -> (AutoCloseable) () -> {
            throw new IllegalStateException("b cannot close");
        });
        runtime.shared("store-c", () -> (AutoCloseable) () -> closed.add("c"));
        String plain = runtime.shared("plain", () -> "not closeable");
        assertSame(plain, runtime.shared("plain", () -> "another"));
        assertEquals(1, made.get());

        runtime.close();
        assertEquals(List.of("a", "c"), closed);
        runtime.close();
        assertEquals(List.of("a", "c"), closed, "closing again closes nothing twice");
    }

    @Test
    void closingEndsEveryThreadInterruptingRunningWorkAndRefusesNewWork() throws Exception {
        ConnectorRuntime runtime = new ConnectorRuntime("closing");
        ExecutorService single = runtime.singleThread("serial");
        CountDownLatch running = new CountDownLatch(3);
        CountDownLatch interrupted = new CountDownLatch(3);
        Runnable blocking = () -> {
            running.countDown();
            try {
                Thread.sleep(TimeUnit.MINUTES.toMillis(5));
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        };
        runtime.scheduler().execute(blocking);
        runtime.background().execute(blocking);
        single.execute(blocking);
        assertTrue(running.await(10, TimeUnit.SECONDS));
        assertFalse(runtime.isClosed());
        assertEquals("ConnectorRuntime[closing]", runtime.toString());

        runtime.close();
        assertTrue(interrupted.await(10, TimeUnit.SECONDS));
        assertTrue(runtime.scheduler().isTerminated());
        assertTrue(runtime.background().isTerminated());
        assertTrue(single.isTerminated());
        assertTrue(runtime.isClosed());
        assertEquals("ConnectorRuntime[closing, closed]", runtime.toString());
        String m = assertThrows(IllegalStateException.class, () -> runtime.singleThread("late")).getMessage();
        assertEquals("The Microsoft 365 mail connector (closing) was stopped", m);
        assertThrows(IllegalStateException.class, () -> runtime.shared("late", Object::new));
    }
}
