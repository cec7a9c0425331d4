package org.m365mail.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/** What the stand-in accepted for delivery, in order, for tests and the demo to inspect. */
public final class Outbox {

    // Not a CopyOnWriteArrayList: copying the list on every delivery made the stand-in's cost grow with the
    // outbox, which skewed benchmarks that deliver tens of thousands of messages.
    private final java.util.Queue<DeliveredMessage> messages = new ConcurrentLinkedQueue<>();

    void add(DeliveredMessage message) {
        synchronized (this) {
            messages.add(message);
            notifyAll();
        }
    }

    /** A snapshot of everything accepted so far. */
    public List<DeliveredMessage> messages() {
        return List.copyOf(messages);
    }

    public List<DeliveredMessage> withSubject(String subject) {
        return messages.stream().filter(m -> subject.equals(m.subject())).toList();
    }

    /** Waits until a message matching {@code filter} arrives, or {@code timeout} passes. */
    public Optional<DeliveredMessage> await(Predicate<DeliveredMessage> filter, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                Optional<DeliveredMessage> found = messages.stream().filter(filter).findFirst();
                long left = deadline - System.nanoTime();
                if (found.isPresent() || left <= 0) {
                    return found;
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    public void clear() {
        messages.clear();
    }
}
