package org.m365mail.sandbox;

import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open SMTP sessions: which mailbox each authenticated as, how many are submitting a message for each mailbox at
 * once (Exchange allows three), and a way to drop them all as an idle timeout or a restart would.
 */
final class SmtpSessions implements SessionHandler {

    private final Map<Session, String> open = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> submitting = new ConcurrentHashMap<>();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger mostSubmittingAtOnce = new AtomicInteger();
    private final Map<String, AtomicInteger> commands = new ConcurrentHashMap<>();

    @Override
    public SessionAcceptance accept(Session session) {
        open.put(session, "");
        opened.incrementAndGet();
        return SessionAcceptance.success();
    }

    @Override
    public void onSessionEnd(Session session) {
        open.remove(session);
    }

    void authenticated(Session session, String mailbox) {
        open.put(session, mailbox.toLowerCase(Locale.ROOT));
    }

    /** Counts a command line a client sent after STARTTLS, by its verb. */
    void command(String verb) {
        commands.computeIfAbsent(verb, v -> new AtomicInteger()).incrementAndGet();
    }

    /** How many commands with this verb clients have sent after STARTTLS. */
    int commands(String verb) {
        AtomicInteger count = commands.get(verb.toUpperCase(Locale.ROOT));
        return count == null ? 0 : count.get();
    }

    /** Counts a message transaction in; returns how many are now under way for the mailbox. */
    int startSubmission(String mailbox) {
        int now = submitting.computeIfAbsent(mailbox.toLowerCase(Locale.ROOT), m -> new AtomicInteger())
                .incrementAndGet();
        mostSubmittingAtOnce.accumulateAndGet(now, Math::max);
        return now;
    }

    /** The most message transactions seen under way at once for any one mailbox. */
    /** Submissions (MAIL FROM to the end of the data) that have not ended yet. */
    int submitting() {
        return submitting.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    int mostSubmittingAtOnce() {
        return mostSubmittingAtOnce.get();
    }

    void endSubmission(String mailbox) {
        submitting.computeIfAbsent(mailbox.toLowerCase(Locale.ROOT), m -> new AtomicInteger()).decrementAndGet();
    }

    int openSessions() {
        return open.size();
    }

    int openedSessions() {
        return opened.get();
    }

    /** Closes every session, sending {@code reply} first when it is not null (Exchange: 421 on idle timeout). */
    void dropAll(String reply) {
        for (Session session : open.keySet()) {
            try {
                if (reply != null) {
                    session.sendResponse(reply);
                }
            } catch (IOException | RuntimeException e) {
                // Already gone.
            }
            abort(session);
        }
    }

    /** Resets the session's connection (RST): the client's next read fails with "connection reset". */
    static void reset(Session session) {
        try {
            if (session.getSocket() instanceof LongAuthLineSocket tls) {
                tls.reset();
            } else {
                session.getSocket().setSoLinger(true, 0);
                session.getSocket().close();
            }
        } catch (IOException | RuntimeException e) {
            // Already gone.
        }
    }

    /** Closes the session's connection at once, under its TLS layer if it has one. */
    static void abort(Session session) {
        try {
            if (session.getSocket() instanceof LongAuthLineSocket tls) {
                tls.abort();
            } else {
                session.getSocket().close();
            }
        } catch (IOException | RuntimeException e) {
            // Already gone.
        }
    }
}
