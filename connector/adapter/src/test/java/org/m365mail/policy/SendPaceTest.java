package org.m365mail.policy;

import org.junit.jupiter.api.Test;
import org.m365mail.testing.ManualClock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SendPaceTest {

    @Test
    void messagesBeyondThePaceWaitForTheWindowToMove() throws Exception {
        ManualClock clock = new ManualClock();
        List<Duration> waits = new ArrayList<>();
        SendPace pace = new SendPace(3, clock, d -> {
            waits.add(d);
            clock.advance(d);
        });
        for (int i = 0; i < 3; i++) {
            pace.awaitTurn().end();
            clock.advance(Duration.ofSeconds(10));
        }
        assertTrue(waits.isEmpty(), "three fit in a minute");
        pace.awaitTurn().end();
        assertEquals(List.of(Duration.ofSeconds(30)), waits, "the fourth waits until the first is a minute old");
        pace.awaitTurn().end();
        assertEquals(Duration.ofSeconds(10), waits.get(1));
    }

    @Test
    void aMessageCountsUntilAMinuteAfterItsTurnEndsBecauseItMayArriveThatLate() throws Exception {
        ManualClock clock = new ManualClock();
        List<Duration> waits = new ArrayList<>();
        SendPace pace = new SendPace(1, clock, d -> {
            waits.add(d);
            clock.advance(d);
        });
        SendPace.Turn slow = pace.awaitTurn();
        clock.advance(Duration.ofSeconds(50)); // queued for a slot, then a large message: it arrives now
        slow.end();
        clock.advance(Duration.ofSeconds(10));
        pace.awaitTurn().end();
        assertEquals(List.of(Duration.ofSeconds(50)), waits,
                "a minute after the first turn began is too early: the server saw it arrive only 10 s ago");
    }

    @Test
    void whenEveryCountedTurnIsStillRunningTheNextWaitsForOneToEnd() throws Exception {
        ManualClock clock = new ManualClock();
        SendPace pace = new SendPace(1, clock, clock::advance);
        SendPace.Turn running = pace.awaitTurn();
        CompletableFuture<SendPace.Turn> next = CompletableFuture.supplyAsync(() -> {
            try {
                return pace.awaitTurn();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThrows(TimeoutException.class, () -> next.get(300, TimeUnit.MILLISECONDS),
                "no turn while the only one is still running");
        java.time.Instant ended = clock.instant();
        running.end();
        next.get(10, TimeUnit.SECONDS).end();
        assertEquals(ended.plus(Duration.ofMinutes(1)), clock.instant(), "the next turn began a minute after");
    }

    @Test
    void endingATurnTwiceCountsItOnce() throws Exception {
        ManualClock clock = new ManualClock();
        List<Duration> waits = new ArrayList<>();
        SendPace pace = new SendPace(2, clock, d -> {
            waits.add(d);
            clock.advance(d);
        });
        SendPace.Turn turn = pace.awaitTurn();
        turn.end();
        turn.end();
        pace.awaitTurn().end();
        assertTrue(waits.isEmpty(), "two turns fit; the repeated end() was not counted as a third");
    }

    @Test
    void zeroMeansNoPace() throws Exception {
        ManualClock clock = new ManualClock();
        SendPace pace = new SendPace(0, clock, d -> {
            throw new AssertionError("no wait expected");
        });
        for (int i = 0; i < 1000; i++) {
            pace.awaitTurn();
        }
    }

    @Test
    void aNegativeLimitMeansNoPaceToo() throws Exception {
        SendPace pace = new SendPace(-1, new ManualClock(), d -> {
            throw new AssertionError("no wait expected");
        });
        for (int i = 0; i < 100; i++) {
            pace.awaitTurn();
        }
    }

    @Test
    void aTurnThatEndedExactlyAMinuteAgoNoLongerCounts() throws Exception {
        ManualClock clock = new ManualClock();
        List<Duration> waits = new ArrayList<>();
        SendPace pace = new SendPace(1, clock, d -> {
            waits.add(d);
            clock.advance(d);
        });
        pace.awaitTurn().end();
        clock.advance(Duration.ofMinutes(1).minusMillis(1));
        pace.awaitTurn().end();
        assertEquals(List.of(Duration.ofMillis(1)), waits, "a millisecond early: it waits that millisecond");
        clock.advance(Duration.ofMinutes(1));
        pace.awaitTurn().end();
        assertEquals(1, waits.size(), "a minute after the last turn ended, the next goes at once");
    }

    @Test
    void aWaitInterruptedFailsTheSendAndKeepsTheInterrupt() throws Exception {
        ManualClock clock = new ManualClock();
        SendPace pace = new SendPace(1, clock, d -> {
            throw new InterruptedException("stopping");
        });
        pace.awaitTurn().end();
        try {
            org.m365mail.api.MailSendException e = assertThrows(org.m365mail.api.MailSendException.class,
                    pace::awaitTurn);
            assertTrue(e.getMessage().contains("messagesPerMinute"), e.getMessage());
            assertTrue(e.getCause() instanceof InterruptedException);
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
    }
}
