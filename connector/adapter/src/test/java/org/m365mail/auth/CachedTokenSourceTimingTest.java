package org.m365mail.auth;

import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.ManualClock;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the token cache asks Entra: how early it refreshes and how late a token is still served, for short and long
 * lifetimes; which failures it tries again at once; how it backs off after failed background refreshes.
 */
class CachedTokenSourceTimingTest {

    private final ManualClock clock = new ManualClock();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Runnable> background = new ArrayList<>();

    private AccessToken issue(Duration lifetime) {
        return new AccessToken("token-" + requests.incrementAndGet(), clock.instant(), clock.instant().plus(lifetime));
    }

    private CachedTokenSource source(TokenRequest request) {
        return new CachedTokenSource(request, clock, "test", background::add);
    }

    private void runBackground() {
        List<Runnable> due = new ArrayList<>(background);
        background.clear();
        due.forEach(Runnable::run);
    }

    /** Fails with each of {@code failures} in turn, then issues hour-long tokens. */
    private TokenRequest failing(MailSendException... failures) {
        AtomicInteger attempt = new AtomicInteger();
        return () -> {
            int n = attempt.getAndIncrement();
            if (n < failures.length) {
                requests.incrementAndGet();
                throw failures[n];
            }
            return issue(Duration.ofMinutes(60));
        };
    }

    private static MailSendException unavailable() {
        return new MailSendException("Entra answered 503", "EntraUnavailable", null);
    }

    @Test
    void aTwentyMinuteTokenIsRefreshedWithFiveMinutesLeftAndServedUntilTwo() throws Exception {
        // A quarter and a tenth of its life, below the caps of 15 and 5 minutes.
        CachedTokenSource source = source(() -> issue(Duration.ofMinutes(20)));
        AccessToken first = source.token();
        clock.advance(Duration.ofMinutes(15).minusMillis(1));
        assertSame(first, source.token());
        assertTrue(background.isEmpty(), "5 minutes and a millisecond left: not yet");
        clock.advance(Duration.ofMillis(1));
        assertSame(first, source.token());
        assertEquals(1, background.size(), "5 minutes left: refreshed in the background");
        background.clear(); // that refresh never runs

        clock.advance(Duration.ofMinutes(3).minusMillis(1));
        assertSame(first, source.token(), "2 minutes and a millisecond left: still served");
        clock.advance(Duration.ofMillis(1));
        AccessToken second = source.token();
        assertNotSame(first, second, "2 minutes left: too late to send with, fetched at once");
        assertEquals(2, requests.get());
    }

    @Test
    void aTenHourTokenIsRefreshedFifteenMinutesAheadAndServedUntilFiveMinutesAreLeft() throws Exception {
        CachedTokenSource source = source(() -> issue(Duration.ofHours(10)));
        AccessToken first = source.token();
        clock.advance(Duration.ofHours(10).minusMinutes(15).minusMillis(1));
        source.token();
        assertTrue(background.isEmpty());
        clock.advance(Duration.ofMillis(1));
        source.token();
        assertEquals(1, background.size(), "15 minutes ahead, not 2.5 hours");
        background.clear();

        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        assertSame(first, source.token(), "5 minutes and a millisecond left");
        clock.advance(Duration.ofMillis(1));
        assertNotSame(first, source.token(), "5 minutes left, not an hour: fetched at once");
    }

    @Test
    void entraUnavailableIsTriedThreeTimesInAll() throws Exception {
        CachedTokenSource twice = source(failing(unavailable(), unavailable()));
        assertEquals("token-3", twice.token().value(), "two failures ridden out");
        assertEquals(3, requests.get());

        requests.set(0);
        CachedTokenSource always = source(failing(unavailable(), unavailable(), unavailable(), unavailable()));
        MailSendException e = assertThrows(MailSendException.class, always::token);
        assertEquals("EntraUnavailable", e.getErrorCode());
        assertEquals(3, requests.get(), "three attempts, no more");
    }

    @Test
    void anUnreachableEntraIsTriedAgainUnlessTlsFailed() throws Exception {
        CachedTokenSource blip = source(failing(new MailSendException("no answer", "EntraUnreachable",
                new IOException("connection reset"))));
        assertEquals("token-2", blip.token().value());

        requests.set(0);
        MailSendException tls = new MailSendException("untrusted", "EntraUnreachable",
                new RuntimeException(new SSLHandshakeException("PKIX path building failed")));
        CachedTokenSource untrusted = source(failing(tls, tls, tls));
        assertSame(tls, assertThrows(MailSendException.class, untrusted::token));
        assertEquals(1, requests.get(), "a TLS failure is not mended by trying again");
    }

    @Test
    void aRefusalIsNotTriedAgain() throws Exception {
        MailSendException refused = new MailSendException("bad secret", "AADSTS7000215", null);
        CachedTokenSource source = source(failing(refused, refused));
        assertSame(refused, assertThrows(MailSendException.class, source::token));
        assertEquals(1, requests.get());
        MailSendException uncoded = new MailSendException("no code");
        CachedTokenSource noCode = source(failing(uncoded, uncoded));
        assertSame(uncoded, assertThrows(MailSendException.class, noCode::token));
        assertEquals(2, requests.get());
    }

    @Test
    void anInterruptDuringThePauseBetweenAttemptsEndsTheRetries() {
        MailSendException first = unavailable();
        CachedTokenSource source = source(failing(first, unavailable()));
        Thread.currentThread().interrupt();
        try {
            assertSame(first, assertThrows(MailSendException.class, source::token));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
            assertEquals(1, requests.get());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void failedBackgroundRefreshesWaitFiveTenThenTwentySecondsAndWarnOnce() throws Exception {
        AtomicReference<RuntimeException> down = new AtomicReference<>();
        CachedTokenSource source = source(() -> {
            if (down.get() != null) {
                requests.incrementAndGet();
                throw down.get();
            }
            return issue(Duration.ofMinutes(60));
        });
        AccessToken token = source.token();
        down.set(new IllegalStateException("msal4j broke"));
        clock.advance(Duration.ofMinutes(46));
        try (CapturedLog log = new CapturedLog(CachedTokenSource.class)) {
            for (long pause : new long[]{5, 10, 20}) {
                assertSame(token, source.token());
                assertEquals(1, background.size());
                runBackground();
                clock.advance(Duration.ofSeconds(pause).minusMillis(1));
                assertSame(token, source.token(), "the valid token stays in use");
                assertTrue(background.isEmpty(), "no new attempt within " + pause + " s");
                clock.advance(Duration.ofMillis(1));
            }
            assertEquals(1, log.warnings().size(), "the first failure is a WARNING, the next are not");
            assertTrue(log.warnings().get(0).getMessage().contains("tried again in 5 s"),
                    log.warnings().get(0).getMessage());
        }
        down.set(null);
        source.token();
        runBackground();
        assertEquals("token-5", source.token().value(), "three failed attempts, then a new token");
        clock.advance(Duration.ofMinutes(46));
        source.token();
        assertEquals(1, background.size(), "a success resets the pause");
    }

    @Test
    void renewFetchesAtOnceAndHeldShowsTheTokenInHand() throws Exception {
        CachedTokenSource source = source(() -> issue(Duration.ofMinutes(60)));
        assertEquals(Optional.empty(), source.held());
        AccessToken first = source.token();
        assertEquals(Optional.of(first), source.held());
        AccessToken renewed = source.renew();
        assertNotSame(first, renewed);
        assertSame(renewed, source.token());
        source.invalidate(new AccessToken("someone-elses", first.acquiredAt(), first.expiresAt()));
        assertSame(renewed, source.token(), "only the token held is forgotten");
        source.invalidate(renewed);
        assertEquals(Optional.empty(), source.held());
    }

    /** One map both instances see. */
    private static final class Cluster implements SharedTokenCache {
        final Map<String, AccessToken> entries = new ConcurrentHashMap<>();

        @Override
        public Optional<AccessToken> get(String key) {
            return Optional.ofNullable(entries.get(key));
        }

        @Override
        public void put(String key, AccessToken token) {
            entries.put(key, token);
        }
    }

    @Test
    void aClusterTokenIsUsedOnlyWhenItOutlivesOursAndCanStillBeSent() throws Exception {
        Cluster cluster = new Cluster();
        CachedTokenSource source = new CachedTokenSource(() -> issue(Duration.ofMinutes(60)), clock, "c",
                background::add, cluster, "graph");
        AccessToken mine = source.token();
        clock.advance(Duration.ofMinutes(56)); // mine can no longer be sent
        cluster.put("graph", new AccessToken("theirs-older", mine.acquiredAt(), mine.expiresAt().minusSeconds(1)));
        assertEquals("token-2", source.token().value(), "a cluster token expiring before ours is not used");

        clock.advance(Duration.ofMinutes(56));
        AccessToken held = source.held().orElseThrow();
        cluster.put("graph", new AccessToken("theirs-nearly-expired", held.acquiredAt(),
                held.expiresAt().plusSeconds(1)));
        assertEquals("token-3", source.token().value(), "nor one that outlives ours but has too little life left");

        clock.advance(Duration.ofMinutes(56));
        cluster.put("graph", new AccessToken("theirs-fresh", clock.instant(), clock.instant().plusSeconds(3600)));
        assertEquals("theirs-fresh", source.token().value());
        assertEquals(3, requests.get());
    }

    @Test
    void aReplacedCredentialIgnoresTheClusterTokenFetchedWithTheOldOne() throws Exception {
        Cluster cluster = new Cluster();
        AtomicLong version = new AtomicLong();
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
        CachedTokenSource source = new CachedTokenSource(entra, clock, "c", background::add, cluster, "graph");
        AccessToken first = source.token();
        cluster.put("graph", new AccessToken("theirs", clock.instant(), clock.instant().plusSeconds(7200)));
        version.incrementAndGet();
        assertSame(first, source.token());
        runBackground();
        assertEquals("token-2", source.token().value(), "fetched with the new credential, not taken from the cluster");
    }

    @Test
    void everyTokenHandedOutIsToldToTheMonitorOnce() throws Exception {
        AtomicInteger obtained = new AtomicInteger();
        java.util.concurrent.CountDownLatch inRequest = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        TokenRequest slow = () -> {
            inRequest.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return issue(Duration.ofMinutes(60));
        };
        CachedTokenSource source = new CachedTokenSource(slow, clock, "test", background::add, null, null,
                new org.m365mail.monitor.SendEvents() {
                    @Override
                    public void tokenObtained() {
                        obtained.incrementAndGet();
                    }
                });
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Future<AccessToken> fetching = callers.submit(source::token);
            inRequest.await();
            AtomicReference<Thread> waiter = new AtomicReference<>();
            java.util.concurrent.Future<AccessToken> waiting = callers.submit(() -> {
                waiter.set(Thread.currentThread());
                return source.token();
            });
            // The second caller waits for the request under way, then takes its token.
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                while (waiter.get() == null || waiter.get().getState() != Thread.State.WAITING) {
                    Thread.onSpinWait();
                }
            });
            release.countDown();
            assertSame(fetching.get(10, java.util.concurrent.TimeUnit.SECONDS),
                    waiting.get(10, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            callers.shutdownNow();
        }
        assertEquals(2, obtained.get(), "the fetching and the waiting caller");
        source.token();
        assertEquals(3, obtained.get(), "and one served from the cache");
        assertEquals(1, requests.get());
    }

    @Test
    void aTokenInvalidatedOnOneThreadIsFetchedAgainOnAnother() throws Exception {
        CachedTokenSource source = source(() -> issue(Duration.ofMinutes(60)));
        AccessToken first = source.token();
        source.invalidate(first);
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            AccessToken next = other.submit(source::token).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertNotSame(first, next, "the invalidating thread left nothing locked");
            AccessToken renewed = other.submit(source::renew).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertNotSame(next, renewed);
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> source.invalidate(renewed), "the renewing thread left nothing locked either");
            assertEquals(Optional.empty(), source.held());
        } finally {
            other.shutdownNow();
        }
    }
}
