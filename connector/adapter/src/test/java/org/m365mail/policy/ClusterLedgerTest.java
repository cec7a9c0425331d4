package org.m365mail.policy;

import org.junit.jupiter.api.Test;
import org.m365mail.testing.ManualClock;

import javax.cache.Cache;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ledger's entry format, and how places are given back, kept longer, and written against other writers. */
class ClusterLedgerTest {

    @Test
    void anEntryListsThePlacesStillCountingInOrder() {
        Map<String, Long> places = ClusterLedger.parse("a=100,b=300,broken,=400,c=50,d=200", 100);
        assertEquals(List.of("b", "d"), List.copyOf(places.keySet()),
                "a place ending now no longer counts; entries without an id are skipped");
        assertEquals(300L, places.get("b"));
        assertEquals(200L, places.get("d"));
        assertTrue(ClusterLedger.parse(null, 0).isEmpty());
        assertTrue(ClusterLedger.parse("", 0).isEmpty());
    }

    @Test
    void placesAreWrittenAsIdEqualsTimeSeparatedByCommas() {
        Map<String, Long> places = new LinkedHashMap<>();
        assertEquals("", ClusterLedger.format(places));
        places.put("x", 1L);
        assertEquals("x=1", ClusterLedger.format(places));
        places.put("y", 22L);
        assertEquals("x=1,y=22", ClusterLedger.format(places));
        assertEquals(places, ClusterLedger.parse(ClusterLedger.format(places), 0));
    }

    @Test
    void settlingKeepsAPlaceLongerOrGivesItBackButNeverAddsOne() throws Exception {
        Map<String, String> entries = new ConcurrentHashMap<>();
        ManualClock clock = new ManualClock();
        ClusterLedger ledger = ClusterLedger.over(ClusterLimitsTest.grid(entries), clock).ledger("k", 5);
        long start = clock.millis();
        String id = ledger.take(Duration.ofSeconds(10));
        assertEquals(13, id.length());
        assertEquals(id + "=" + (start + 10_000), entries.get("k"));

        ledger.settle(id, Duration.ofSeconds(90));
        assertEquals(id + "=" + (start + 90_000), entries.get("k"), "counts 90 s from now");
        ledger.settle("unknown-place", Duration.ofSeconds(90));
        assertEquals(1, ledger.counted(), "a place already expired (or never taken) is not brought back");
        clock.advance(Duration.ofSeconds(89));
        assertEquals(1, ledger.counted());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0, ledger.counted(), "gone at its time");

        String other = ledger.take(Duration.ofSeconds(10));
        ledger.settle(other, Duration.ZERO);
        assertEquals("", entries.get("k"), "given back at once");
    }

    @Test
    void aWriteOvertakenByAnotherInstanceIsMadeAgainOnTheNewEntry() throws Exception {
        Map<String, String> entries = new ConcurrentHashMap<>();
        Cache<String, String> shared = ClusterLimitsTest.grid(entries);
        AtomicInteger writes = new AtomicInteger();
        // Before each of this instance's first two writes, another instance takes a place of its own.
        @SuppressWarnings("unchecked")
        Cache<String, String> racing = (Cache<String, String>) java.lang.reflect.Proxy.newProxyInstance(
                Cache.class.getClassLoader(), new Class<?>[]{Cache.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("get") && writes.getAndIncrement() < 2) {
                        String before = entries.get("k");
                        String theirs = "other" + writes.get() + "=" + Long.MAX_VALUE;
                        entries.put("k", before == null || before.isEmpty() ? theirs : before + "," + theirs);
                    }
                    return method.invoke(shared, args);
                });
        ManualClock clock = new ManualClock();
        ClusterLedger ledger = ClusterLedger.over(racing, clock).ledger("k", 5);
        String mine = ledger.take(Duration.ofMinutes(1));
        Map<String, Long> places = ClusterLedger.parse(entries.get("k"), clock.millis());
        assertEquals(List.of("other1", "other2", mine), List.copyOf(places.keySet()),
                "neither instance's place was lost");
        assertEquals(3, ledger.counted());
    }
}
