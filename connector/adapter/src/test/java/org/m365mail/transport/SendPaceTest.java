package org.m365mail.transport;

import org.junit.jupiter.api.Test;
import org.m365mail.testing.ManualClock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            pace.awaitTurn();
            clock.advance(Duration.ofSeconds(10));
        }
        assertTrue(waits.isEmpty(), "three fit in a minute");
        pace.awaitTurn();
        assertEquals(List.of(Duration.ofSeconds(30)), waits, "the fourth waits until the first is a minute old");
        pace.awaitTurn();
        assertEquals(Duration.ofSeconds(10), waits.get(1));
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
}
