package org.m365mail.outbox;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.TestPostgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox across a crash and in a small heap, with the "server" in a process of its own ({@link OutboxProcess}) on
 * a real PostgreSQL: killed with {@code kill -9} between commit and delivery and started again, it delivers every
 * message once (the few it was sending at the kill are in doubt, never sent twice); and a 50 MB attachment goes
 * through the outbox in a JVM limited to {@code -Xmx256m}.
 */
class OutboxProcessTest {

    private static final Logger LOG = Logger.getLogger(OutboxProcessTest.class.getName());

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-outbox-process",
            b -> b.graphLatency(Duration.ofMillis(100)));
    private static TestPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = TestPostgres.start(Path.of("target/pg"));
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    /** A "server" process with its output read line by line. */
    private static final class Server implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Server(String heap, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), heap, "-cp", System.getProperty("java.class.path"), OutboxProcess.class.getName()));
            command.add(args[0]);
            command.add(postgres.jdbcUrl());
            command.add(SANDBOX.get().authorityUrl());
            command.add(SANDBOX.get().graphUrl());
            command.add(SANDBOX.get().trustStorePath().toString());
            command.add(SANDBOX.get().trustStorePassword());
            for (int i = 1; i < args.length; i++) {
                command.add(args[i]);
            }
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "outbox-process-output");
            reader.setDaemon(true);
            reader.start();
        }

        String await(String prefix, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            List<String> seen = new ArrayList<>();
            while (System.nanoTime() < end) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen.add(line);
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
            }
            throw new AssertionError("the process did not say " + prefix + "; it said: " + String.join("\n", seen));
        }

        /** {@code kill -9}: no shutdown hook, no stop(), no finally block runs. */
        void kill() throws Exception {
            Process kill = new ProcessBuilder("kill", "-9", String.valueOf(process.pid())).start();
            assertEquals(0, kill.waitFor());
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, process.exitValue(), "killed by SIGKILL");
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static Map<String, Long> states() throws Exception {
        Map<String, Long> states = new HashMap<>();
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT STATE, COUNT(*) FROM " + OutboxSchema.TABLE + " GROUP BY STATE")) {
            while (rs.next()) {
                states.put(rs.getString(1), rs.getLong(2));
            }
        }
        return states;
    }

    private static Map<String, Long> arrivals(String prefix) {
        return SANDBOX.get().outbox().messages().stream().filter(m -> m.subject().startsWith(prefix))
                .collect(Collectors.groupingBy(DeliveredMessage::subject, Collectors.counting()));
    }

    @Test
    void killedBetweenCommitAndDeliveryThenRestartedItDeliversEachMessageOnce() throws Exception {
        OutboxDatabases.reset(postgres.dataSource());
        int total = 200;
        int beforeKill;
        try (Server first = new Server("-Xmx256m", "write", String.valueOf(total))) {
            first.await("COMMITTED", Duration.ofSeconds(90));
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (arrivals("crash ").size() < 40 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            first.kill();
            beforeKill = arrivals("crash ").size();
        }
        Map<String, Long> atKill = states();
        assertTrue(beforeKill < total, "killed while messages were still waiting: " + atKill);
        assertTrue(atKill.getOrDefault("WAITING", 0L) > 0, "committed messages were left undelivered: " + atKill);

        try (Server second = new Server("-Xmx256m", "deliver")) {
            second.await("DELIVERING", Duration.ofSeconds(60));
            long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            Map<String, Long> now = states();
            while ((now.getOrDefault("WAITING", 0L) > 0 || now.getOrDefault("SENDING", 0L) > 0)
                    && System.nanoTime() < end) {
                Thread.sleep(200);
                now = states();
            }
            Map<String, Long> arrived = arrivals("crash ");
            long inDoubt = now.getOrDefault("IN_DOUBT", 0L);
            long delivered = now.getOrDefault("DELIVERED", 0L);
            LOG.info("kill -9 with " + (total - beforeKill) + " of " + total + " committed messages undelivered; after "
                    + "the restart: " + delivered + " delivered, " + inDoubt + " in doubt (claimed at the kill), "
                    + arrived.size() + " distinct arrivals, " + (arrived.values().stream().mapToLong(Long::longValue)
                    .sum() - arrived.size()) + " duplicates");
            assertEquals(0, now.getOrDefault("WAITING", 0L) + now.getOrDefault("SENDING", 0L), now.toString());
            assertEquals(List.of(), arrived.entrySet().stream().filter(e -> e.getValue() > 1).toList(),
                    "no message arrived twice");
            assertEquals(total, delivered + inDoubt, "every message delivered, or in doubt and reported: " + now);
            assertTrue(inDoubt <= 4, "only the messages being sent at the kill are in doubt: " + inDoubt);
            assertTrue(arrived.size() >= delivered, "every delivered message arrived");
            assertTrue(arrived.size() <= total);
        }
    }

    @Test
    void aFiftyMegabyteAttachmentGoesThroughTheOutboxInA256MegabyteHeap(@TempDir Path dir) throws Exception {
        OutboxDatabases.reset(postgres.dataSource());
        SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow()
                .mailbox(SandboxDefaults.SENDER).orElseThrow().maxSendSize(150 * 1024 * 1024);
        Path file = dir.resolve("large.bin");
        byte[] block = new byte[1 << 20];
        Random random = new Random(50);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < 50; i++) {
                random.nextBytes(block);
                digest.update(block);
                out.write(block);
            }
        }
        try (Server server = new Server("-Xmx256m", "large", file.toString())) {
            String done = server.await("DELIVERED", Duration.ofSeconds(300));
            LOG.info("50 MB through the outbox in -Xmx256m: " + done);
            assertTrue(server.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, server.process.exitValue());
        }
        DeliveredMessage arrived = SANDBOX.get().outbox().withSubject("large through the outbox").get(0);
        DeliveredMessage.Attachment attachment = arrived.attachments().stream()
                .filter(a -> "large.bin".equals(a.name())).findFirst().orElseThrow();
        assertEquals(50L * 1024 * 1024, attachment.size());
        assertEquals(java.util.HexFormat.of().formatHex(digest.digest()), attachment.sha256(), "the same bytes");
    }
}
