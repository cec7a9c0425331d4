package org.m365mail.auth;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Keeps refresh tokens in this JVM only: a restart needs the mailbox connected again. */
public final class InMemoryRefreshTokenStore implements RefreshTokenStore {

    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    @Override
    public Optional<String> load(String key) {
        return Optional.ofNullable(tokens.get(key));
    }

    @Override
    public void save(String key, String refreshToken) {
        tokens.put(key, refreshToken);
    }

    @Override
    public void delete(String key) {
        tokens.remove(key);
    }

    @Override
    public String toString() {
        return "InMemoryRefreshTokenStore[" + tokens.size() + " entries]";
    }
}
