package org.m365mail.outbox;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Writes a message's bytes into {@value OutboxSchema#PARTS} as they come, a chunk per row, so the whole message is
 * never in memory at once.
 */
final class PartWriter extends OutputStream {

    private final PreparedStatement insert;
    private final String id;
    private final byte[] chunk = new byte[OutboxSchema.CHUNK_BYTES];
    private int filled;
    private int seq;
    private long size;

    PartWriter(Connection c, String id) throws SQLException {
        this.insert = c.prepareStatement("INSERT INTO " + OutboxSchema.PARTS + " (ID, SEQ, DATA) VALUES (?, ?, ?)");
        this.id = id;
    }

    @Override
    public void write(int b) throws IOException {
        if (filled == chunk.length) {
            flushChunk();
        }
        chunk[filled++] = (byte) b;
        size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (filled == chunk.length) {
                flushChunk();
            }
            int n = Math.min(len, chunk.length - filled);
            System.arraycopy(b, off, chunk, filled, n);
            filled += n;
            off += n;
            len -= n;
            size += n;
        }
    }

    private void flushChunk() throws IOException {
        if (filled == 0) {
            return;
        }
        try {
            insert.setString(1, id);
            insert.setInt(2, seq++);
            insert.setBytes(3, filled == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, filled));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IOException(e);
        }
        filled = 0;
    }

    /** The bytes written so far. */
    long size() {
        return size;
    }

    /** Writes the last chunk and ends the statement. */
    @Override
    public void close() throws IOException {
        try {
            flushChunk();
        } finally {
            try {
                insert.close();
            } catch (SQLException e) {
                throw new IOException(e);
            }
        }
    }
}
