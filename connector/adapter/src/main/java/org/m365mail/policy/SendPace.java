package org.m365mail.policy;

import org.m365mail.api.MailSendException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * At most {@code limit} messages in any sliding minute, as the server sees them arrive; a message beyond that waits
 * for its turn rather than fail. Exchange Online throttles a mailbox that submits more than 30 messages a minute;
 * pacing on our side keeps sends predictable instead of delayed by Exchange.
 *
 * <p>A message arrives at the server some time after its turn begins (it may queue for a sending slot, its data
 * takes time to transmit), and before its turn ends. So a turn counts against the minute from the moment it is
 * granted until a minute after it {@linkplain Turn#end() ends}. Counted from the start instead, a message that
 * queued would arrive late and share a server's minute with the next minute's messages: the benchmark saw 38 arrive
 * in one minute at a pace of 30. Counted this way, any {@code limit + 1} arrivals within a minute would include one
 * whose turn began while the other {@code limit} still counted, which the pace does not allow.
 */
public final class SendPace {

    /** How waiting is done, so tests need not wait. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** One message's turn; {@link #end()} it once the server has answered, or the send has failed. */
    public interface Turn {
        void end();
    }

    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Turn UNPACED = () -> { };

    private final int limit;
    private final Clock clock;
    private final Sleeper sleeper;
    /** When recent turns ended, oldest first. */
    private final Deque<Instant> ended = new ArrayDeque<>();
    private int running;

    /**
     * @param limit messages per minute; 0 or less means no pace
     */
    public SendPace(int limit, Clock clock, Sleeper sleeper) {
        this.limit = limit;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Waits until one more message fits in the pace, and begins its turn. */
    public Turn awaitTurn() throws MailSendException {
        if (limit <= 0) {
            return UNPACED;
        }
        try {
            while (true) {
                Duration wait;
                synchronized (this) {
                    Instant now = clock.instant();
                    while (!ended.isEmpty() && !ended.peekFirst().plus(WINDOW).isAfter(now)) {
                        ended.pollFirst();
                    }
                    if (running + ended.size() < limit) {
                        running++;
                        return new Running();
                    }
                    if (ended.isEmpty()) {
                        // Every counted turn is still running: nothing frees up before one of them ends.
                        wait();
                        continue;
                    }
                    wait = Duration.between(now, ended.peekFirst().plus(WINDOW));
                }
                sleeper.sleep(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while waiting for the sending pace (messagesPerMinute)", e);
        }
    }

    private synchronized void ended() {
        running--;
        ended.addLast(clock.instant());
        notifyAll();
    }

    private final class Running implements Turn {
        private boolean done;

        @Override
        public void end() {
            if (!done) {
                done = true;
                ended();
            }
        }
    }
}
