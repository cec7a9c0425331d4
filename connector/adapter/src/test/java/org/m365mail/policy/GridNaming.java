package org.m365mail.policy;

import org.m365mail.testing.TestNaming;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A server's naming tree with a data grid in it, for tests of the cluster's limits: while {@link #install}'s scope is
 * open, {@code new InitialContext()} finds at {@link ClusterLedger#JNDI_NAME} a cache manager whose one cache is the
 * given one, as Payara's Hazelcast offers it.
 */
final class GridNaming {

    private GridNaming() {
    }

    /** Makes {@code cache} the grid's cache until the returned scope is closed. */
    static AutoCloseable install(Cache<String, String> cache) {
        CacheManager manager = (CacheManager) Proxy.newProxyInstance(GridNaming.class.getClassLoader(),
                new Class<?>[]{CacheManager.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getCache" -> ClusterLedger.CACHE_NAME.equals(args[0]) ? cache : null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return TestNaming.install(Map.of(ClusterLedger.JNDI_NAME, manager));
    }

    /** The grid's entries, as {@link ClusterLimitsTest#grid} keeps them. */
    static Cache<String, String> grid(Map<String, String> entries) {
        return ClusterLimitsTest.grid(entries);
    }
}
