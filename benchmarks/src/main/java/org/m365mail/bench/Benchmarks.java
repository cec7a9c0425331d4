package org.m365mail.bench;

import org.m365mail.sandbox.M365Sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs every measurement against one local stand-in, in one JVM, one after another, and prints a table: the figures
 * of a pair come from the same run on the same machine, so their ratio holds when the machine is noisy.
 *
 * <p>{@code java org.m365mail.bench.Benchmarks [--smoke] [--messages N] [--graph-latency-ms N] [--work-dir DIR]}.
 * {@code --smoke} sends a few messages through each, to show the harness works; its figures mean nothing.
 */
public final class Benchmarks {

    private static final Logger LOG = Logger.getLogger(Benchmarks.class.getName());

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = false;
        int messages = 2000;
        int graphLatencyMs = 50;
        Path workDir = Path.of("target", "bench");
        java.util.Set<String> only = java.util.Set.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--graph-latency-ms" -> graphLatencyMs = Integer.parseInt(args[++i]);
                case "--work-dir" -> workDir = Path.of(args[++i]);
                case "--only" -> only = java.util.Set.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
            }
        }
        // The connector logs every send at INFO; a benchmark would measure the console.
        Logger.getLogger("org.m365mail").setLevel(Level.WARNING);
        Logger.getLogger("").setLevel(Level.WARNING);

        Report report = new Report(smoke);
        if (selected(only, "smtp")) {
            try (M365Sandbox sandbox = M365Sandbox.builder().workDir(workDir).exchangeLimits(false).start()) {
                new SmtpThroughput(sandbox, report).run(smoke ? 16 : messages, smoke ? 4 : 200);
            }
        }
        if (selected(only, "paced")) {
            try (M365Sandbox sandbox = M365Sandbox.builder().workDir(workDir.resolve("paced")).start()) {
                // Exchange's own pace, 30 a minute, and half as many again, which must wait for the window to move.
                new SmtpThroughput(sandbox, report).paced(30, smoke ? 4 : 45);
            }
        }
        if (selected(only, "graph")) {
            try (M365Sandbox sandbox = M365Sandbox.builder().workDir(workDir.resolve("graph"))
                    .graphLatency(java.time.Duration.ofMillis(graphLatencyMs)).start()) {
                new GraphThroughput(sandbox, report, graphLatencyMs).run(smoke ? 8 : 400);
            }
        }
        if (selected(only, "tokens")) {
            new TokenRequests(workDir.resolve("tokens"), report).run(smoke ? 128 : 10_000);
        }
        if (selected(only, "heap")) {
            try (M365Sandbox sandbox = M365Sandbox.builder().workDir(workDir.resolve("heap")).start()) {
                new LargeAttachmentHeap(sandbox, workDir.resolve("heap"), report)
                        .run(smoke ? 1024 * 1024 : 100L * 1024 * 1024);
            }
        }
        if (selected(only, "startup")) {
            Path target = workDir.toAbsolutePath().getParent();
            new MicroStartup(target.resolve("startup/payara-micro.jar"), target.resolve("startup/m365-mail-connector.rar"),
                    workDir.resolve("startup"), report).run(smoke ? 1 : 5);
        }
        if (selected(only, "outbox")) {
            int outboxLatencyMs = 20;
            try (M365Sandbox sandbox = M365Sandbox.builder().workDir(workDir.resolve("outbox"))
                    .graphLatency(java.time.Duration.ofMillis(outboxLatencyMs)).start()) {
                new OutboxThroughput(sandbox, report, outboxLatencyMs, workDir.resolve("outbox"))
                        .run(smoke ? 16 : 2000, 8, 100, java.time.Duration.ofSeconds(smoke ? 1 : 30));
            }
        }
        if (selected(only, "jmh")) {
            new PerSendCpu(workDir.resolve("jmh"), report).run(smoke);
        }
        report.print();
    }

    private static boolean selected(java.util.Set<String> only, String part) {
        return only.isEmpty() || only.contains(part);
    }

    /** The table: each line a figure, with its method and, for a pair, the ratio and target. */
    static final class Report {
        private final boolean smoke;
        private final List<String> lines = new ArrayList<>();

        Report(boolean smoke) {
            this.smoke = smoke;
        }

        void line(String format, Object... values) {
            lines.add(String.format(Locale.ROOT, format, values));
        }

        void print() {
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "m365-mail-connector benchmarks%s%n", smoke
                    ? " (SMOKE RUN: a few messages each, figures meaningless)" : ""));
            out.append(String.format(Locale.ROOT, "machine: %d cores, %s %s (%s), max heap %d MB, %s %s%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                    System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"),
                    Runtime.getRuntime().maxMemory() / (1024 * 1024), System.getProperty("os.name"),
                    System.getProperty("os.arch")));
            lines.forEach(l -> out.append(l).append(System.lineSeparator()));
            // The report is the program's output, not a log line.
            java.io.PrintStream stdout = new java.io.PrintStream(new java.io.FileOutputStream(
                    java.io.FileDescriptor.out), true, java.nio.charset.StandardCharsets.UTF_8);
            stdout.print(out);
            stdout.flush();
            LOG.fine("benchmark report printed");
        }
    }
}
