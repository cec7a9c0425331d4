package org.m365mail;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The adapter's package map, and the rules that keep it (docs/architecture.md): dependencies point one way, from
 * {@code outbound} through the transports to {@code auth} and {@code config}; no dependency hides behind a
 * fully-qualified name; nothing is static and mutable (what lives as long as a deployment belongs to its
 * {@code ConnectorRuntime}).
 */
class ArchitectureTest {

    private static final Path SOURCES = Path.of("src/main/java/org/m365mail");

    /** Which of the connector's packages each package may use. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("api", Set.of()),
            Map.entry("admin", Set.of("api")),
            Map.entry("config", Set.of()),
            Map.entry("logging", Set.of()),
            Map.entry("runtime", Set.of()),
            Map.entry("http", Set.of("config")),
            Map.entry("monitor", Set.of("api", "admin")),
            Map.entry("alert", Set.of("api", "config", "logging", "monitor")),
            Map.entry("auth", Set.of("api", "admin", "config", "http", "logging", "monitor", "runtime")),
            Map.entry("policy", Set.of("api", "config", "logging", "monitor", "runtime")),
            Map.entry("transport", Set.of("api")),
            Map.entry("transport.graph", Set.of("api", "auth", "config", "http", "logging", "monitor", "policy",
                    "runtime", "transport")),
            Map.entry("transport.smtp", Set.of("api", "auth", "config", "http", "logging", "monitor", "policy",
                    "runtime", "transport")),
            Map.entry("delivery", Set.of("api", "config", "logging", "monitor", "policy", "transport")),
            Map.entry("outbox", Set.of("api", "config", "delivery", "logging", "monitor", "policy", "runtime")),
            Map.entry("ra", Set.of("delivery", "runtime")),
            Map.entry("outbound", Set.of("api", "admin", "alert", "auth", "config", "http", "logging", "monitor",
                    "delivery", "outbox", "policy", "ra", "runtime", "transport", "transport.graph",
                    "transport.smtp")));

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?org\\.m365mail\\.([a-z.]+?)\\.[A-Z]",
            Pattern.MULTILINE);
    /** A static field that holds state: a collection, an executor, a counter, a thread-local. */
    private static final Pattern STATIC_STATE = Pattern.compile(
            "^\\s*(?:private |public |protected )?static (?!final)[^(\\n]*[=;]|"
                    + "^\\s*(?:private |public |protected )?static final [^=(\\n]*= *(?:new (?:Concurrent|Hash|Array|Linked|"
                    + "Tree|Atomic|ThreadLocal|Copy)|Executors\\.|Collections\\.synchronized)", Pattern.MULTILINE);

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    private static String packageOf(Path file) {
        return SOURCES.relativize(file.getParent()).toString().replace('/', '.').replace('\\', '.');
    }

    @Test
    void dependenciesPointOneWay() throws IOException {
        List<String> backArrows = new ArrayList<>();
        for (Path file : sources()) {
            String from = packageOf(file);
            Set<String> allowed = ALLOWED.get(from);
            if (allowed == null) {
                backArrows.add(file + ": package " + from + " is not on the map (ArchitectureTest.ALLOWED)");
                continue;
            }
            Matcher m = IMPORT.matcher(Files.readString(file));
            while (m.find()) {
                String to = m.group(1);
                if (!to.equals(from) && !allowed.contains(to)) {
                    backArrows.add(file.getFileName() + ": " + from + " -> " + to);
                }
            }
        }
        assertEquals(List.of(), backArrows);
    }

    @Test
    void noDependencyHidesBehindAFullyQualifiedName() throws IOException {
        List<String> hidden = new ArrayList<>();
        for (Path file : sources()) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.contains("org.m365mail.") && !line.startsWith("package ") && !line.startsWith("import ")
                        && !line.startsWith("*") && !line.startsWith("/*") && !line.startsWith("//")) {
                    hidden.add(file.getFileName() + ":" + (i + 1) + ": " + line);
                }
            }
        }
        assertEquals(List.of(), hidden);
    }

    @Test
    void nothingIsStaticAndMutable() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : sources()) {
            Matcher m = STATIC_STATE.matcher(Files.readString(file));
            while (m.find()) {
                found.add(file.getFileName() + ": " + m.group().trim());
            }
        }
        assertEquals(List.of(), found);
    }
}
