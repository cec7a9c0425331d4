package org.m365mail.bench;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailOutbox;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.ra.MailResourceAdapter;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.testing.TestPostgres;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct sending against the durable outbox on PostgreSQL, over Graph with the pace off, in one run: throughput of
 * each (the outbox's from the first commit to the last delivery), then the outbox's commit-to-delivery latency at a
 * fixed offered load (one message committed every 10 ms: 100 a second), from the moment {@code commit()} returns to
 * the moment the stand-in accepted the message.
 */
final class OutboxThroughput {

    private final M365Sandbox sandbox;
    private final Benchmarks.Report report;
    private final int latencyMs;
    private final Path workDir;

    OutboxThroughput(M365Sandbox sandbox, Benchmarks.Report report, int latencyMs, Path workDir) {
        this.sandbox = sandbox;
        this.report = report;
        this.latencyMs = latencyMs;
        this.workDir = workDir;
    }

    void run(int messages, int threads, int perSecond, Duration loadTime) throws Exception {
        Session session = Session.getInstance(new Properties());
        try (TestPostgres postgres = TestPostgres.start(workDir.resolve("pg"));
             MailResourceAdapter adapter = MailResourceAdapter.standalone()) {
            DataSource ds = postgres.dataSource();
            // Direct: the application's threads send and wait for Graph.
            MailManagedConnectionFactory directMcf = new SandboxClients(sandbox).connector("GRAPH");
            directMcf.setMessagesPerMinute(0);
            directMcf.setResourceAdapter(adapter);
            MailConnectionFactory direct = (MailConnectionFactory) directMcf.createConnectionFactory();
            SmtpThroughput.Sender send = count -> {
                for (int i = 0; i < count; i++) {
                    try (MailConnection c = direct.getConnection()) {
                        c.send(SandboxClients.message(session, "bench direct"));
                    }
                }
            };
            SmtpThroughput.rate(send, threads, Math.max(threads, messages / 10));
            double directRate = SmtpThroughput.rate(send, threads, messages);

            // Outbox: the application's threads commit, the outbox's 4 threads deliver.
            MailManagedConnectionFactory outboxMcf = new SandboxClients(sandbox).connector("GRAPH");
            outboxMcf.setMessagesPerMinute(0);
            outboxMcf.setOutboxDeliveryThreads(4);
            outboxMcf.useOutbox(ds);
            outboxMcf.setResourceAdapter(adapter);
            MailOutbox outbox = ((MailConnectionFactory) outboxMcf.createConnectionFactory()).outbox().orElseThrow();
            commitAndWait(ds, outbox, session, "bench outbox warm-up", threads, Math.max(threads, messages / 10));
            long start = System.nanoTime();
            commitAndWait(ds, outbox, session, "bench outbox", threads, messages);
            double outboxRate = messages / ((System.nanoTime() - start) / 1e9);

            report.line("7. Outbox on PostgreSQL %s vs direct send, Graph, stand-in latency %d ms per request, "
                    + "pace off, %d application threads, outboxDeliveryThreads=4", postgresVersion(ds), latencyMs,
                    threads);
            report.line("   throughput, %d messages: direct %.1f/s, outbox %.1f/s (first commit to last delivery) | "
                    + "ratio %.2f (target >= 0.50)", messages, directRate, outboxRate, outboxRate / directRate);

            List<Long> latencies = latency(ds, outbox, session, perSecond, loadTime);
            report.line("   commit-to-delivery at %d messages/s for %d s (%d messages): p50 %d ms, p99 %d ms, max %d ms "
                    + "(target p99 < 250 ms)", perSecond, loadTime.toSeconds(), latencies.size(),
                    percentile(latencies, 50), percentile(latencies, 99), latencies.get(latencies.size() - 1));
            outboxMcf.close();
            directMcf.close();
        }
    }

    /** Commits {@code count} messages, one per transaction, from {@code threads} threads; waits for all to arrive. */
    private void commitAndWait(DataSource ds, MailOutbox outbox, Session session, String subject, int threads,
                               int count) throws Exception {
        int before = arrived(subject);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger left = new AtomicInteger(count);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    // Each application thread with its connection, as from a pool.
                    try (Connection c = ds.getConnection()) {
                        c.setAutoCommit(false);
                        while (left.getAndDecrement() > 0) {
                            outbox.enqueue(c, SandboxClients.message(session, subject));
                            c.commit();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (arrived(subject) < before + count && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
    }

    private int arrived(String subject) {
        return (int) sandbox.outbox().messages().stream().filter(m -> subject.equals(m.subject())).count();
    }

    /** One message committed every 1/perSecond s for {@code time}; each one's commit-to-arrival time, sorted. */
    private List<Long> latency(DataSource ds, MailOutbox outbox, Session session, int perSecond, Duration time)
            throws Exception {
        Map<String, Instant> committed = new ConcurrentHashMap<>();
        int total = (int) (perSecond * time.toSeconds());
        long interval = 1_000_000_000L / perSecond;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            long next = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                next += interval;
                String subject = "bench latency " + i;
                MimeMessage m = SandboxClients.message(session, subject);
                outbox.enqueue(c, m);
                c.commit();
                committed.put(subject, Instant.now());
            }
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        List<Long> latencies = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            latencies.clear();
            for (DeliveredMessage m : sandbox.outbox().messages()) {
                Instant at = committed.get(m.subject());
                if (at != null) {
                    latencies.add(Math.max(0, Duration.between(at, m.receivedAt()).toMillis()));
                }
            }
            if (latencies.size() >= total) {
                break;
            }
            Thread.sleep(100);
        }
        Collections.sort(latencies);
        return latencies;
    }

    private static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static String postgresVersion(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            return "?";
        }
    }
}
