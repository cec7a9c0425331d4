package org.m365mail.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Everything the connector starts and keeps while it is deployed, owned in one place and ended in one call: the
 * threads (one scheduler for timers, a pool for background work, single threads where work must be serialized) and
 * the registries shared by the deployment's connection factories (token stores, mailbox limits, the SMTP write
 * watchdog). The resource adapter makes one in {@code start()} and closes it in {@code stop()}; a connection factory
 * used outside a server makes its own and closes it with the factory.
 *
 * <p>Nothing of the connector is static and mutable: a second deployment, or a redeployment, gets a runtime of its
 * own, and an undeployed RAR leaves no thread behind that would keep its classes in memory.
 */
public final class ConnectorRuntime implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ConnectorRuntime.class.getName());
    /** The prefix of every thread the connector starts, so an operator (and a test) can find them. */
    public static final String THREAD_PREFIX = "m365-mail-";
    private static final long STOP_WAIT_SECONDS = 10;

    private final String name;
    private final AtomicInteger threadNumber = new AtomicInteger();
    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor background;
    /** Guarded by this runtime's lock: a shared object's making may ask for another (a store for its file's lock). */
    private final Map<Object, Object> shared = new HashMap<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param name what the runtime belongs to, in its threads' names ({@code m365-mail-<name>-...})
     */
    public ConnectorRuntime(String name) {
        this.name = name;
        this.scheduler = new ScheduledThreadPoolExecutor(1, threads("scheduler"));
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        // Background work (token refreshes, consent keep-alives) blocks on the network: threads as needed, idle
        // ones end after a minute.
        this.background = new ThreadPoolExecutor(0, 64, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                threads("worker"), new ThreadPoolExecutor.CallerRunsPolicy());
    }

    /** Timers: short tasks only (a blocking one hands its work to {@link #background()}). */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Work that may block on the network, off the caller's thread. */
    public ExecutorService background() {
        return background;
    }

    /**
     * A thread of its own for work that must run in order and away from the caller's thread (and so outside the
     * caller's transaction), ended with the runtime.
     */
    public synchronized ExecutorService singleThread(String purpose) {
        checkOpen();
        ExecutorService executor = Executors.newSingleThreadExecutor(threads(purpose));
        executors.add(executor);
        return executor;
    }

    /**
     * The one {@code T} of this deployment under {@code key} (a record of everything that tells two apart), made by
     * {@code create} on first use; closed with the runtime when it is {@link AutoCloseable}.
     */
    @SuppressWarnings("unchecked")
    public synchronized <T> T shared(Object key, Supplier<T> create) {
        checkOpen();
        Object existing = shared.get(key);
        if (existing != null) {
            return (T) existing;
        }
        T made = create.get();
        shared.put(key, made);
        if (made instanceof AutoCloseable closeable) {
            closeables.add(closeable);
        }
        return made;
    }

    /** What the runtime belongs to, as in its threads' names. */
    public String name() {
        return name;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Ends every thread and closes every shared object; waits up to 10 s for running tasks to finish. */
    @Override
    public void close() {
        List<ExecutorService> all;
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(executors);
            all.add(scheduler);
            all.add(background);
            toClose = new ArrayList<>(closeables);
        }
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "M365MAIL-1007 Closing " + c + " failed", e);
            }
        }
        for (ExecutorService executor : all) {
            executor.shutdownNow();
        }
        for (ExecutorService executor : all) {
            try {
                if (!executor.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    LOG.warning("M365MAIL-1004 A thread of the connector (" + name + ") did not end within "
                            + STOP_WAIT_SECONDS + " s of the stop");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        synchronized (this) {
            shared.clear();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("The Microsoft 365 mail connector (" + name + ") was stopped");
        }
    }

    private ThreadFactory threads(String purpose) {
        return task -> {
            Thread t = new Thread(task, THREAD_PREFIX + name + "-" + purpose + "-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            // The connector's class loader, not whichever one the first caller had: a thread's context class
            // loader that outlives its application would pin it.
            t.setContextClassLoader(ConnectorRuntime.class.getClassLoader());
            return t;
        };
    }

    @Override
    public String toString() {
        return "ConnectorRuntime[" + name + (closed ? ", closed" : "") + "]";
    }
}
