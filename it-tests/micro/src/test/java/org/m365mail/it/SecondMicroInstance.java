package org.m365mail.it;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A second Payara Micro instance, started by hand beside the one Arquillian manages, in the same Hazelcast cluster
 * (TCP on loopback), with the same post-boot commands (RAR, pools, console) and the test application.
 */
final class SecondMicroInstance implements AutoCloseable {

    private final Process process;
    private final int httpPort;
    private final Path log;

    private SecondMicroInstance(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    static SecondMicroInstance start(Path application) throws IOException {
        int httpPort = Integer.getInteger("micro.b.http.port");
        Path dir = Path.of(System.getProperty("sandbox.workDir")).getParent().resolve("micro-b");
        Files.createDirectories(dir.resolve("tmp"));
        Path log = dir.resolve("micro-b.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dhazelcast.socket.bind.any=false", "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-jar", System.getProperty("payara.microJar"),
                "--name", "micro-b", "--port", String.valueOf(httpPort),
                "--startPort", System.getProperty("hazelcast.b.port"),
                "--postbootcommandfile", System.getProperty("postboot.file"),
                "--deploy", application.toString()));
        command.addAll(List.of(System.getProperty("cluster.options").split(" ")));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new SecondMicroInstance(process, httpPort, log);
    }

    /** The instance's base URL once its applications answer. */
    URI awaitReady(Duration limit) throws Exception {
        URI probe = URI.create("http://127.0.0.1:" + httpPort + "/mail-it/token-store?key=probe");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant until = Instant.now().plus(limit);
        while (Instant.now().isBefore(until)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The second Micro instance stopped; see " + log);
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(probe).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() != 404) {
                    return URI.create("http://127.0.0.1:" + httpPort + "/");
                }
            } catch (ConnectException | java.net.http.HttpConnectTimeoutException notYet) {
                // Still booting.
            }
            process.waitFor(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException("The second Micro instance was not ready within " + limit + "; see " + log);
    }

    /** Whether the instance's log says it joined a data grid of two. */
    boolean joinedClusterOfTwo() throws IOException {
        return Files.readString(log).contains("DG Size: 2");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
