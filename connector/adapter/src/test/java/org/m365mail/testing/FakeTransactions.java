package org.m365mail.testing;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A transaction manager's synchronization registry, reduced to what the connector uses, for unit tests without a
 * server: begin, commit, roll back on the calling thread, calling interposed synchronizations as JTA does.
 */
public final class FakeTransactions implements TransactionSynchronizationRegistry {

    private final ThreadLocal<Tx> current = new ThreadLocal<>();

    private static final class Tx {
        int status = Status.STATUS_ACTIVE;
        final List<Synchronization> synchronizations = new ArrayList<>();
        final Map<Object, Object> resources = new HashMap<>();
    }

    public void begin() {
        if (current.get() != null) {
            throw new IllegalStateException("a transaction is active");
        }
        current.set(new Tx());
    }

    /** Commits (or, when marked for rollback, rolls back); returns whether it committed. */
    public boolean commit() {
        Tx tx = take();
        boolean commit = tx.status == Status.STATUS_ACTIVE;
        if (commit) {
            tx.synchronizations.forEach(Synchronization::beforeCompletion);
        }
        int outcome = commit ? Status.STATUS_COMMITTED : Status.STATUS_ROLLEDBACK;
        tx.synchronizations.forEach(s -> s.afterCompletion(outcome));
        return commit;
    }

    public void rollback() {
        Tx tx = take();
        tx.synchronizations.forEach(s -> s.afterCompletion(Status.STATUS_ROLLEDBACK));
    }

    private Tx take() {
        Tx tx = current.get();
        if (tx == null) {
            throw new IllegalStateException("no transaction");
        }
        current.remove();
        return tx;
    }

    @Override
    public Object getTransactionKey() {
        return current.get();
    }

    @Override
    public void putResource(Object key, Object value) {
        current.get().resources.put(key, value);
    }

    @Override
    public Object getResource(Object key) {
        return current.get().resources.get(key);
    }

    @Override
    public void registerInterposedSynchronization(Synchronization sync) {
        Tx tx = current.get();
        if (tx == null) {
            throw new IllegalStateException("no transaction");
        }
        tx.synchronizations.add(sync);
    }

    @Override
    public int getTransactionStatus() {
        Tx tx = current.get();
        return tx == null ? Status.STATUS_NO_TRANSACTION : tx.status;
    }

    @Override
    public void setRollbackOnly() {
        current.get().status = Status.STATUS_MARKED_ROLLBACK;
    }

    @Override
    public boolean getRollbackOnly() {
        return current.get().status == Status.STATUS_MARKED_ROLLBACK;
    }
}
