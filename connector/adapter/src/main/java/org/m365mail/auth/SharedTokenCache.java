package org.m365mail.auth;

import java.util.Optional;

/**
 * A token cache shared beyond this JVM (the instances of a cluster), consulted before a token is requested and told of
 * each new one, so that instances use one token instead of each fetching its own.
 */
public interface SharedTokenCache {

    /** The token another instance (or this one) stored under {@code key}, if any. */
    Optional<AccessToken> get(String key);

    /** Shares {@code token} under {@code key}. */
    void put(String key, AccessToken token);
}
