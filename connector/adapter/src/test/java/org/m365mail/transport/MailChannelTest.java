package org.m365mail.transport;

import jakarta.mail.Message;
import org.junit.jupiter.api.Test;
import org.m365mail.api.SentMessage;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a channel does by default when it has nothing of its own to open or abort. */
class MailChannelTest {

    /** A channel that keeps only what was asked of it. */
    private static final class Recording implements MailChannel {
        final List<String> calls = new ArrayList<>();

        @Override
        public SentMessage send(Message message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isBroken() {
            return false;
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    @Test
    void abortingAChannelWithoutAnAbortOfItsOwnClosesIt() {
        Recording channel = new Recording();
        channel.abort();
        assertEquals(List.of("close"), channel.calls);
    }

    @Test
    void openingAChannelWithoutAConnectionDoesNothing() throws Exception {
        Recording channel = new Recording();
        channel.open();
        assertEquals(List.of(), channel.calls);
    }
}
