package org.m365mail.auth;

import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.testing.ManualClock;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A delegated consent is refreshed after 14 idle days, on a timer, so that it never lapses after Entra's 90. */
class ConsentIdleTest {

    private final ManualClock clock = new ManualClock();
    private final InMemoryRefreshTokenStore store = new InMemoryRefreshTokenStore(clock);
    private final AtomicInteger renewals = new AtomicInteger();

    private ConsentKeepAlive keepAlive(ConsentKeepAlive.Renewal renewal) {
        return new ConsentKeepAlive(store, "tenant|app|user", "user@contoso.test", renewal, clock);
    }

    @Test
    void aConsentIsRefreshedOnceItHasBeenIdleFourteenDays() throws Exception {
        ConsentKeepAlive alive = keepAlive(() -> {
            renewals.incrementAndGet();
            store.save("tenant|app|user", "rotated");
        });
        assertFalse(alive.check(), "no consent stored: nothing to keep alive");
        store.save("tenant|app|user", "rt");
        clock.advance(Duration.ofDays(14).minusMillis(1));
        assertFalse(alive.check());
        assertEquals(0, renewals.get());
        clock.advance(Duration.ofMillis(1));
        assertTrue(alive.check());
        assertEquals(1, renewals.get());
        assertFalse(alive.check(), "the renewal stored a new token: idle again from now");
    }

    @Test
    void aFailedRefreshIsReportedToTheCaller() {
        MailSendException lapsed = new MailSendException("reconnect", "AADSTS700082", null);
        ConsentKeepAlive alive = keepAlive(() -> {
            throw lapsed;
        });
        store.save("tenant|app|user", "rt");
        clock.advance(Duration.ofDays(30));
        assertSame(lapsed, assertThrows(MailSendException.class, alive::check));
    }

    @Test
    void theTimerChecksAfterAMinuteThenEveryTwelveHoursOnTheBackgroundThreads() {
        List<Object> scheduled = new ArrayList<>();
        AtomicBoolean cancelled = new AtomicBoolean();
        ScheduledFuture<?> future = (ScheduledFuture<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{ScheduledFuture.class}, (proxy, method, args) -> {
                    if (method.getName().equals("cancel")) {
                        cancelled.set(true);
                        return true;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        ScheduledExecutorService scheduler = (ScheduledExecutorService) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[]{ScheduledExecutorService.class}, (proxy, method, args) -> {
                    if (method.getName().equals("scheduleWithFixedDelay")) {
                        scheduled.addAll(List.of(args));
                        return future;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        List<Runnable> background = new ArrayList<>();
        store.save("tenant|app|user", "rt");
        ConsentKeepAlive alive = keepAlive(() -> {
            renewals.incrementAndGet();
            throw new IllegalStateException("Entra is down");
        });
        assertSame(alive, alive.start(scheduler, background::add));
        assertEquals(List.of(1L, 720L, TimeUnit.MINUTES), scheduled.subList(1, 4));

        Runnable tick = (Runnable) scheduled.get(0);
        tick.run();
        assertEquals(1, background.size(), "the timer's thread only hands the check over");
        assertEquals(0, renewals.get());
        clock.advance(Duration.ofDays(15));
        background.remove(0).run(); // a failure is logged, not thrown at the background thread
        assertEquals(1, renewals.get());

        alive.close();
        assertTrue(cancelled.get());
        keepAlive(() -> { }).close(); // never started: nothing to cancel
    }
}
