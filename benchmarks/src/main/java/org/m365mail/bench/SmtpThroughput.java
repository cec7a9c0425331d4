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
        String rawToken = clients.token(EXCHANGE);

        Sender a = count -> {
            for (int i = 0; i < count; i++) {
                try (MailConnection c = connector.getConnection()) {
                    c.send(SandboxClients.message(null, "bench connector"));
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
        for (Sender warm : List.of(a, b, c)) {
            rate(warm, 8, warmUp);
        }
        report.line("1. SMTP throughput, %d small messages to the stand-in (XOAUTH2, STARTTLS), Exchange limits off",
                messages);
        for (int threads : new int[]{1, 8}) {
            double ra = rate(a, threads, messages);
            double rb = rate(b, threads, messages);
            double rc = rate(c, threads, messages);
            report.line("   %d thread%s: (a) connector %.0f msg/s | (b) raw Angus, 1 Transport/thread %.0f msg/s | "
                            + "(c) naive, connect per message %.0f msg/s | a/b %.2f (target >= 0.90) | a/c %.1f "
                            + "(target >= 10)", threads, threads == 1 ? " " : "s", ra, rb, rc, ra / rb, ra / rc);
        }
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
