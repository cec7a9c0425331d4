package org.m365mail.outbox;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Reads a message's bytes back from {@value OutboxSchema#PARTS}, one chunk (one row) at a time. */
final class PartReader extends InputStream {

    private final Connection connection;
    private final PreparedStatement select;
    private final String id;
    private byte[] chunk = new byte[0];
    private int pos;
    private int seq;
    private boolean ended;
    /** The bytes the row says the message has: once read, no query is needed to find the end. */
    private final long size;
    private long read;

    /** Reads on {@code connection}, which stays open after the reader is closed. */
    PartReader(Connection connection, String id, long size) throws SQLException {
        this.connection = connection;
        this.select = connection.prepareStatement("SELECT DATA FROM " + OutboxSchema.PARTS
                + " WHERE ID = ? AND SEQ = ?");
        this.id = id;
        this.size = size;
    }

    private boolean fill() throws IOException {
        if (ended || read >= size) {
            return false;
        }
        int part = seq++;
        try {
            select.setString(1, id);
            select.setInt(2, part);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    ended = true;
                    return false;
                }
                chunk = rs.getBytes(1);
                pos = 0;
                read += chunk.length;
                return true;
            }
        } catch (SQLException e) {
            throw new IOException("Reading part " + part + " of outbox entry " + id + " failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public int read() throws IOException {
        while (pos >= chunk.length) {
            if (!fill()) {
                return -1;
            }
        }
        return chunk[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (pos >= chunk.length) {
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        try {
            select.close();
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }
}
