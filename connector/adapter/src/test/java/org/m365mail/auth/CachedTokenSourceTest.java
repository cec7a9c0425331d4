package org.m365mail.auth;

import org.junit.jupiter.api.Test;
import org.m365mail.testing.ManualClock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class CachedTokenSourceTest {

    private final ManualClock clock = new ManualClock();
    private final AtomicInteger requests = new AtomicInteger();

    private AccessToken issue(Duration lifetime) {
        int n = requests.incrementAndGet();
        return new AccessToken("token-" + n, clock.instant(), clock.instant().plus(lifetime));
    }

    @Test
    void oneTokenServesManyCallsUntilItNearsExpiry() throws Exception {
        CachedTokenSource source = new CachedTokenSource(() -> issue(Duration.ofMinutes(60)), clock, "test");
        AccessToken first = source.token();
        for (int i = 0; i < 100; i++) {
            assertSame(first, source.token());
        }
        clock.advance(Duration.ofMinutes(54));
        assertSame(first, source.token(), "6 minutes left is still fresh");
        clock.advance(Duration.ofMinutes(2));
        AccessToken second = source.token();
        assertNotEquals(first, second, "4 minutes left is inside the 5-minute margin");
        assertEquals(2, requests.get());
    }

    @Test
    void concurrentCallersShareOneRequest() throws Exception {
        CountDownLatch inRequest = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CachedTokenSource source = new CachedTokenSource(() -> {
            inRequest.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return issue(Duration.ofMinutes(60));
        }, clock, "test");
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<AccessToken>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                results.add(pool.submit(source::token));
            }
            inRequest.await();
            release.countDown();
            AccessToken first = results.get(0).get();
            for (Future<AccessToken> f : results) {
                assertSame(first, f.get());
            }
            assertEquals(1, requests.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anInvalidatedTokenIsReplacedButANewerOneIsKept() throws Exception {
        CachedTokenSource source = new CachedTokenSource(() -> issue(Duration.ofMinutes(60)), clock, "test");
        AccessToken first = source.token();
        source.invalidate(first);
        AccessToken second = source.token();
        assertNotEquals(first, second);
        source.invalidate(first);
        assertSame(second, source.token(), "a stale invalidation must not drop the newer token");
        assertEquals(2, requests.get());
    }

    @Test
    void tokensNeverShowInToString() {
        AccessToken token = new AccessToken("eyJ.secret.token", Instant.EPOCH, Instant.EPOCH.plusSeconds(60));
        assertFalse(token.toString().contains("eyJ"), token.toString());
    }
}
