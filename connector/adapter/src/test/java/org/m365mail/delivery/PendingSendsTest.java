package org.m365mail.delivery;

import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bound on messages held for later: room is taken and given back, and a caller beyond it is refused clearly. */
class PendingSendsTest {

    @Test
    void roomIsTakenUpToTheLimitThenTheCallerIsRefusedNamingTheSettings() throws Exception {
        PendingSends pending = new PendingSends(2, 20);
        assertEquals(0, pending.waiting());
        pending.acquire();
        pending.acquire();
        assertEquals(2, pending.waiting());
        MailSendException e = assertThrows(MailSendException.class, pending::acquire);
        assertTrue(e.getMessage().startsWith("2 messages of this connection factory are already waiting to be sent "
                + "and none was sent within 20 ms (pendingSendsLimit, pendingSendsWaitMillis)"), e.getMessage());
        assertTrue(e.getMessage().endsWith("The message was not taken., error code: PendingSendsFull"),
                e.getMessage());
        assertEquals("PendingSendsFull", e.getErrorCode());
        pending.release();
        assertEquals(1, pending.waiting());
        pending.acquire();
        assertEquals(2, pending.waiting());
    }

    @Test
    void anInterruptedCallerIsRefusedAndKeepsItsInterrupt() {
        PendingSends pending = new PendingSends(1, 60_000);
        Thread.currentThread().interrupt();
        try {
            assertThrows(MailSendException.class, pending::acquire);
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        assertEquals(0, pending.waiting());
    }
}
