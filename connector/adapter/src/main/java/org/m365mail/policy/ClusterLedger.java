package org.m365mail.policy;

import org.m365mail.runtime.DataGrid;

import javax.cache.Cache;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.naming.NamingException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One of a mailbox's limits kept in the cluster's data grid, so that every instance sending from the mailbox counts
 * against it together: Exchange counts a mailbox's messages and connections, not a server's, and four instances each
 * keeping 30 a minute would send 120.
 *
 * <p>The ledger is one JCache entry per mailbox and limit: the places taken, each with the time until which it counts
 * ({@code id=epochMillis,...}). A place is taken or given back by compare-and-set ({@code Cache.replace(key, old, new)},
 * atomic in every JCache implementation), so no class of the connector has to be known to the grid, and a place whose
 * instance died stops counting when its time is up. On Payara the cache is Hazelcast's, found at
 * {@value #JNDI_NAME}, as the shared token cache's is.
 */
final class ClusterLedger {

    static final String JNDI_NAME = DataGrid.JNDI_NAME;
    static final String CACHE_NAME = "m365-mail-mailbox-limits";
    /** How long a waiting sender sleeps at most before it looks again: other instances give places back too. */
    private static final long LOOK_AGAIN_MILLIS = 250;

    private final Cache<String, String> cache;
    private final String key;
    private final int limit;
    private final Clock clock;

    ClusterLedger(Cache<String, String> cache, String key, int limit, Clock clock) {
        this.cache = cache;
        this.key = key;
        this.limit = limit;
        this.clock = clock;
    }

    /** The data grid's ledgers, by name. */
    interface Grid {
        ClusterLedger ledger(String key, int limit);
    }

    /** Ledgers in {@code cache}. */
    static Grid over(Cache<String, String> cache, Clock clock) {
        return (key, limit) -> new ClusterLedger(cache, key, limit, clock);
    }

    /** The server's data grid; throws where the server has no JCache. */
    static Grid serverGrid(Clock clock) throws NamingException {
        return over(DataGrid.strings(CACHE_NAME, ModifiedExpiryPolicy.factoryOf(
                new javax.cache.expiry.Duration(TimeUnit.MINUTES, 10))), clock);
    }

    /**
     * Waits for a place and takes it, counting until {@code holdFor} from now (or until {@link #settle}).
     *
     * @return the place's id
     */
    String take(Duration holdFor) throws InterruptedException {
        String id = UUID.randomUUID().toString().substring(0, 13);
        while (true) {
            long now = clock.millis();
            long[] wait = {0};
            boolean taken = update(places -> {
                if (places.size() < limit) {
                    places.put(id, now + holdFor.toMillis());
                    return true;
                }
                wait[0] = places.values().stream().mapToLong(Long::longValue).min().orElse(now) - now;
                return false;
            });
            if (taken) {
                return id;
            }
            Thread.sleep(Math.max(1, Math.min(wait[0], LOOK_AGAIN_MILLIS)));
        }
    }

    /** The place counts until {@code countsFor} from now; {@link Duration#ZERO} gives it back at once. */
    void settle(String id, Duration countsFor) {
        long now = clock.millis();
        update(places -> {
            if (countsFor.isZero()) {
                places.remove(id);
            } else if (places.containsKey(id)) {
                places.put(id, now + countsFor.toMillis());
            }
            return null;
        });
    }

    /** Applies {@code change} to the ledger, expired places removed first, until the write is not overtaken. */
    private <T> T update(java.util.function.Function<Map<String, Long>, T> change) {
        while (true) {
            String before = cache.get(key);
            Map<String, Long> places = parse(before, clock.millis());
            T result = change.apply(places);
            String after = format(places);
            boolean written = before == null ? cache.putIfAbsent(key, after) : cache.replace(key, before, after);
            if (written) {
                return result;
            }
            // Another sender wrote in between: read again.
            Thread.onSpinWait();
            if (ThreadLocalRandom.current().nextInt(4) == 0) {
                Thread.yield();
            }
        }
    }

    static Map<String, Long> parse(String value, long now) {
        Map<String, Long> places = new LinkedHashMap<>();
        if (value == null || value.isEmpty()) {
            return places;
        }
        for (String entry : value.split(",")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                long until = Long.parseLong(entry.substring(eq + 1));
                if (until > now) {
                    places.put(entry.substring(0, eq), until);
                }
            }
        }
        return places;
    }

    static String format(Map<String, Long> places) {
        StringBuilder out = new StringBuilder();
        places.forEach((id, until) -> out.append(out.length() == 0 ? "" : ",").append(id).append('=').append(until));
        return out.toString();
    }

    /** What the ledger counts now (for tests). */
    int counted() {
        return parse(cache.get(key), clock.millis()).size();
    }
}
