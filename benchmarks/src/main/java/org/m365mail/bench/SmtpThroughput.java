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
    private static final int ROUNDS = 7;

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
        for (int threads : new int[]{8, 1}) {
            rate(a, threads, warmUp * 10);
            rate(b, threads, warmUp * 10);
        }
        rate(c, 8, warmUp);
        String perMessage = "(a) " + commandsPerMessage(a) + " | (b) " + commandsPerMessage(b);
        report.line("1. SMTP throughput, %d small messages to the stand-in (XOAUTH2, STARTTLS), Exchange limits off; (a) "
                + "and (b) the median of %d alternating rounds", messages, ROUNDS);
        for (int threads : new int[]{1, 8}) {
            Run[] runsA = new Run[ROUNDS];
            Run[] runsB = new Run[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                // Alternate which goes first, so neither always runs on a hotter or a more cluttered JVM.
                if (round % 2 == 0) {
                    runsA[round] = measure(a, threads, messages);
                    runsB[round] = measure(b, threads, messages);
                } else {
                    runsB[round] = measure(b, threads, messages);
                    runsA[round] = measure(a, threads, messages);
                }
            }
            double[] ra = java.util.Arrays.stream(runsA).mapToDouble(Run::perSecond).toArray();
            double[] rb = java.util.Arrays.stream(runsB).mapToDouble(Run::perSecond).toArray();
            double ma = median(ra);
            double mb = median(rb);
            double rc = rate(c, threads, messages);
            report.line("   %d thread%s: (a) connector %.0f msg/s | (b) raw Angus, 1 Transport/thread %.0f msg/s | "
                            + "(c) naive, connect per message %.0f msg/s | a/b %.2f (target >= 0.90) | a/c %.1f "
                            + "(target >= 10)", threads, threads == 1 ? " " : "s", ma, mb, rc, ma / mb, ma / rc);
            report.line("      rounds (a) %s | (b) %s", rounds(ra), rounds(rb));
            report.line("      CPU per message, median: sending threads (a) %.0f us | (b) %.0f us; whole process, stand-in "
                            + "included (a) %.0f us | (b) %.0f us", median(cpu(runsA, Run::senderCpuMicros)),
                    median(cpu(runsB, Run::senderCpuMicros)), median(cpu(runsA, Run::processCpuMicros)),
                    median(cpu(runsB, Run::processCpuMicros)));
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

    private static double[] cpu(Run[] runs, java.util.function.ToDoubleFunction<Run> figure) {
        return java.util.Arrays.stream(runs).mapToDouble(figure).toArray();
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
        return measure(sender, threads, total).perSecond();
    }

    /**
     * One measured run: messages per second, and CPU per message, of the sending threads alone (what the sender
     * costs) and of the whole process (sender and stand-in).
     */
    record Run(double perSecond, double senderCpuMicros, double processCpuMicros) {
    }

    static Run measure(Sender sender, int threads, int total) throws Exception {
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        java.util.concurrent.atomic.AtomicLong senderNanos = new java.util.concurrent.atomic.AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long processBefore = os.getProcessCpuTime();
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int share = total / threads + (t < total % threads ? 1 : 0);
                done.add(pool.submit(() -> {
                    long before = cpu.getCurrentThreadCpuTime();
                    sender.send(share);
                    senderNanos.addAndGet(cpu.getCurrentThreadCpuTime() - before);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long process = os.getProcessCpuTime() - processBefore;
            return new Run(total / seconds, senderNanos.get() / 1e3 / total, process / 1e3 / total);
        } finally {
            pool.shutdownNow();
        }
    }
}
