package org.m365mail.bench;

import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Peak heap while one large attachment (100 MB) goes out through Graph and through SMTP. The sender runs in a JVM of
 * its own with the heap the target allows ({@code -Xmx128m}), so nothing else counts towards it; the stand-in, which
 * keeps what it receives, runs in this JVM. A send that needed more would fail with OutOfMemoryError.
 */
final class LargeAttachmentHeap {

    static final String HEAP = "128m";
    private static final Pattern FIGURES = Pattern.compile(
            "SAMPLED_PEAK=(\\d+) POOL_PEAK=(\\d+) MILLIS=(\\d+) MAX_HEAP=(\\d+)");

    private final M365Sandbox sandbox;
    private final Path workDir;
    private final Benchmarks.Report report;

    LargeAttachmentHeap(M365Sandbox sandbox, Path workDir, Benchmarks.Report report) {
        this.sandbox = sandbox;
        this.workDir = workDir;
        this.report = report;
    }

    void run(long size) throws Exception {
        // As an administrator would for large attachments: Set-Mailbox -MaxSendSize 150MB.
        sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().mailbox(SandboxDefaults.SENDER)
                .orElseThrow().maxSendSize(150 * 1024 * 1024);
        Files.createDirectories(workDir);
        Path file = workDir.resolve("attachment.bin");
        String sha = randomFile(file, size);
        report.line("5. Peak heap sending one %d MB attachment (file attached with attachFile), sender JVM -Xmx%s of "
                + "its own; target < 128 MB", size / (1024 * 1024), HEAP);
        try {
            for (String transport : List.of("GRAPH", "SMTP")) {
                report.line("   %-5s %s", transport, send(transport, file, sha));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private String send(String transport, Path file, String sha) throws Exception {
        sandbox.outbox().clear();
        Path launcher = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(launcher.toString(), "-Xmx" + HEAP, "-cp",
                System.getProperty("java.class.path"), LargeAttachmentSender.class.getName(), transport,
                file.toString(), sandbox.authorityUrl(), sandbox.graphUrl(), sandbox.smtpHost(),
                String.valueOf(sandbox.smtpPort()), sandbox.trustStorePath().toString(), sandbox.trustStorePassword()))
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(10, TimeUnit.MINUTES) || child.exitValue() != 0) {
            return "FAILED (exit " + (child.isAlive() ? "none" : child.exitValue()) + "): "
                    + output.lines().filter(l -> l.contains("Error") || l.contains("Exception")).findFirst()
                    .orElse(output.strip());
        }
        Matcher m = FIGURES.matcher(output);
        if (!m.find()) {
            return "FAILED: no figures in " + output.strip();
        }
        List<DeliveredMessage> delivered = sandbox.outbox().messages();
        String got = delivered.isEmpty() || delivered.get(0).attachments().isEmpty() ? "nothing"
                : delivered.get(0).attachments().get(0).sha256();
        long poolPeak = Long.parseLong(m.group(2));
        return String.format(java.util.Locale.ROOT, "peak heap %.1f MB (sum of heap pools' peaks; sampled every 5 "
                        + "ms: %.1f MB) in %.1f s | %s | attachment delivered intact: %s",
                poolPeak / 1048576.0, Long.parseLong(m.group(1)) / 1048576.0, Long.parseLong(m.group(3)) / 1000.0,
                poolPeak < 128L * 1024 * 1024 ? "under 128 MB" : "NOT under 128 MB", sha.equals(got) ? "yes" : "NO");
    }

    /** Writes {@code size} random bytes to {@code file}; returns their SHA-256. */
    private static String randomFile(Path file, long size) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Random random = new Random(42);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), digest)) {
            for (long written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
