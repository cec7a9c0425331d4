package org.m365mail.it.ear;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The domain's {@code asadmin}, as an administrator runs it, and {@code jcmd} against the domain's JVM, for what the
 * server's own tools say about the connector.
 */
final class Asadmin {

    /** What a command printed, and whether it succeeded. */
    record Result(int exitCode, String output) {
        boolean succeeded() {
            return exitCode == 0;
        }
    }

    private static final Path HOME = Path.of(System.getProperty("payara.home"));

    private Asadmin() {
    }

    static Result run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", HOME.resolve("bin/asadmin").toString()));
        command.addAll(List.of(arguments));
        return exec(command, 180);
    }

    /** A connector pool's {@code --property} value: pairs joined by ':', a ':' inside a value escaped. */
    static String properties(Map<String, String> values) {
        List<String> pairs = new ArrayList<>();
        values.forEach((name, value) -> pairs.add(name + "=" + value.replace("\\", "\\\\").replace(":", "\\:")));
        return String.join(":", pairs);
    }

    /** {@code jcmd <domain pid> <command...>}. */
    static Result jcmd(String... command) throws IOException, InterruptedException {
        long pid = domainPid().orElseThrow(() -> new IllegalStateException("no Payara Server domain is running"));
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        List<String> line = new ArrayList<>(List.of(java.resolveSibling("jcmd").toString(), String.valueOf(pid)));
        line.addAll(List.of(command));
        return exec(line, 120);
    }

    private static Optional<Long> domainPid() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("ASMain") && c.contains("domain1"))
                        .orElse(false))
                .map(ProcessHandle::pid).findFirst();
    }

    private static Result exec(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
