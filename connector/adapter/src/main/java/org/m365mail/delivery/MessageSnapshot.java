package org.m365mail.delivery;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.SharedByteArrayInputStream;
import jakarta.mail.util.SharedFileInputStream;
import org.m365mail.api.MailSendException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * A copy of a message as it will be sent, taken when the application hands it over: what is sent after a commit, or
 * on another thread, is what the application sent, even if it changes or reuses the message object afterwards.
 *
 * <p>Up to {@value #IN_MEMORY_LIMIT} bytes the copy is kept in memory; a larger one goes to a temporary file readable
 * by the server's user only, deleted by {@link #close()}, and is read back lazily
 * ({@link SharedFileInputStream}), so a 50 MB attachment never lies whole in the heap.
 */
public final class MessageSnapshot implements AutoCloseable {

    static final int IN_MEMORY_LIMIT = 1 << 20;

    private final byte[] bytes;
    private final Path file;
    private final long size;
    private SharedFileInputStream open;

    private MessageSnapshot(byte[] bytes, Path file, long size) {
        this.bytes = bytes;
        this.file = file;
        this.size = size;
    }

    /** Copies a message the sending policy has prepared (its headers saved, its Message-ID set). */
    public static MessageSnapshot of(Message message) throws MailSendException {
        return read(out -> {
            try {
                message.writeTo(out);
            } catch (MessagingException e) {
                throw new IOException("The message cannot be written: " + e.getMessage(), e);
            }
        });
    }

    /** Reads a copy from a stream (the outbox's content), closing it. */
    public static MessageSnapshot of(InputStream content) throws MailSendException {
        try (content) {
            return read(content::transferTo);
        } catch (IOException e) {
            throw new MailSendException("Cannot read the message: " + e.getMessage(), e);
        }
    }

    /** What writes the message's bytes. */
    interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private static MessageSnapshot read(Writer writer) throws MailSendException {
        SpillingStream out = new SpillingStream();
        try (out) {
            writer.writeTo(out);
        } catch (IOException e) {
            out.discard();
            throw new MailSendException("Cannot copy the message to send it later: " + e.getMessage(), e);
        }
        return out.file == null ? new MessageSnapshot(out.memory.toByteArray(), null, out.size)
                : new MessageSnapshot(null, out.file, out.size);
    }

    /** The message's size in bytes, as written. */
    public long size() {
        return size;
    }

    /** The copy's bytes, from the start. */
    public InputStream content() throws IOException {
        return file == null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
    }

    /** The message, parsed again from the copy (content read lazily from the file for a large one). */
    public synchronized MimeMessage message() throws MailSendException {
        Session session = Session.getInstance(new Properties());
        try {
            if (file == null) {
                return new MimeMessage(session, new SharedByteArrayInputStream(bytes));
            }
            if (open == null) {
                open = new SharedFileInputStream(file.toFile());
            }
            return new MimeMessage(session, open.newStream(0, -1));
        } catch (MessagingException | IOException e) {
            throw new MailSendException("Cannot read back the copy of the message: " + e.getMessage(), e);
        }
    }

    /** Deletes the temporary file, if any. Never fails. */
    @Override
    public synchronized void close() {
        if (open != null) {
            try {
                open.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
            open = null;
        }
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                file.toFile().deleteOnExit();
            }
        }
    }

    @Override
    public String toString() {
        return "MessageSnapshot[" + size + " bytes" + (file == null ? "" : ", on disk") + "]";
    }

    /** Memory first; a file once the copy grows beyond {@link #IN_MEMORY_LIMIT}. */
    private static final class SpillingStream extends OutputStream {
        private ByteArrayOutputStream memory = new ByteArrayOutputStream(8192);
        private OutputStream disk;
        private Path file;
        private long size;

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (disk == null && memory.size() + len > IN_MEMORY_LIMIT) {
                file = temporaryFile();
                disk = new java.io.BufferedOutputStream(Files.newOutputStream(file), 65536);
                memory.writeTo(disk);
                memory = null;
            }
            (disk != null ? disk : memory).write(b, off, len);
            size += len;
        }

        @Override
        public void close() throws IOException {
            if (disk != null) {
                disk.close();
            }
        }

        void discard() {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    file.toFile().deleteOnExit();
                }
            }
        }

        private static Path temporaryFile() throws IOException {
            try {
                return Files.createTempFile("m365mail-", ".eml",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                return Files.createTempFile("m365mail-", ".eml");
            }
        }
    }
}
