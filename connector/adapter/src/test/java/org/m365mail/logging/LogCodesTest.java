package org.m365mail.logging;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every line the connector and its console log carries a code that means one thing: each code is written once in the
 * sources (adapter and console), and the tables of the README and docs/guide.md list each once, with the level it is logged at.
 */
class LogCodesTest {

    private static final List<Path> SOURCES = List.of(Path.of("src/main/java"), Path.of("../../console/src/main/java"));
    /** Where the codes are listed for administrators: the README, and the guide's troubleshooting section. */
    private static final List<Path> TABLES = List.of(Path.of("../../README.md"), Path.of("../../docs/guide.md"));
    /** A logging call, up to the end of its statement. */
    private static final Pattern LOG_CALL = Pattern.compile(
            "LOG\\.(log|info|warning|severe|fine|finer|finest|config)\\((.*?)\\);", Pattern.DOTALL);
    private static final Pattern CODE_IN_STRING = Pattern.compile("\"M365MAIL-(\\d{4})");
    private static final Pattern LEVEL = Pattern.compile("^\\s*Level\\.([A-Z]+)");
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `M365MAIL-(\\d{4})` \\| ([^|]+) \\|",
            Pattern.MULTILINE);

    private record Use(String file, String level) {
    }

    private static List<Path> javaFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path root : SOURCES) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
            }
        }
        return files;
    }

    @Test
    void everyLoggingCallCarriesACodeAndEachCodeIsWrittenOnce() throws IOException {
        List<String> uncoded = new ArrayList<>();
        Map<String, List<String>> written = new TreeMap<>();
        for (Path file : javaFiles()) {
            String source = Files.readString(file);
            Matcher call = LOG_CALL.matcher(source);
            while (call.find()) {
                if (!CODE_IN_STRING.matcher(call.group(2)).find()) {
                    uncoded.add(file.getFileName() + ": LOG." + call.group(1) + "("
                            + call.group(2).replaceAll("\\s+", " ").substring(0, Math.min(80, call.group(2).length())));
                }
            }
            Matcher code = CODE_IN_STRING.matcher(source);
            while (code.find()) {
                written.computeIfAbsent(code.group(1), c -> new ArrayList<>()).add(file.getFileName().toString());
            }
        }
        assertEquals(List.of(), uncoded, "logging calls without a code");
        Map<String, List<String>> repeated = new TreeMap<>();
        written.forEach((code, files) -> {
            if (files.size() > 1) {
                repeated.put(code, files);
            }
        });
        assertEquals(Map.of(), repeated, "codes written more than once");
        assertTrue(written.size() > 50, "found the codes: " + written.keySet());
    }

    @Test
    void theReadmeListsEveryCodeOnceAtItsLevel() throws IOException {
        Map<String, Use> uses = new HashMap<>();
        for (Path file : javaFiles()) {
            Matcher call = LOG_CALL.matcher(Files.readString(file));
            while (call.find()) {
                Matcher code = CODE_IN_STRING.matcher(call.group(2));
                if (code.find()) {
                    String level = call.group(1).toUpperCase(Locale.ROOT);
                    if (level.equals("LOG")) {
                        Matcher l = LEVEL.matcher(call.group(2));
                        level = l.find() ? l.group(1) : "computed";
                    }
                    uses.put(code.group(1), new Use(file.getFileName().toString(), level));
                }
            }
        }
        for (Path table : TABLES) {
            Map<String, String> listed = new TreeMap<>();
            List<String> twice = new ArrayList<>();
            Matcher row = TABLE_ROW.matcher(Files.readString(table));
            while (row.find()) {
                if (listed.put(row.group(1), row.group(2).trim()) != null) {
                    twice.add(row.group(1));
                }
            }
            assertEquals(List.of(), twice, "listed twice in " + table);
            assertEquals(new TreeMap<>(uses).keySet(), listed.keySet(), "the table in " + table
                    + " and the sources differ");
            List<String> wrongLevel = new ArrayList<>();
            uses.forEach((code, use) -> {
                if (!use.level().equals("computed") && !listed.get(code).startsWith(use.level())) {
                    wrongLevel.add(code + ": logged at " + use.level() + " in " + use.file() + ", " + table
                            + " says " + listed.get(code));
                }
            });
            assertEquals(List.of(), wrongLevel);
        }
    }
}
