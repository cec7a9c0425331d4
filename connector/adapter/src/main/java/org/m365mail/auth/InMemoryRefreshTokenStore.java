package org.m365mail.auth;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Keeps refresh tokens in this JVM only: a restart needs the mailbox connected again. */
public final class InMemoryRefreshTokenStore implements RefreshTokenStore {

    private record Entry(String token, Instant savedAt) {
    }

    private final Map<String, Entry> tokens = new ConcurrentHashMap<>();
    private final Clock clock;

    public InMemoryRefreshTokenStore() {
        this(Clock.systemUTC());
    }

    public InMemoryRefreshTokenStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<String> load(String key) {
        return Optional.ofNullable(tokens.get(key)).map(Entry::token);
    }

    @Override
    public Optional<Instant> savedAt(String key) {
        return Optional.ofNullable(tokens.get(key)).map(Entry::savedAt);
    }

    @Override
    public void save(String key, String refreshToken) {
        tokens.put(key, new Entry(refreshToken, Instant.now(clock)));
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
