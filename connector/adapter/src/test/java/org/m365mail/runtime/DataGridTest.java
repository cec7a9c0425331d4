package org.m365mail.runtime;

import org.junit.jupiter.api.Test;
import org.m365mail.testing.TestNaming;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.naming.NamingException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Finding the server's data grid: the cache manager bound at {@code payara/CacheManager}, a cache that exists taken
 * as it is, one that does not made with the given expiry, and one another member made meanwhile taken from it.
 */
class DataGridTest {

    /** A cache manager of the grid, as Hazelcast's behaves for {@code getCache}/{@code createCache}. */
    private static final class Grid {
        final Map<String, Cache<String, String>> caches = new HashMap<>();
        final List<Configuration<?, ?>> created = new ArrayList<>();
        /** A cache another member makes between this one's look and its making. */
        Cache<String, String> madeMeanwhile;

        @SuppressWarnings("unchecked")
        CacheManager manager() {
            return (CacheManager) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{CacheManager.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getCache" -> {
                            assertEquals(List.of(String.class, String.class), List.of(args[1], args[2]));
                            yield caches.get((String) args[0]);
                        }
                        case "createCache" -> {
                            if (madeMeanwhile != null) {
                                caches.put((String) args[0], madeMeanwhile);
                                throw new CacheException("A cache named " + args[0] + " already exists.");
                            }
                            created.add((Configuration<?, ?>) args[1]);
                            Cache<String, String> made = cache();
                            caches.put((String) args[0], made);
                            yield made;
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    @SuppressWarnings("unchecked")
    private static Cache<String, String> cache() {
        return (Cache<String, String>) Proxy.newProxyInstance(DataGridTest.class.getClassLoader(),
                new Class<?>[]{Cache.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aCacheTheGridHasIsTakenAsItIs() throws Exception {
        Grid grid = new Grid();
        Cache<String, String> existing = cache();
        grid.caches.put("m365-mail-ledger", existing);
        try (AutoCloseable naming = TestNaming.install(Map.of(DataGrid.JNDI_NAME, grid.manager()))) {
            assertSame(existing, DataGrid.strings("m365-mail-ledger", CreatedExpiryPolicy.factoryOf(Duration.ONE_DAY)));
        }
        assertEquals(List.of(), grid.created);
    }

    @Test
    void aCacheTheGridLacksIsMadeForStringsWithTheGivenExpiry() throws Exception {
        Grid grid = new Grid();
        var expiry = CreatedExpiryPolicy.factoryOf(Duration.ONE_HOUR);
        try (AutoCloseable naming = TestNaming.install(Map.of(DataGrid.JNDI_NAME, grid.manager()))) {
            Cache<String, String> made = DataGrid.strings("m365-mail-tokens", expiry);
            assertSame(grid.caches.get("m365-mail-tokens"), made);
        }
        assertEquals(1, grid.created.size());
        MutableConfiguration<?, ?> configuration = (MutableConfiguration<?, ?>) grid.created.get(0);
        assertEquals(String.class, configuration.getKeyType());
        assertEquals(String.class, configuration.getValueType());
        assertSame(expiry, configuration.getExpiryPolicyFactory());
    }

    @Test
    void aCacheAnotherMemberMadeMeanwhileIsTakenFromTheGrid() throws Exception {
        Grid grid = new Grid();
        grid.madeMeanwhile = cache();
        try (AutoCloseable naming = TestNaming.install(Map.of(DataGrid.JNDI_NAME, grid.manager()))) {
            assertSame(grid.madeMeanwhile, DataGrid.strings("m365-mail-ledger",
                    CreatedExpiryPolicy.factoryOf(Duration.ONE_DAY)));
        }
    }

    @Test
    void aServerWithoutADataGridIsReportedByTheName() throws Exception {
        try (AutoCloseable naming = TestNaming.install()) {
            assertThrows(NamingException.class, () -> DataGrid.strings("m365-mail-ledger",
                    CreatedExpiryPolicy.factoryOf(Duration.ONE_DAY)));
        }
    }
}
