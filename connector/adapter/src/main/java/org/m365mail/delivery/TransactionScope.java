package org.m365mail.delivery;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The caller's JTA transaction, as the resource adapter sees it through the server's
 * {@link TransactionSynchronizationRegistry} (Jakarta Connectors 2.1, {@code BootstrapContext}): whether one is active
 * on this thread, and a way to act once it ends.
 *
 * <p>The connector takes part in a transaction only this way, as a synchronization: a message is not a resource that
 * can be prepared and rolled back (Microsoft 365 has no two-phase commit), so the connector declares
 * {@code NoTransaction} and sends after the outcome is known, never before.
 */
public final class TransactionScope {

    /** No transaction manager (plain Java): every send is outside a transaction. */
    public static final TransactionScope NONE = new TransactionScope(() -> null);

    private final Supplier<TransactionSynchronizationRegistry> registry;

    /** @param registry the server's registry, or a supplier of {@code null} where there is none */
    public TransactionScope(Supplier<TransactionSynchronizationRegistry> registry) {
        this.registry = registry;
    }

    /** Whether the calling thread runs in a transaction that can still commit. */
    public boolean active() {
        TransactionSynchronizationRegistry r = registry.get();
        if (r == null) {
            return false;
        }
        int status = r.getTransactionStatus();
        return status == Status.STATUS_ACTIVE || status == Status.STATUS_MARKED_ROLLBACK;
    }

    /** Whether the calling thread's transaction was marked for rollback already (it can only roll back). */
    public boolean rollbackOnly() {
        TransactionSynchronizationRegistry r = registry.get();
        return r != null && r.getTransactionStatus() == Status.STATUS_MARKED_ROLLBACK;
    }

    /**
     * Calls {@code outcome} with {@code true} once the calling thread's transaction committed, {@code false} once it
     * rolled back (or its outcome is unknown). Interposed: after the resources' own synchronizations (JPA's flush),
     * so it sees the outcome of everything the transaction did.
     */
    public void afterCompletion(Consumer<Boolean> outcome) {
        registry.get().registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                // Nothing to do before: nothing is sent until the outcome is known.
            }

            @Override
            public void afterCompletion(int status) {
                outcome.accept(status == Status.STATUS_COMMITTED);
            }
        });
    }
}
