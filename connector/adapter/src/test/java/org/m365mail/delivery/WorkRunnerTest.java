package org.m365mail.delivery;

import jakarta.resource.spi.work.ExecutionContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkEvent;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkListener;
import jakarta.resource.spi.work.WorkManager;
import jakarta.resource.spi.work.WorkRejectedException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Running work off the caller's thread: on the server's work manager when there is one, else on the connector's
 * threads; always with the connector's class loader, the thread's own given back after; a refusal told to the
 * caller, the task then never run.
 */
class WorkRunnerTest {

    /** A work manager that answers {@code scheduleWork} as the test says. */
    private interface Scheduling {
        void schedule(Work work, WorkListener listener) throws WorkException;
    }

    private static WorkManager workManager(Scheduling scheduling) {
        return (WorkManager) Proxy.newProxyInstance(WorkRunnerTest.class.getClassLoader(),
                new Class<?>[]{WorkManager.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("scheduleWork") || args.length != 4) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    assertEquals(WorkManager.INDEFINITE, args[1]);
                    assertNull((ExecutionContext) args[2]);
                    scheduling.schedule((Work) args[0], (WorkListener) args[3]);
                    return null;
                });
    }

    /** Runs on the calling thread, with a class loader of another application set on it. */
    private static final ClassLoader APPLICATION = new ClassLoader(WorkRunnerTest.class.getClassLoader()) { };

    private static ClassLoader runInApplicationThread(Runnable r) {
        Thread current = Thread.currentThread();
        ClassLoader before = current.getContextClassLoader();
        current.setContextClassLoader(APPLICATION);
        try {
            r.run();
            return current.getContextClassLoader();
        } finally {
            current.setContextClassLoader(before);
        }
    }

    @Test
    void withoutAWorkManagerTheConnectorsThreadsRunItWithTheConnectorsClassLoader() {
        AtomicReference<ClassLoader> during = new AtomicReference<>();
        Executor sameThread = Runnable::run;
        List<Exception> rejected = new ArrayList<>();
        ClassLoader after = runInApplicationThread(() -> WorkRunner.own(sameThread).run(
                () -> during.set(Thread.currentThread().getContextClassLoader()), rejected::add));
        assertSame(WorkRunner.class.getClassLoader(), during.get());
        assertSame(APPLICATION, after, "the thread's own class loader is given back");
        assertEquals(List.of(), rejected);
    }

    @Test
    void threadsThatRefuseTheWorkTellTheCallerAndTheTaskNeverRuns() {
        RejectedExecutionException stopping = new RejectedExecutionException("stopping");
        List<Exception> rejected = new ArrayList<>();
        List<String> ran = new ArrayList<>();
        WorkRunner.own(task -> {
            throw stopping;
        }).run(() -> ran.add("ran"), rejected::add);
        assertEquals(List.of(stopping), rejected);
        assertEquals(List.of(), ran);
    }

    @Test
    void theServersWorkManagerRunsItWhenThereIsOneAndTheFallbackIsNotUsed() {
        AtomicReference<ClassLoader> during = new AtomicReference<>();
        List<Exception> rejected = new ArrayList<>();
        List<Work> scheduled = new ArrayList<>();
        WorkRunner runner = new WorkRunner(() -> workManager((work, listener) -> {
            scheduled.add(work);
            work.run();
            work.release();
        }), task -> {
            throw new AssertionError("the fallback threads were used");
        });
        ClassLoader after = runInApplicationThread(() -> runner.run(
                () -> during.set(Thread.currentThread().getContextClassLoader()), rejected::add));
        assertEquals(1, scheduled.size());
        assertSame(WorkRunner.class.getClassLoader(), during.get());
        assertSame(APPLICATION, after);
        assertEquals(List.of(), rejected);
    }

    @Test
    void aWorkManagerThatRejectsTheWorkLaterOrAtOnceTellsTheCaller() {
        WorkRejectedException serverReason = new WorkRejectedException("no threads", WorkException.START_TIMED_OUT);
        List<Exception> rejected = new ArrayList<>();
        List<String> ran = new ArrayList<>();
        Runnable task = () -> ran.add("ran");

        new WorkRunner(() -> workManager((work, listener) -> listener.workRejected(
                new WorkEvent(this, WorkEvent.WORK_REJECTED, work, serverReason))), Runnable::run)
                .run(task, rejected::add);
        assertEquals(List.of(serverReason), rejected);

        rejected.clear();
        new WorkRunner(() -> workManager((work, listener) -> listener.workRejected(
                new WorkEvent(this, WorkEvent.WORK_REJECTED, work, null))), Runnable::run)
                .run(task, rejected::add);
        assertEquals(1, rejected.size());
        assertInstanceOf(WorkException.class, rejected.get(0));
        assertEquals("the server's work manager rejected the send", rejected.get(0).getMessage());

        rejected.clear();
        WorkException refusedAtOnce = new WorkException("stopping");
        new WorkRunner(() -> workManager((work, listener) -> {
            throw refusedAtOnce;
        }), Runnable::run).run(task, rejected::add);
        assertEquals(List.of(refusedAtOnce), rejected);
        assertEquals(List.of(), ran);
    }
}
