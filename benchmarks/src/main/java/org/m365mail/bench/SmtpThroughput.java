package org.m365mail.bench;

import jakarta.mail.Session;
import jakarta.mail.Transport;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * SMTP throughput: (a) the connector, non-managed, a pooled connection per send; (b) the ceiling, raw Angus Mail with
 * one authenticated Transport per thread, token fetched once; (c) the naive way, token + connect + authenticate + send
 * + close per message. Exchange's pace and connection limits are off on both sides, as for a server with none.
 */
final class SmtpThroughput {

    private static final String EXCHANGE = "https://outlook.office365.com/.default";
    private static final int ROUNDS = 5;

    private final M365Sandbox sandbox;
    private final Benchmarks.Report report;
    private final SandboxClients clients;

    SmtpThroughput(M365Sandbox sandbox, Benchmarks.Report report) throws java.io.IOException {
        this.sandbox = sandbox;
        this.report = report;
        this.clients = new SandboxClients(sandbox);
    }

    interface Sender {
        /** Sends {@code count} messages on the calling thread. */
        void send(int count) throws Exception;
    }

    void run(int messages, int warmUp) throws Exception {
        MailManagedConnectionFactory mcf = clients.connector("SMTP");
        mcf.setMessagesPerMinute(0);
        mcf.setSmtpMaxConcurrentSends(0);
        MailConnectionFactory connector = (MailConnectionFactory) mcf.createConnectionFactory();
        Session session = clients.smtpSession();
        // The messages (a) sends are built as (b)'s are, on a Session, with nothing of the connector's in it: the same
        // work to build and encode. (Built on no Session at all, every message costs Jakarta Mail 2.1 more, whoever
        // sends it: PerSendCost measures that too.)
        Session appSession = Session.getInstance(new java.util.Properties());
        String rawToken = clients.token(EXCHANGE);

        Sender a = count -> {
            for (int i = 0; i < count; i++) {
                try (MailConnection c = connector.getConnection()) {
                    c.send(SandboxClients.message(appSession, "bench connector"));
                }
            }
        };
        Sender b = count -> {
            try (Transport t = session.getTransport("smtp")) {
                t.connect(sandbox.smtpHost(), sandbox.smtpPort(), SandboxDefaults.SENDER, rawToken);
                for (int i = 0; i < count; i++) {
                    var m = SandboxClients.message(session, "bench raw");
                    t.sendMessage(m, m.getAllRecipients());
                }
            }
        };
        Sender c = count -> {
            for (int i = 0; i < count; i++) {
                String token = clients.token(EXCHANGE);
                try (Transport t = session.getTransport("smtp")) {
                    t.connect(sandbox.smtpHost(), sandbox.smtpPort(), SandboxDefaults.SENDER, token);
                    var m = SandboxClients.message(session, "bench naive");
                    t.sendMessage(m, m.getAllRecipients());
                }
            }
        };
        // -Dbench.smtp.contenders=a (or ab...) measures fewer, to profile one of them alone.
        String contenders = System.getProperty("bench.smtp.contenders", "abc");
        if (!contenders.contains("a")) {
            a = count -> { };
        }
        if (!contenders.contains("b")) {
            b = count -> { };
        }
        if (!contenders.contains("c")) {
            c = count -> { };
        }
        // The connector runs more code than raw Angus; JIT-compiling it takes more than a few hundred sends.
        rate(a, 8, warmUp * 10);
        rate(b, 8, warmUp * 10);
        rate(c, 8, warmUp);
        String perMessage = "(a) " + commandsPerMessage(a) + " | (b) " + commandsPerMessage(b);
        report.line("1. SMTP throughput, %d small messages to the stand-in (XOAUTH2, STARTTLS), Exchange limits off; (a) "
                + "and (b) the median of %d alternating rounds", messages, ROUNDS);
        for (int threads : new int[]{1, 8}) {
            double[] ra = new double[ROUNDS];
            double[] rb = new double[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                // Alternate which goes first, so neither always runs on a hotter or a more cluttered JVM.
                if (round % 2 == 0) {
                    ra[round] = rate(a, threads, messages);
                    rb[round] = rate(b, threads, messages);
                } else {
                    rb[round] = rate(b, threads, messages);
                    ra[round] = rate(a, threads, messages);
                }
            }
            double ma = median(ra);
            double mb = median(rb);
            double rc = rate(c, threads, messages);
            report.line("   %d thread%s: (a) connector %.0f msg/s | (b) raw Angus, 1 Transport/thread %.0f msg/s | "
                            + "(c) naive, connect per message %.0f msg/s | a/b %.2f (target >= 0.90) | a/c %.1f "
                            + "(target >= 10)", threads, threads == 1 ? " " : "s", ma, mb, rc, ma / mb, ma / rc);
            report.line("      rounds (a) %s | (b) %s", rounds(ra), rounds(rb));
        }
        report.line("   SMTP commands per message at the server, 100 messages on 1 thread: %s", perMessage);
        mcf.close();
    }

    /**
     * With Exchange's limits on (a stand-in that keeps them), the connector holds the configured pace: at most
     * {@code perMinute} messages in any sliding minute, as the server saw them arrive, and at most 3 at once.
     */
    void paced(int perMinute, int count) throws Exception {
        MailManagedConnectionFactory paced = clients.connector("SMTP");
        paced.setMessagesPerMinute(perMinute);
        MailConnectionFactory pacedFactory = (MailConnectionFactory) paced.createConnectionFactory();
        long start = System.nanoTime();
        rate(n -> {
            for (int i = 0; i < n; i++) {
                try (MailConnection conn = pacedFactory.getConnection()) {
                    conn.send(SandboxClients.message(null, "bench paced"));
                }
            }
        }, 8, count);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<java.time.Instant> arrivals = sandbox.outbox().withSubject("bench paced").stream()
                .map(org.m365mail.sandbox.DeliveredMessage::receivedAt).sorted().toList();
        int most = 0;
        for (int first = 0, last = 0; last < arrivals.size(); last++) {
            while (java.time.Duration.between(arrivals.get(first), arrivals.get(last)).toMillis() >= 60_000) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        report.line("   limits on (messagesPerMinute=%d, smtpMaxConcurrentSends=3), %d messages from 8 threads in %.1f s:"
                + " most in any 60 s at the server %d (configured %d); most submissions at once %d (Exchange allows "
                + "3)", perMinute, count, seconds, most, perMinute, sandbox.mostSmtpSubmissionsAtOnce());
        paced.close();
    }

    private static final List<String> VERBS = List.of("EHLO", "AUTH", "MAIL", "RCPT", "DATA", "NOOP", "RSET", "QUIT");

    /** The commands the server received per message, by verb: round trips the sender spends per message. */
    private String commandsPerMessage(Sender sender) throws Exception {
        int[] before = VERBS.stream().mapToInt(sandbox::smtpCommands).toArray();
        rate(sender, 1, 100);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < VERBS.size(); i++) {
            int n = sandbox.smtpCommands(VERBS.get(i)) - before[i];
            if (n > 0) {
                out.append(out.length() == 0 ? "" : " ").append(VERBS.get(i)).append(' ')
                        .append(String.format(java.util.Locale.ROOT, "%.2f", n / 100.0));
            }
        }
        return out.toString();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String rounds(double[] values) {
        StringBuilder out = new StringBuilder();
        for (double v : values) {
            out.append(out.length() == 0 ? "" : ", ").append(Math.round(v));
        }
        return out + " msg/s";
    }

    /** Messages per second for {@code total} messages split over {@code threads} threads. */
    static double rate(Sender sender, int threads, int total) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int share = total / threads + (t < total % threads ? 1 : 0);
                done.add(pool.submit(() -> {
                    sender.send(share);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return total / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }
}
