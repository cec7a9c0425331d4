package org.m365mail.admin;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the console shows a pool's readiness: UP/DOWN, and "unused" only while nothing at all has happened. */
class PoolStatusTest {

    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void aPoolThatCanSendIsUpAndOneThatCannotIsDown() {
        assertEquals("UP", new PoolStatus(true, null, AT, AT, null, List.of()).state());
        assertEquals("DOWN", new PoolStatus(false, "authentication: refused", AT, null, "refused", List.of()).state());
    }

    @Test
    void aPoolToWhichNothingHappenedYetIsUnused() {
        assertTrue(new PoolStatus(true, null, null, null, null, List.of()).unused());
    }

    @Test
    void anyStateChangeSuccessOrFailureMakesThePoolUsed() {
        assertFalse(new PoolStatus(false, "authentication: refused", null, null, null, List.of()).unused(),
                "a pool that is down has been used");
        assertFalse(new PoolStatus(true, null, AT, null, null, List.of()).unused(), "its state began at some point");
        assertFalse(new PoolStatus(true, null, null, AT, null, List.of()).unused(), "it sent or obtained a token");
        assertFalse(new PoolStatus(true, null, null, null, "unreachable", List.of()).unused(), "something failed");
    }
}
