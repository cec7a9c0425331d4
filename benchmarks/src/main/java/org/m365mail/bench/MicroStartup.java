package org.m365mail.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the RAR adds to Payara Micro's start: Micro booted bare and booted with {@code --deploy
 * m365-mail-connector.rar}, alternately, each boot in a fresh root directory after one unmeasured boot that warms
 * the disk cache. Measured: the wall time from starting the process to Micro's "ready" line, Micro's own "ready in"
 * figure, and the RAR's deployment time as Micro logs it.
 */
final class MicroStartup {

    private static final Pattern READY = Pattern.compile("ready in ([\\d,]+) \\(ms\\)");
    private static final Pattern DEPLOYED = Pattern.compile(
            "m365-mail-connector was successfully deployed in ([\\d,]+) milliseconds");

    private final Path microJar;
    private final Path rar;
    private final Path workDir;
    private final Benchmarks.Report report;

    MicroStartup(Path microJar, Path rar, Path workDir, Benchmarks.Report report) {
        this.microJar = microJar;
        this.rar = rar;
        this.workDir = workDir;
        this.report = report;
    }

    /** One boot's figures, in milliseconds; {@code deployed} is -1 without the RAR. */
    record Boot(long wall, long ready, long deployed) {
    }

    void run(int rounds) throws Exception {
        if (!Files.isRegularFile(microJar) || !Files.isRegularFile(rar)) {
            report.line("6. Start-up: NOT MEASURED, %s or %s is missing (./benchmark.sh copies them)", microJar, rar);
            return;
        }
        boot(false, "warm-up");
        List<Boot> bare = new ArrayList<>();
        List<Boot> withRar = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            // Alternate which goes first, so neither always follows the other.
            if (i % 2 == 0) {
                bare.add(boot(false, "bare-" + i));
                withRar.add(boot(true, "rar-" + i));
            } else {
                withRar.add(boot(true, "rar-" + i));
                bare.add(boot(false, "bare-" + i));
            }
        }
        long bareWall = median(bare.stream().mapToLong(Boot::wall).toArray());
        long rarWall = median(withRar.stream().mapToLong(Boot::wall).toArray());
        long bareReady = median(bare.stream().mapToLong(Boot::ready).toArray());
        long rarReady = median(withRar.stream().mapToLong(Boot::ready).toArray());
        long deployed = median(withRar.stream().mapToLong(Boot::deployed).toArray());
        report.line("6. Start-up of Payara Micro %s (--nocluster), median of %d boots each, alternating, after one "
                + "warm-up boot", microJar.getFileName(), rounds);
        report.line("   bare: %,d ms to ready (Micro says %,d ms) | with the RAR (%,d bytes) deployed at boot: %,d ms "
                        + "(Micro says %,d ms) | the RAR adds %,d ms to boot (%.0f%%); Micro deploys it in %,d ms",
                bareWall, bareReady, Files.size(rar), rarWall, rarReady, rarWall - bareWall,
                (rarWall - bareWall) * 100.0 / bareWall, deployed);
        report.line("      boots (ms to ready): bare %s | with the RAR %s", walls(bare), walls(withRar));
    }

    private Boot boot(boolean deployRar, String name) throws Exception {
        Path root = workDir.resolve(name);
        Files.createDirectories(root);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", microJar.toString(), "--nocluster", "--port", String.valueOf(freePort()),
                "--rootDir", root.toString()));
        if (deployRar) {
            command.addAll(List.of("--deploy", rar.toString()));
        }
        long started = System.nanoTime();
        Process micro = new ProcessBuilder(command).redirectErrorStream(true).start();
        long ready = -1;
        long deployed = -1;
        List<String> tail = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(micro.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                tail.add(line);
                if (tail.size() > 20) {
                    tail.remove(0);
                }
                Matcher d = DEPLOYED.matcher(line);
                if (d.find()) {
                    deployed = millis(d.group(1));
                }
                Matcher r = READY.matcher(line);
                if (r.find()) {
                    ready = millis(r.group(1));
                    break;
                }
            }
        } finally {
            long wall = (System.nanoTime() - started) / 1_000_000;
            micro.destroy();
            if (!micro.waitFor(30, TimeUnit.SECONDS)) {
                micro.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            if (ready < 0 || (deployRar && deployed < 0)) {
                throw new IOException("Payara Micro (" + name + ") did not report " + (ready < 0 ? "ready" : "the "
                        + "RAR's deployment") + "; its last lines: " + String.join("\n", tail));
            }
            return new Boot(wall, ready, deployed);
        }
    }

    private static long millis(String figure) {
        return Long.parseLong(figure.replace(",", ""));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String walls(List<Boot> boots) {
        return String.join(", ", boots.stream().map(b -> String.format(java.util.Locale.ROOT, "%,d", b.wall()))
                .toList());
    }
}
