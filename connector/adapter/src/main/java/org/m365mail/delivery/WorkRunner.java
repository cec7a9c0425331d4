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

    private final WorkManager workManager;
    private final Executor fallback;

    /**
     * @param workManager the server's, or {@code null}
     * @param fallback    the connector's own threads, used without a work manager
     */
    public WorkRunner(WorkManager workManager, Executor fallback) {
        this.workManager = workManager;
        this.fallback = fallback;
    }

    /** Whether work runs on the server's managed threads. */
    public boolean managed() {
        return workManager != null;
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
