package org.m365mail.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.GraphFaults;
import org.m365mail.sandbox.SmtpFaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.StandaloneAdapter;
import org.m365mail.testing.SandboxFactories;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Messages sent from many threads while the stand-in injects faults at random; at the end what the application was
 * told is compared with what arrived in the stand-in's mailboxes, and the result printed:
 * {@code sent N, delivered D, failed-and-reported F, lost L, duplicated U, outcome-unknown K}.
 *
 * <p>Lost: told sent, never arrived. Duplicated: arrived twice, or arrived though the application was told it was
 * not sent (an application that sends it again would deliver it twice). Both must be 0. Outcome-unknown is allowed
 * only with the {@code OutcomeUnknown} code and the message id, where the protocol leaves no way to know.
 *
 * <p>Size: {@code -Dsoak.messages=N} per transport (default 150, as in CI); {@code ./soak.sh} runs 10,000. One
 * fault is queued for every {@code soak.messagesPerFault} messages (default 8), by the thread about to send.
 */
class FaultSoakTest {

    private static final Logger LOG = Logger.getLogger(FaultSoakTest.class.getName());
    private static final int MESSAGES = Integer.getInteger("soak.messages", 150);
    private static final int THREADS = Integer.getInteger("soak.threads", 8);
    /** One fault for about this many messages. */
    private static final int MESSAGES_PER_FAULT = Integer.getInteger("soak.messagesPerFault", 8);

    /** Graph's faults, as Graph and the network give them. */
    static final GraphFaults.Fault[] GRAPH_MIX = {
            GraphFaults.Fault.THROTTLED, GraphFaults.Fault.THROTTLED, GraphFaults.Fault.UNAVAILABLE,
            GraphFaults.Fault.SERVER_ERROR, GraphFaults.Fault.GATEWAY_TIMEOUT, GraphFaults.Fault.HANG,
            GraphFaults.Fault.SLOW, GraphFaults.Fault.ANSWER_LOST_AFTER_ACCEPTING,
            GraphFaults.Fault.ANSWER_LATE_AFTER_ACCEPTING, GraphFaults.Fault.DROPPED_BEFORE_READING};
    /** Exchange Online's SMTP faults, and a network that breaks at every step. */
    static final SmtpFaults.Fault[] SMTP_MIX = {
            SmtpFaults.Fault.BUSY_ON_RECIPIENT, SmtpFaults.Fault.BUSY_ON_DATA, SmtpFaults.Fault.RESET_ON_MAIL,
            SmtpFaults.Fault.CLOSING_ON_MAIL, SmtpFaults.Fault.REJECT_RECIPIENT,
            SmtpFaults.Fault.DROP_AFTER_ACCEPTING_DATA, SmtpFaults.Fault.RESET_AFTER_ACCEPTING_DATA,
            SmtpFaults.Fault.STALL_AFTER_DATA};

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-soak");

    @RegisterExtension
    final StandaloneAdapter adapter = new StandaloneAdapter();

    @Test
    void graphUnderFaultsLosesNothingAndSendsNothingTwice() throws Exception {
        soak("GRAPH", random -> {
            GraphFaults.Fault fault = GRAPH_MIX[random.nextInt(GRAPH_MIX.length)];
            SANDBOX.get().graphFaults().add(fault);
            return fault.name();
        });
    }

    @Test
    void smtpUnderFaultsLosesNothingAndSendsNothingTwice() throws Exception {
        soak("SMTP", random -> {
            SmtpFaults.Fault fault = SMTP_MIX[random.nextInt(SMTP_MIX.length)];
            SANDBOX.get().smtpFaults().add(fault);
            return fault.name();
        });
    }

    /**
     * Through the outbox (H2): each message is accepted into the outbox in a committed transaction and delivered by
     * the connector's threads while Graph faults are injected; at the end every message must be settled, and each
     * outbox record is compared with what arrived: DELIVERED must have arrived once, FAILED never, IN_DOUBT at most once.
     */
    @Test
    void theOutboxUnderGraphFaultsLosesNothingAndSendsNothingTwice() throws Exception {
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL("jdbc:h2:mem:soak-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setReadTimeoutMillis(1500);
        mcf.setSendTimeoutSeconds(30);
        mcf.useOutbox(ds);
        adapter.attach(mcf);
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        org.m365mail.api.MailOutbox outbox = factory.outbox().orElseThrow();
        String run = "OUTBOX-" + System.nanoTime();
        Random random = new Random(Long.getLong("soak.seed", 20261203L));
        Map<String, Integer> injected = new TreeMap<>();
        Map<String, String> subjectById = new ConcurrentHashMap<>();
        long started = System.nanoTime();
        for (int i = 0; i < MESSAGES; i += 10) {
            try (java.sql.Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                for (int j = i; j < Math.min(i + 10, MESSAGES); j++) {
                    String subject = run + " " + j;
                    subjectById.put(outbox.enqueue(c, SandboxFactories.textMessage(subject, subject)), subject);
                    if (j % MESSAGES_PER_FAULT == MESSAGES_PER_FAULT - 1) {
                        GraphFaults.Fault fault = GRAPH_MIX[random.nextInt(GRAPH_MIX.length)];
                        SANDBOX.get().graphFaults().add(fault);
                        injected.merge(fault.name(), 1, Integer::sum);
                    }
                }
                c.commit();
            }
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        org.m365mail.api.OutboxCounts counts = outbox.counts();
        while (counts.waiting() + counts.sending() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            counts = outbox.counts();
        }
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        SANDBOX.get().graphFaults().clear();
        SANDBOX.awaitIdle(Duration.ofSeconds(30));
        Map<String, Long> arrivals = SANDBOX.get().outbox().messages().stream()
                .filter(m -> m.subject() != null && m.subject().startsWith(run + " "))
                .collect(Collectors.groupingBy(DeliveredMessage::subject, Collectors.counting()));
        List<String> problems = new ArrayList<>();
        int lost = 0;
        int duplicated = 0;
        for (org.m365mail.api.OutboxEntry.State state : org.m365mail.api.OutboxEntry.State.values()) {
            for (org.m365mail.api.OutboxEntry e : outbox.entries(state, MESSAGES * 2)) {
                long arrived = arrivals.getOrDefault(subjectById.get(e.messageId()), 0L);
                if (arrived > 1) {
                    duplicated++;
                    problems.add("duplicated: " + e);
                }
                if (state == org.m365mail.api.OutboxEntry.State.DELIVERED && arrived == 0) {
                    lost++;
                    problems.add("recorded delivered, never arrived: " + e);
                }
                if (state == org.m365mail.api.OutboxEntry.State.FAILED && arrived > 0) {
                    duplicated++;
                    problems.add("recorded failed, but arrived (a retry would send it twice): " + e);
                }
            }
        }
        String line = String.format("OUTBOX soak: sent %d, delivered %d, failed-and-reported %d, lost %d, duplicated %d,"
                        + " outcome-unknown %d (waiting %d, %d ms; faults injected %s)", subjectById.size(),
                arrivals.size(), counts.failed(), lost, duplicated, counts.inDoubt(), counts.waiting() + counts.sending(),
                millis, injected);
        LOG.info(line);
        assertEquals(MESSAGES, subjectById.size());
        assertEquals(0, counts.waiting() + counts.sending(), "every message settled: " + counts);
        assertEquals(MESSAGES, counts.delivered() + counts.failed() + counts.inDoubt(), counts.toString());
        assertEquals(0, lost, () -> String.join("\n", problems));
        assertEquals(0, duplicated, () -> String.join("\n", problems));
    }

    private interface Injector {
        /** Queues one fault; its name. */
        String inject(Random random);
    }

    /** The window an outcome-unknown error names: Graph's status or the kind of lost answer; SMTP's one window. */
    static String window(String error) {
        java.util.regex.Matcher graph = java.util.regex.Pattern
                .compile("unknown: (Graph answered \\d+|no answer came \\(([\\w.]+))").matcher(error);
        if (graph.find()) {
            return graph.group(2) != null ? "no answer: " + graph.group(2) : graph.group(1);
        }
        return error.contains("had been sent, before the server confirmed") ? "no reply after the data" : "other";
    }

    /** What the application was told of one message. */
    private record Told(String subject, String messageId, String errorCode, String error) {
    }

    private void soak(String transport, Injector injector) throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), transport);
        // Shorter than the stand-in's hangs and late answers (2 s), longer than its slow ones (0.3 s) with room for
        // a busy machine.
        mcf.setReadTimeoutMillis(1500);
        mcf.setSendTimeoutSeconds(30);
        adapter.attach(mcf);
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
        String run = transport + "-" + System.nanoTime();
        Random random = new Random(Long.getLong("soak.seed", 20261203L));
        Map<String, Integer> injected = new ConcurrentHashMap<>();
        Map<String, Told> told = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        long started = System.nanoTime();
        try {
            List<Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                String subject = run + " " + i;
                boolean withFault = i % MESSAGES_PER_FAULT == MESSAGES_PER_FAULT - 1;
                sends.add(pool.submit(() -> {
                    if (withFault) {
                        // A fault for one of the next requests, whichever thread makes it.
                        injected.merge(injector.inject(random), 1, Integer::sum);
                    }
                    try (MailConnection c = factory.getConnection()) {
                        SentMessage sent = c.send(SandboxFactories.textMessage(subject, subject));
                        told.put(subject, new Told(subject, sent.messageId(), null, null));
                    } catch (MailSendException e) {
                        told.put(subject, new Told(subject, null, e.getErrorCode(), e.getMessage()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : sends) {
                f.get(30, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
            SANDBOX.get().graphFaults().clear();
            SANDBOX.get().smtpFaults().clear();
        }
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        // A request the client gave up on may still be handled, and its message may still arrive: wait for none.
        SANDBOX.awaitIdle(Duration.ofSeconds(30));

        Map<String, Long> arrivals = SANDBOX.get().outbox().messages().stream()
                .filter(m -> m.subject() != null && m.subject().startsWith(run + " "))
                .collect(Collectors.groupingBy(DeliveredMessage::subject, Collectors.counting()));
        int delivered = arrivals.size();
        int failed = 0;
        int unknown = 0;
        int lost = 0;
        int duplicated = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        Map<String, Integer> windows = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Told t : told.values()) {
            long arrived = arrivals.getOrDefault(t.subject(), 0L);
            if (arrived > 1) {
                duplicated++;
                problems.add("duplicated: " + t);
            }
            if (t.messageId() != null) {
                if (arrived == 0) {
                    lost++;
                    problems.add("lost: " + t);
                }
                continue;
            }
            reasons.merge(t.errorCode(), 1, Integer::sum);
            if ("OutcomeUnknown".equals(t.errorCode())) {
                unknown++;
                windows.merge(window(t.error()), 1, Integer::sum);
                if (!t.error().contains("<")) {
                    problems.add("outcome unknown without the message id: " + t);
                }
            } else {
                failed++;
                if (arrived > 0) {
                    duplicated++;
                    problems.add("told not sent, but arrived (a resend would duplicate it): " + t);
                }
                if (t.error() == null || t.error().isBlank() || t.errorCode() == null) {
                    problems.add("failed without a reason: " + t);
                }
            }
        }
        String line = String.format("%s soak: sent %d, delivered %d, failed-and-reported %d, lost %d, duplicated %d,"
                        + " outcome-unknown %d (%d threads, %d ms; faults injected %s; errors by code %s; unknown because %s)", transport,
                told.size(), delivered, failed, lost, duplicated, unknown, THREADS, millis, new TreeMap<>(injected),
                reasons, windows);
        LOG.info(line);
        assertEquals(MESSAGES, told.size(), "every send answered");
        assertEquals(0, lost, () -> String.join("\n", problems));
        assertEquals(0, duplicated, () -> String.join("\n", problems));
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
        assertTrue(delivered > 0);
    }

}
