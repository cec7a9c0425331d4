package org.m365mail.transport;

import org.m365mail.api.MailSendException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * At most {@code limit} messages in any sliding minute; a message beyond that waits for its turn rather than fail.
 * Exchange Online throttles a mailbox that submits more than 30 messages a minute; pacing on our side keeps sends
 * predictable instead of delayed by Exchange.
 */
public final class SendPace {

    /** How waiting is done, so tests need not wait. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final int limit;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Deque<Instant> recent = new ArrayDeque<>();

    /**
     * @param limit messages per minute; 0 or less means no pace
     */
    public SendPace(int limit, Clock clock, Sleeper sleeper) {
        this.limit = limit;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Waits until one more message fits in the pace, then counts it. */
    public void awaitTurn() throws MailSendException {
        if (limit <= 0) {
            return;
        }
        while (true) {
            Duration wait;
            synchronized (this) {
                Instant now = clock.instant();
                while (!recent.isEmpty() && !recent.peekFirst().plus(WINDOW).isAfter(now)) {
                    recent.pollFirst();
                }
                if (recent.size() < limit) {
                    recent.addLast(now);
                    return;
                }
                wait = Duration.between(now, recent.peekFirst().plus(WINDOW));
            }
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MailSendException("Interrupted while waiting for the sending pace (messagesPerMinute)", e);
            }
        }
    }
}
