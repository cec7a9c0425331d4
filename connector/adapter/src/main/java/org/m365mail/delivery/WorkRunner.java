package org.m365mail.delivery;

import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkAdapter;
import jakarta.resource.spi.work.WorkEvent;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Runs the connector's deferred sends: on the server's {@link WorkManager} (Jakarta Connectors' managed threads, with
 * the server's context and limits) when the resource adapter was given one, else (plain Java) on the connector's own
 * worker threads, which end when it stops.
 */
public final class WorkRunner {

    private final java.util.function.Supplier<WorkManager> workManagers;
    private final Executor fallback;

    /** Work on the connector's own threads only (plain Java: no server, no work manager). */
    public static WorkRunner own(Executor threads) {
        return new WorkRunner(() -> null, threads);
    }

    /**
     * @param workManagers gives the server's work manager (or {@code null}), asked at the first work only: a server
     *                     makes a resource adapter's work manager on demand and it need not exist for an adapter
     *                     that never runs work
     * @param fallback     the connector's own threads, used without a work manager
     */
    public WorkRunner(java.util.function.Supplier<WorkManager> workManagers, Executor fallback) {
        this.workManagers = workManagers;
        this.fallback = fallback;
    }

    /**
     * Runs {@code task} soon; {@code rejected} is told if it cannot be run at all (the server refused the work, the
     * connector is stopping), and the task then never runs.
     */
    public void run(Runnable task, Consumer<Exception> rejected) {
        ClassLoader loader = WorkRunner.class.getClassLoader();
        Runnable inContext = () -> {
            Thread current = Thread.currentThread();
            ClassLoader previous = current.getContextClassLoader();
            current.setContextClassLoader(loader);
            try {
                task.run();
            } finally {
                current.setContextClassLoader(previous);
            }
        };
        WorkManager workManager = workManagers.get();
        if (workManager == null) {
            try {
                fallback.execute(inContext);
            } catch (RejectedExecutionException e) {
                rejected.accept(e);
            }
            return;
        }
        try {
            workManager.scheduleWork(new Work() {
                @Override
                public void run() {
                    inContext.run();
                }

                @Override
                public void release() {
                    // A send in progress ends by its own timeouts; nothing holds it otherwise.
                }
            }, WorkManager.INDEFINITE, null, new WorkAdapter() {
                @Override
                public void workRejected(WorkEvent event) {
                    rejected.accept(event.getException() == null
                            ? new WorkException("the server's work manager rejected the send") : event.getException());
                }
            });
        } catch (WorkException e) {
            rejected.accept(e);
        }
    }
}
