package org.m365mail.sandbox;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every request the token endpoint received, so tests can count them. */
public final class TokenRequestLog {

    /**
     * One token request.
     *
     * @param tenant    the {tenant} path segment
     * @param clientId  the client_id sent, or {@code null}
     * @param scope     the scope sent, or {@code null}
     * @param grantType the grant_type sent
     * @param status    the HTTP status answered
     * @param error     the AADSTS error, or {@code null} on success
     * @param at        when it came
     */
    public record Entry(String tenant, String clientId, String scope, String grantType, int status, String error,
                        Instant at) {
        /** Whether the scope asked for the named resource, e.g. {@code https://outlook.office365.com}. */
        public boolean isFor(String resource) {
            return scope != null && scope.contains(resource);
        }
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    void add(Entry entry) {
        entries.add(entry);
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** How many requests were answered with a token. */
    public long issued() {
        return entries.stream().filter(e -> e.status() == 200).count();
    }

    /** How many requests asked for a token for {@code resource} (any outcome). */
    public long count(String resource) {
        return entries.stream().filter(e -> e.isFor(resource)).count();
    }

    public int total() {
        return entries.size();
    }

    public void clear() {
        entries.clear();
    }
}
