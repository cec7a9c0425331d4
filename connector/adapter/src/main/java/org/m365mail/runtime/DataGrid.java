package org.m365mail.runtime;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.ExpiryPolicy;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The server's data grid as the connector uses it: JCache (JSR 107) caches of strings, from the cache manager the
 * server binds in JNDI ({@value #JNDI_NAME}; on Payara, Hazelcast's, which every member of the cluster sees). Asking
 * {@code Caching.getCachingProvider()} instead would start a separate Hazelcast client, not join the server's grid.
 * Strings only, so that no class of the connector has to be known to the grid's serializer.
 *
 * <p>Loaded only where a pool asks for the grid: on a server without JCache, this class is the one that fails to load.
 */
public final class DataGrid {

    /** Where Payara binds its JCache CacheManager. */
    public static final String JNDI_NAME = "payara/CacheManager";

    private DataGrid() {
    }

    /**
     * The grid's cache {@code name}, made with {@code expiry} when no member has made it yet.
     *
     * @throws NamingException where the server binds no cache manager
     */
    public static Cache<String, String> strings(String name, Factory<? extends ExpiryPolicy> expiry)
            throws NamingException {
        CacheManager manager = (CacheManager) new InitialContext().lookup(JNDI_NAME);
        Cache<String, String> existing = manager.getCache(name, String.class, String.class);
        if (existing != null) {
            return existing;
        }
        try {
            return manager.createCache(name, new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class).setExpiryPolicyFactory(expiry));
        } catch (CacheException createdMeanwhile) {
            // Another pool or instance made it first.
            return manager.getCache(name, String.class, String.class);
        }
    }
}
