package org.m365mail.delivery;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The copy of a message taken when it is handed over: kept in memory up to 1 MiB, beyond that in a temporary file
 * only the server's user can read, deleted when the copy is closed or could not be completed; read back whole and
 * parsed again as it was.
 */
class MessageSnapshotTest {

    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

    private static Set<Path> spillFiles() throws IOException {
        try (Stream<Path> files = Files.list(TMP)) {
            return files.filter(p -> p.getFileName().toString().matches("m365mail-.*\\.eml"))
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }

    private static byte[] message(int bodyBytes) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setSubject("Quarterly figures");
        m.setFrom("reports@contoso.com");
        m.setText("x".repeat(bodyBytes), "US-ASCII");
        m.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    private static byte[] read(MessageSnapshot snapshot) throws IOException {
        try (InputStream in = snapshot.content()) {
            return in.readAllBytes();
        }
    }

    /** Bytes of exactly {@code size}, a valid message: headers then a body of filler. */
    private static byte[] ofSize(int size) {
        byte[] head = "Subject: edge\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'y');
        System.arraycopy(head, 0, bytes, 0, head.length);
        return bytes;
    }

    @Test
    void aSmallMessageIsKeptInMemoryAndReadBackAsItWas() throws Exception {
        Set<Path> before = spillFiles();
        byte[] original = message(100);
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(original));
        try (MessageSnapshot snapshot = MessageSnapshot.of(m)) {
            assertEquals(before, spillFiles());
            assertEquals(original.length, snapshot.size());
            assertArrayEquals(original, read(snapshot));
            assertArrayEquals(original, read(snapshot), "each read starts at the beginning");
            assertEquals("Quarterly figures", snapshot.message().getSubject());
            assertEquals("MessageSnapshot[" + original.length + " bytes]", snapshot.toString());
        }
    }

    @Test
    void aCopyOfExactlyTheLimitStaysInMemoryAndOneByteMoreGoesToAPrivateFileDeletedAtClose() throws Exception {
        Set<Path> before = spillFiles();
        try (MessageSnapshot atLimit = MessageSnapshot.of(new ByteArrayInputStream(
                ofSize(MessageSnapshot.IN_MEMORY_LIMIT)))) {
            assertEquals(before, spillFiles());
            assertEquals(MessageSnapshot.IN_MEMORY_LIMIT, atLimit.size());
        }
        byte[] large = ofSize(MessageSnapshot.IN_MEMORY_LIMIT + 1);
        MessageSnapshot snapshot = MessageSnapshot.of(new ByteArrayInputStream(large));
        Set<Path> made = spillFiles();
        made.removeAll(before);
        assertEquals(1, made.size());
        Path file = made.iterator().next();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(large.length, Files.size(file));
        assertEquals(large.length, snapshot.size());
        assertTrue(snapshot.toString().endsWith(", on disk]"), snapshot.toString());
        assertArrayEquals(large, read(snapshot));
        assertEquals("edge", snapshot.message().getSubject());
        assertEquals("edge", snapshot.message().getSubject(), "read back again from the same file");

        snapshot.close();
        assertFalse(Files.exists(file));
        snapshot.close();
    }

    @Test
    void aLargeMessageWrittenInSmallPiecesIsCopiedWhole() throws Exception {
        byte[] original = message(MessageSnapshot.IN_MEMORY_LIMIT + 5000);
        // MimeMessage.writeTo writes line by line: the spill happens in the middle of a run of small writes.
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(original));
        try (MessageSnapshot snapshot = MessageSnapshot.of(m)) {
            assertEquals(original.length, snapshot.size());
            assertArrayEquals(original, read(snapshot));
        }
    }

    @Test
    void aCopyThatCannotBeCompletedLeavesNoFileAndSaysWhy() throws Exception {
        Set<Path> before = spillFiles();
        InputStream failing = new InputStream() {
            int given;
            boolean closed;

            @Override
            public int read() throws IOException {
                if (given++ > MessageSnapshot.IN_MEMORY_LIMIT + 100) {
                    throw new IOException("disk unplugged");
                }
                return 'z';
            }

            @Override
            public void close() {
                closed = true;
            }
        };
        MailSendException e = assertThrows(MailSendException.class, () -> MessageSnapshot.of(failing));
        assertEquals("Cannot copy the message to send it later: disk unplugged", e.getMessage());
        assertEquals(before, spillFiles());
    }

    @Test
    void theOutboxsStreamIsClosedOnceCopied() throws Exception {
        boolean[] closed = {false};
        InputStream content = new ByteArrayInputStream(ofSize(200)) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        try (MessageSnapshot snapshot = MessageSnapshot.of(content)) {
            assertTrue(closed[0]);
            assertEquals(200, snapshot.size());
        }
    }

    @Test
    void aMessageThatCannotBeWrittenIsRefusedWithTheReason() {
        MimeMessage broken = new MimeMessage(Session.getInstance(new Properties())) {
            @Override
            public void writeTo(java.io.OutputStream os) throws jakarta.mail.MessagingException {
                throw new jakarta.mail.MessagingException("no content");
            }
        };
        MailSendException e = assertThrows(MailSendException.class, () -> MessageSnapshot.of(broken));
        assertEquals("Cannot copy the message to send it later: The message cannot be written: no content",
                e.getMessage());
    }
}
