package org.m365mail.policy;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.naming.spi.InitialContextFactory;
import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.Map;

/**
 * A server's naming tree with a data grid in it, for tests of the cluster's limits: while {@link #install}'s scope is
 * open, {@code new InitialContext()} finds at {@link ClusterLedger#JNDI_NAME} a cache manager whose one cache is the
 * given one, as Payara's Hazelcast offers it.
 */
public final class GridNaming implements InitialContextFactory {

    private static final String FACTORY = "java.naming.factory.initial";
    private static volatile CacheManager manager;

    /** Makes {@code cache} the grid's cache until the returned scope is closed. */
    static AutoCloseable install(Cache<String, String> cache) {
        String before = System.getProperty(FACTORY);
        manager = (CacheManager) Proxy.newProxyInstance(GridNaming.class.getClassLoader(),
                new Class<?>[]{CacheManager.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getCache" -> ClusterLedger.CACHE_NAME.equals(args[0]) ? cache : null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        System.setProperty(FACTORY, GridNaming.class.getName());
        return () -> {
            manager = null;
            if (before == null) {
                System.clearProperty(FACTORY);
            } else {
                System.setProperty(FACTORY, before);
            }
        };
    }

    /** The grid's entries, as {@link ClusterLimitsTest#grid} keeps them. */
    static Cache<String, String> grid(Map<String, String> entries) {
        return ClusterLimitsTest.grid(entries);
    }

    @Override
    public Context getInitialContext(Hashtable<?, ?> environment) {
        return (Context) Proxy.newProxyInstance(GridNaming.class.getClassLoader(), new Class<?>[]{Context.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "lookup" -> {
                        CacheManager bound = manager;
                        if (bound == null || !ClusterLedger.JNDI_NAME.equals(String.valueOf(args[0]))) {
                            throw new NameNotFoundException(args[0] + " not bound");
                        }
                        yield bound;
                    }
                    case "close" -> null;
                    default -> throw new NamingException(method.getName() + " is not supported here");
                });
    }
}
