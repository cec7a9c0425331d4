package org.m365mail.config;

/** Where access tokens are cached. */
public enum TokenCacheKind {
    /** In this JVM: each server instance fetches its own token. */
    LOCAL,
    /**
     * In the server's JCache (Payara: Hazelcast), shared by the instances of a cluster, so that they use one token. If
     * the server offers no JCache, the connector warns once and caches in the JVM.
     */
    JCACHE
}
