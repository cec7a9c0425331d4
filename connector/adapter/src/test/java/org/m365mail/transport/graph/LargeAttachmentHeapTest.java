package org.m365mail.transport.graph;

import org.junit.jupiter.api.Test;

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
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 100 MB attachment sent through Graph by a JVM whose whole heap is 128 MB: possible only when the connector
 * streams the attachment rather than holding it (or its base64) in memory.
 */
class LargeAttachmentHeapTest {

    private static final Logger LOG = Logger.getLogger(LargeAttachmentHeapTest.class.getName());
    static final int SIZE = 100 * 1024 * 1024;

    /** Writes {@code size} random bytes to {@code file}; returns their SHA-256. */
    static String randomFile(Path file, long size) throws Exception {
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

    @Test
    void aHundredMegabyteAttachmentSendsThroughGraphWithA128MegabyteHeap() throws Exception {
        Path file = Path.of("target/attachment-100mb.bin");
        String sha = randomFile(file, SIZE);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), "-Xmx" + System.getProperty("heapCheck.xmx", "128m"), "-cp",
                System.getProperty("java.class.path"), HeapBoundedSend.class.getName(), file.toString(), sha, "GRAPH",
                "target/heap-graph"))
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(5, TimeUnit.MINUTES), "the send finished");
        output.lines().filter(l -> l.contains("PEAK_HEAP_BYTES")).forEach(LOG::info);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("RESULT=OK"), output);
        Files.deleteIfExists(file);
    }
}
