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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CachedTokenSourceTest {

    private final ManualClock clock = new ManualClock();
    private final AtomicInteger requests = new AtomicInteger();

    private AccessToken issue(Duration lifetime) {
        int n = requests.incrementAndGet();
        return new AccessToken("token-" + n, clock.instant(), clock.instant().plus(lifetime));
    }

    /** Runs background refreshes when the test says so. */
    private final List<Runnable> background = new ArrayList<>();

    private CachedTokenSource source(TokenRequest request) {
        return new CachedTokenSource(request, clock, "test", background::add);
    }

    private void runBackground() {
        List<Runnable> due = new ArrayList<>(background);
        background.clear();
        due.forEach(Runnable::run);
    }

    /** What a cluster's JCache does for two instances: one map both see. */
    private static final class ClusterCache implements SharedTokenCache {
        final java.util.Map<String, AccessToken> entries = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public java.util.Optional<AccessToken> get(String key) {
            return java.util.Optional.ofNullable(entries.get(key));
        }

        @Override
        public void put(String key, AccessToken token) {
            entries.put(key, token);
        }
    }

    @Test
    void instancesSharingACacheUseOneTokenAndOneRefresh() throws Exception {
        ClusterCache cluster = new ClusterCache();
        TokenRequest entra = () -> issue(Duration.ofMinutes(60));
        CachedTokenSource a = new CachedTokenSource(entra, clock, "a", background::add, cluster, "graph");
        CachedTokenSource b = new CachedTokenSource(entra, clock, "b", background::add, cluster, "graph");
        AccessToken first = a.token();
        assertEquals(first, b.token(), "b uses the token a fetched");
        assertEquals(1, requests.get());

        clock.advance(Duration.ofMinutes(46));
        assertEquals(first, a.token());
        runBackground();
        assertEquals(2, requests.get(), "a refreshed ahead of expiry");
        AccessToken second = a.token();
        assertNotEquals(first, second);
        assertEquals(first, b.token(), "b still serves its token at once while its refresh is due");
        runBackground();
        assertEquals(2, requests.get(), "b's background refresh took a's new token instead of fetching");
        assertEquals(second, b.token());

        CachedTokenSource alone = new CachedTokenSource(entra, clock, "c", background::add, new ClusterCache(),
                "graph");
        alone.token();
        assertEquals(3, requests.get(), "an instance outside the cluster fetches its own");
    }

    @Test
    void oneTokenServesManyCallsAndTheNextOneIsFetchedAheadInTheBackground() throws Exception {
        CachedTokenSource source = source(() -> issue(Duration.ofMinutes(60)));
        AccessToken first = source.token();
        for (int i = 0; i < 100; i++) {
            assertSame(first, source.token());
        }
        clock.advance(Duration.ofMinutes(44));
        assertSame(first, source.token());
        assertTrue(background.isEmpty(), "16 minutes left: no refresh yet");
        clock.advance(Duration.ofMinutes(2));
        for (int i = 0; i < 10; i++) {
            assertSame(first, source.token(), "14 minutes left: the current token is still served at once");
        }
        assertEquals(1, background.size(), "one background refresh, however many callers");
        runBackground();
        AccessToken second = source.token();
        assertNotEquals(first, second);
        assertEquals(2, requests.get());
    }

    @Test
    void aFailedRefreshKeepsTheValidTokenAndIsRetriedLater() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean entraDown = new java.util.concurrent.atomic.AtomicBoolean();
        CachedTokenSource source = source(() -> {
            if (entraDown.get()) {
                requests.incrementAndGet();
                throw new org.m365mail.api.MailSendException("Entra is unreachable");
            }
            return issue(Duration.ofMinutes(60));
        });
        AccessToken first = source.token();
        entraDown.set(true);
        clock.advance(Duration.ofMinutes(50));
        assertSame(first, source.token());
        runBackground();
        assertSame(first, source.token(), "still valid, still used");
        assertTrue(background.isEmpty(), "no new attempt before the pause is over");
        clock.advance(Duration.ofSeconds(6));
        source.token();
        assertEquals(1, background.size(), "tried again after the pause");
        entraDown.set(false);
        runBackground();
        assertNotEquals(first, source.token());

        entraDown.set(true);
        clock.advance(Duration.ofMinutes(61));
        assertThrows(org.m365mail.api.MailSendException.class, source::token,
                "an expired token with no way to renew it fails the send");
    }

    @Test
    void sixtyFourThreadsAtTheMomentATokenExpiresMakeOneRequest() throws Exception {
        // The renewal waits until all 64 callers are running, so they arrive while it is under way.
        CountDownLatch running = new CountDownLatch(64);
        java.util.concurrent.atomic.AtomicBoolean expired = new java.util.concurrent.atomic.AtomicBoolean();
        CachedTokenSource source = source(() -> {
            if (expired.get()) {
                try {
                    assertTrue(running.await(10, java.util.concurrent.TimeUnit.SECONDS), "all callers started");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return issue(Duration.ofMinutes(60));
        });
        source.token();
        clock.advance(Duration.ofMinutes(61));
        expired.set(true);
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try {
            List<Future<AccessToken>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                results.add(pool.submit(() -> {
                    running.countDown();
                    return source.token();
                }));
            }
            AccessToken renewed = results.get(0).get();
            for (Future<AccessToken> f : results) {
                assertSame(renewed, f.get());
            }
            assertEquals(2, requests.get(), "the first token and one renewal");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentCallersShareOneRequest() throws Exception {
        CountDownLatch inRequest = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CachedTokenSource source = source(() -> {
            inRequest.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return issue(Duration.ofMinutes(60));
        });
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
        CachedTokenSource source = source(() -> issue(Duration.ofMinutes(60)));
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

    /** What the pool's monitor hears. */
    private static final class Heard implements org.m365mail.monitor.SendEvents {
        final List<String> events = new ArrayList<>();

        @Override
        public void tokenRequested(boolean refresh) {
            events.add(refresh ? "refresh" : "request");
        }

        @Override
        public void tokenFailed(org.m365mail.api.MailSendException failure, java.time.Instant servingUntil) {
            events.add("failed " + failure.getErrorCode() + (servingUntil == null ? "" : " serving"));
        }
    }

    @Test
    void theMonitorHearsEachRequestRefreshAndFailure() throws Exception {
        Heard heard = new Heard();
        java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean();
        TokenRequest entra = () -> {
            if (refuse.get()) {
                throw new org.m365mail.api.MailSendException("refused", "AADSTS7000222", null);
            }
            return issue(Duration.ofMinutes(60));
        };
        CachedTokenSource tokens = new CachedTokenSource(entra, clock, "test", background::add, null, null, heard);
        tokens.token();
        tokens.token();
        clock.advance(Duration.ofMinutes(50));
        tokens.token();
        runBackground();
        clock.advance(Duration.ofMinutes(50));
        refuse.set(true);
        tokens.token();
        runBackground();
        clock.advance(Duration.ofMinutes(60));
        assertThrows(org.m365mail.api.MailSendException.class, tokens::token);
        assertEquals(List.of("request", "refresh", "refresh", "failed AADSTS7000222 serving", "request",
                "failed AADSTS7000222"), heard.events);
    }

    @Test
    void aReplacedCredentialGetsItsTokenInTheBackgroundWhileTheCurrentOneServes() throws Exception {
        java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();
        TokenRequest entra = new TokenRequest() {
            @Override
            public AccessToken request() {
                return issue(Duration.ofMinutes(60));
            }

            @Override
            public long credentialVersion() {
                return version.get();
            }
        };
        CachedTokenSource tokens = source(entra);
        AccessToken first = tokens.token();
        version.incrementAndGet();
        assertEquals(first, tokens.token(), "the current token still serves");
        runBackground();
        AccessToken second = tokens.token();
        assertEquals("token-2", second.value(), "fetched with the new credential");
        assertEquals(2, requests.get());
        tokens.token();
        runBackground();
        assertEquals(2, requests.get(), "once per change");
    }
}
