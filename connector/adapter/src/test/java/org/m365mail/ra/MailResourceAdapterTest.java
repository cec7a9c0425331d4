package org.m365mail.ra;

import jakarta.resource.NotSupportedException;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.junit.jupiter.api.Test;
import org.m365mail.delivery.ServerServices;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.testing.FakeTransactions;
import org.m365mail.testing.TestNaming;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The resource adapter as a server drives it: the runtime it starts and ends, the factories it closes at stop (each
 * once, in order, one failing not stopping the rest), the transactions and work manager it finds for sends that
 * leave the caller's thread, and what it refuses (inbound endpoints, use after undeployment).
 */
class MailResourceAdapterTest {

    /** The parts of a server's bootstrap context the adapter uses; everything else is not expected. */
    private static BootstrapContext bootstrap(TransactionSynchronizationRegistry registry, WorkManager work,
                                              boolean connectors15) {
        return (BootstrapContext) Proxy.newProxyInstance(MailResourceAdapterTest.class.getClassLoader(),
                new Class<?>[]{BootstrapContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getTransactionSynchronizationRegistry" -> {
                        if (connectors15) {
                            throw new AbstractMethodError("a Connectors 1.5 server");
                        }
                        yield registry;
                    }
                    case "getWorkManager" -> work;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A work manager that runs each work on a thread of its own and keeps what it was given. */
    private static WorkManager workManager(List<Work> scheduled) {
        return (WorkManager) Proxy.newProxyInstance(MailResourceAdapterTest.class.getClassLoader(),
                new Class<?>[]{WorkManager.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("scheduleWork")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    Work work = (Work) args[0];
                    scheduled.add(work);
                    new Thread(work, "server-work").start();
                    return null;
                });
    }

    @Test
    void startMakesARuntimeStopEndsItAndAnUndeployedAdapterRefusesToGoOn() {
        MailResourceAdapter adapter = new MailResourceAdapter();
        adapter.start(bootstrap(null, null, false));
        ConnectorRuntime runtime = adapter.runtime();
        assertSame(runtime, adapter.runtime());
        assertTrue(runtime.name().startsWith("ra-"), runtime.name());
        assertFalse(runtime.isClosed());

        adapter.stop();
        assertTrue(runtime.isClosed());
        String m = assertThrows(IllegalStateException.class, adapter::runtime).getMessage();
        assertTrue(m.contains("was stopped (undeployed)"), m);

        // A server that starts the same bean again (a redeployment of the pool) gets a fresh runtime.
        adapter.start(bootstrap(null, null, false));
        ConnectorRuntime again = adapter.runtime();
        assertNotSame(runtime, again);
        assertFalse(again.isClosed());
        adapter.stop();
    }

    @Test
    void aFactoryAssociatedBeforeStartGetsTheRuntimeThatStartKeeps() {
        MailResourceAdapter adapter = new MailResourceAdapter();
        ConnectorRuntime early = adapter.runtime();
        adapter.start(null);
        assertSame(early, adapter.runtime());
        adapter.stop();
        assertTrue(early.isClosed());
    }

    @Test
    void stopClosesEveryFactoryOnceInOrderEvenWhenOneFails() {
        MailResourceAdapter adapter = MailResourceAdapter.standalone();
        List<String> closed = new ArrayList<>();
        AutoCloseable a = () -> closed.add("a");
        AutoCloseable failing = () -> {
            closed.add("failing");
            throw new IllegalStateException("cannot close");
        };
        AutoCloseable c = () -> closed.add("c");
        adapter.register(a);
        adapter.register(failing);
        adapter.register(a);
        adapter.register(c);
        assertEquals(3, adapter.factoryCount());
        assertEquals(3, adapter.registrations());
        assertEquals(List.of(c, failing), adapter.registeredAfter(a));
        assertEquals(List.of(), adapter.registeredAfter(c));
        assertEquals(List.of(c, failing, a), adapter.registeredAfter(() -> { }));

        adapter.close();
        assertEquals(List.of("a", "failing", "c"), closed);
        assertEquals(0, adapter.factoryCount());
        assertEquals(3, adapter.registrations(), "the count of associations only grows");
        adapter.stop();
        assertEquals(List.of("a", "failing", "c"), closed, "a second stop closes nothing again");
    }

    @Test
    void withoutAServerThereAreNoTransactionsAndSendsRunOnTheConnectorsOwnThreads() throws Exception {
        try (MailResourceAdapter adapter = MailResourceAdapter.standalone()) {
            ServerServices services = adapter.serverServices();
            assertFalse(services.transactions().active());
            AtomicReference<String> thread = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            services.work().run(() -> {
                thread.set(Thread.currentThread().getName());
                ran.countDown();
            }, e -> { });
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertTrue(thread.get().startsWith(ConnectorRuntime.THREAD_PREFIX), thread.get());
        }
    }

    @Test
    void aRegistryGivenInCodeDecidesTransactionsOutsideAServer() {
        FakeTransactions transactions = new FakeTransactions();
        try (MailResourceAdapter adapter = MailResourceAdapter.standalone(transactions)) {
            ServerServices services = adapter.serverServices();
            assertFalse(services.transactions().active());
            transactions.begin();
            assertTrue(services.transactions().active());
            transactions.rollback();
        }
        assertThrows(NullPointerException.class, () -> MailResourceAdapter.standalone(null));
    }

    @Test
    void theServersRegistryAndWorkManagerComeFromTheBootstrapContext() throws Exception {
        FakeTransactions transactions = new FakeTransactions();
        List<Work> scheduled = new ArrayList<>();
        MailResourceAdapter adapter = new MailResourceAdapter();
        adapter.start(bootstrap(transactions, workManager(scheduled), false));
        try {
            ServerServices services = adapter.serverServices();
            transactions.begin();
            assertTrue(services.transactions().active());
            transactions.rollback();
            CountDownLatch ran = new CountDownLatch(1);
            services.work().run(ran::countDown, e -> { });
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertEquals(1, scheduled.size());
        } finally {
            adapter.stop();
        }
    }

    @Test
    void aServerWhoseContextHasNoRegistryIsAskedByTheStandardJndiName() throws Exception {
        for (boolean connectors15 : new boolean[]{false, true}) {
            FakeTransactions transactions = new FakeTransactions();
            MailResourceAdapter adapter = new MailResourceAdapter();
            adapter.start(bootstrap(null, null, connectors15));
            try (AutoCloseable naming = TestNaming.install(
                    Map.of("java:comp/TransactionSynchronizationRegistry", transactions))) {
                ServerServices services = adapter.serverServices();
                transactions.begin();
                assertTrue(services.transactions().active(), "Connectors 1.5: " + connectors15);
                transactions.rollback();
            } finally {
                adapter.stop();
            }
        }
        // Nothing bound there either: sends are outside transactions.
        MailResourceAdapter adapter = new MailResourceAdapter();
        adapter.start(bootstrap(null, null, false));
        try (AutoCloseable naming = TestNaming.install()) {
            assertFalse(adapter.serverServices().transactions().active());
        } finally {
            adapter.stop();
        }
    }

    @Test
    void itHasNoInboundSideAndEveryInstanceIsTheSameConfiguration() throws Exception {
        MailResourceAdapter adapter = new MailResourceAdapter();
        assertThrows(NotSupportedException.class, () -> adapter.endpointActivation(null, null));
        adapter.endpointDeactivation(null, null);
        assertEquals(0, adapter.getXAResources(null).length);
        MailResourceAdapter other = new MailResourceAdapter();
        assertEquals(adapter, other);
        assertEquals(adapter.hashCode(), other.hashCode());
        assertNotEquals(adapter, null);
        assertNotEquals(adapter, new Object());
        assertEquals(MailResourceAdapter.class.hashCode(), adapter.hashCode());
    }
}
