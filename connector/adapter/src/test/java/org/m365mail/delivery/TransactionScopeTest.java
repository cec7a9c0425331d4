package org.m365mail.delivery;

import org.junit.jupiter.api.Test;
import org.m365mail.testing.FakeTransactions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caller's transaction as a send sees it: none, active, marked for rollback, and its outcome once it ends. */
class TransactionScopeTest {

    @Test
    void withoutARegistryThereIsNoTransaction() {
        assertFalse(TransactionScope.NONE.active());
        assertFalse(TransactionScope.NONE.rollbackOnly());
    }

    @Test
    void aTransactionMarkedForRollbackIsStillOneButCanOnlyRollBack() {
        FakeTransactions transactions = new FakeTransactions();
        TransactionScope scope = new TransactionScope(() -> transactions);
        assertFalse(scope.active());
        assertFalse(scope.rollbackOnly());
        transactions.begin();
        assertTrue(scope.active());
        assertFalse(scope.rollbackOnly());
        transactions.setRollbackOnly();
        assertTrue(scope.active());
        assertTrue(scope.rollbackOnly());
        transactions.rollback();
        assertFalse(scope.rollbackOnly());
    }

    @Test
    void theOutcomeIsToldOnceTheTransactionEnds() {
        FakeTransactions transactions = new FakeTransactions();
        TransactionScope scope = new TransactionScope(() -> transactions);
        List<Boolean> outcomes = new ArrayList<>();
        transactions.begin();
        scope.afterCompletion(outcomes::add);
        assertEquals(List.of(), outcomes);
        transactions.commit();
        transactions.begin();
        scope.afterCompletion(outcomes::add);
        transactions.rollback();
        assertEquals(List.of(true, false), outcomes);
    }
}
