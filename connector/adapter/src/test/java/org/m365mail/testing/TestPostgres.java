package org.m365mail.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests, from Debian's {@code postgresql} package ({@code run-tests.sh} installs it
 * when missing): a fresh cluster in {@code target/}, on a free loopback port, trust authentication, removed after.
 * PostgreSQL refuses to run as root, so as root the cluster is made and run as the package's {@code postgres} user.
 */
public final class TestPostgres implements AutoCloseable {

    private final Path bin;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;

    private TestPostgres(Path bin, Path dataDir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dataDir = dataDir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** Where Debian puts the server's programs: the newest {@code /usr/lib/postgresql/N/bin} with an initdb. */
    public static Optional<Path> binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(p -> Integer.parseInt(p.getParent().getFileName().toString()
                            .replaceAll("\\D", "0"))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Starts a new cluster under {@code parent}. */
    public static TestPostgres start(Path parent) throws IOException, InterruptedException {
        Path bin = binaries().orElseThrow(() -> new IllegalStateException("PostgreSQL is not installed: "
                + "apt-get install postgresql (run-tests.sh does)"));
        boolean root = "root".equals(System.getProperty("user.name"));
        Files.createDirectories(parent);
        Path dataDir = Files.createTempDirectory(parent.toAbsolutePath(), "pg-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        TestPostgres pg = new TestPostgres(bin, dataDir, port, root);
        if (root) {
            run(List.of("chown", "-R", "postgres:postgres", dataDir.toString()));
            run(List.of("chmod", "o+x", parent.toAbsolutePath().toString()));
            for (Path p = parent.toAbsolutePath(); p != null; p = p.getParent()) {
                // The postgres user must reach the directory.
                p.toFile().setExecutable(true, false);
            }
        }
        pg.runAs(List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", "test", "-A", "trust",
                "-E", "UTF8", "--no-sync"));
        pg.runAs(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-w", "-t", "60", "-l",
                dataDir.resolve("server.log").toString(), "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k "
                        + dataDir + " -c fsync=off -c max_connections=200", "start"));
        return pg;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=test";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /** A plain data source (the driver's own, no pool). */
    public javax.sql.DataSource dataSource() {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(jdbcUrl());
        return ds;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        runAs(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop"));
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void runAs(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
