package org.m365mail.outbox;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox's tables on H2: created once, also when the connection is in a transaction or another instance creates
 * them at the same moment; and a message's content written and read back a chunk at a time, byte by byte or in
 * blocks, with a missing chunk or a broken connection told apart from the end.
 */
class OutboxTablesTest {

    private final JdbcDataSource ds = new JdbcDataSource();

    OutboxTablesTest() {
        ds.setURL("jdbc:h2:mem:outbox-tables-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    @AfterEach
    void stop() throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }

    private boolean tableSeenFrom(Connection other) throws SQLException {
        try (ResultSet rs = other.getMetaData().getTables(null, null, OutboxSchema.TABLE, null)) {
            return rs.next();
        }
    }

    /** {@code real}, with {@code handler} answering the calls it chooses and the rest passed on. */
    private static <T> T wrap(Class<T> type, T real, Handler handler) {
        return type.cast(Proxy.newProxyInstance(OutboxTablesTest.class.getClassLoader(), new Class<?>[]{type},
                (proxy, method, args) -> {
                    Object replaced = handler.handle(method, args);
                    if (replaced != null) {
                        return replaced;
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }

    private interface Handler {
        /** A result in place of the real call's, or null to make the real call. */
        Object handle(Method method, Object[] args) throws Throwable;
    }

    @Test
    void theTablesAreCreatedAndCommittedInATransactionAndLeftAloneOnceThere() throws Exception {
        try (Connection c = ds.getConnection(); Connection other = ds.getConnection()) {
            c.setAutoCommit(false);
            OutboxSchema.ensure(c);
            assertTrue(tableSeenFrom(other), "committed: another session sees them");
            OutboxSchema.ensure(c);
            c.setAutoCommit(true);
            OutboxSchema.ensure(c);
        }
    }

    @Test
    void tablesAnotherInstanceCreatedAtTheSameMomentAreTakenAsTheyAre() throws Exception {
        try (Connection real = ds.getConnection()) {
            OutboxSchema.ensure(real);
            real.setAutoCommit(false);
            // The first look finds no table (the other instance had not committed yet); the DDL then fails.
            AtomicInteger looks = new AtomicInteger();
            AtomicInteger rollbacks = new AtomicInteger();
            Connection racing = wrap(Connection.class, real, (method, args) -> {
                if (method.getName().equals("rollback")) {
                    rollbacks.incrementAndGet();
                }
                if (method.getName().equals("getMetaData") && looks.getAndIncrement() == 0) {
                    DatabaseMetaData meta = real.getMetaData();
                    return wrap(DatabaseMetaData.class, meta, (m, a) -> m.getName().equals("getTables")
                            ? meta.getTables(null, null, "NO_SUCH_TABLE", null) : null);
                }
                return null;
            });
            OutboxSchema.ensure(racing);
            assertEquals(1, rollbacks.get(), "the failed DDL is rolled back");
        }
    }

    @Test
    void aDatabaseThatRefusesTheTablesSaysWhy() throws Exception {
        try (Connection real = ds.getConnection()) {
            Connection refusing = wrap(Connection.class, real, (method, args) -> {
                if (method.getName().equals("createStatement")) {
                    throw new SQLException("permission denied to create table", "42501");
                }
                return null;
            });
            SQLException e = assertThrows(SQLException.class, () -> OutboxSchema.ensure(refusing));
            assertEquals("42501", e.getSQLState());
            assertFalse(tableSeenFrom(real));
        }
    }

    /** Writes {@code content} as the parts of {@code id}, {@code byteByByte} or in one block; returns the size. */
    private long write(Connection c, String id, byte[] content, boolean byteByByte) throws Exception {
        try (PartWriter out = new PartWriter(c, id)) {
            if (byteByByte) {
                for (byte b : content) {
                    out.write(b);
                }
            } else {
                out.write(content, 0, content.length);
            }
            out.close();
            return out.size();
        }
    }

    private long parts(Connection c, String id) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM "
                + OutboxSchema.PARTS + " WHERE ID = '" + id + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void contentIsWrittenInChunksAndReadBackByteByByteOrInBlocks() throws Exception {
        byte[] content = new byte[2 * OutboxSchema.CHUNK_BYTES + 17];
        new Random(7).nextBytes(content);
        try (Connection c = ds.getConnection()) {
            OutboxSchema.ensure(c);
            assertEquals(content.length, write(c, "single", content, true));
            assertEquals(content.length, write(c, "block", content, false));
            assertEquals(3, parts(c, "single"), "two full chunks and the rest");
            assertEquals(3, parts(c, "block"));
            assertEquals(0, write(c, "empty", new byte[0], false));
            assertEquals(0, parts(c, "empty"), "no empty chunk");

            try (InputStream in = new PartReader(c, "single", content.length)) {
                byte[] back = new byte[content.length];
                for (int i = 0; i < back.length; i++) {
                    int b = in.read();
                    assertTrue(b >= 0 && b <= 255, "a byte, not a sign-extended one: " + b);
                    back[i] = (byte) b;
                }
                assertArrayEquals(content, back);
                assertEquals(-1, in.read(), "the end");
                assertEquals(0, in.read(new byte[4], 0, 0), "nothing asked, nothing read");
            }
            try (InputStream in = new PartReader(c, "block", content.length)) {
                List<byte[]> blocks = new ArrayList<>();
                byte[] buffer = new byte[100_000];
                int n;
                while ((n = in.read(buffer, 0, buffer.length)) > 0) {
                    assertTrue(n <= OutboxSchema.CHUNK_BYTES);
                    blocks.add(java.util.Arrays.copyOf(buffer, n));
                }
                assertEquals(-1, in.read(buffer, 0, buffer.length));
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                for (byte[] b : blocks) {
                    all.write(b);
                }
                assertArrayEquals(content, all.toByteArray());
            }
        }
    }

    @Test
    void aMissingChunkEndsTheContentEarlyAndABrokenConnectionIsAnError() throws Exception {
        byte[] content = new byte[OutboxSchema.CHUNK_BYTES + 10];
        try (Connection c = ds.getConnection()) {
            OutboxSchema.ensure(c);
            write(c, "gap", content, false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM " + OutboxSchema.PARTS + " WHERE ID = 'gap' AND SEQ = 1");
            }
            try (InputStream in = new PartReader(c, "gap", content.length)) {
                assertEquals(OutboxSchema.CHUNK_BYTES, in.readAllBytes().length, "the first chunk, then the end");
                assertEquals(-1, in.read());
            }
            try (InputStream in = new PartReader(c, "nothing", 5)) {
                assertEquals(-1, in.read(), "no chunk at all");
            }
        }
        Connection closing = ds.getConnection();
        InputStream broken = new PartReader(closing, "gap", content.length);
        closing.close();
        IOException e = assertThrows(IOException.class, broken::read);
        assertTrue(e.getMessage().contains("Reading part 0 of outbox entry gap failed"), e.getMessage());
        assertTrue(e.getCause() instanceof SQLException, String.valueOf(e.getCause()));
    }

    @Test
    void aChunkThatCannotBeStoredFailsTheWriteWithTheDatabasesError() throws Exception {
        try (Connection c = ds.getConnection()) {
            OutboxSchema.ensure(c);
            write(c, "twice", new byte[10], false);
            IOException e = assertThrows(IOException.class, () -> write(c, "twice", new byte[10], true));
            assertTrue(e.getCause() instanceof SQLException sql && sql.getSQLState().startsWith("23"),
                    String.valueOf(e.getCause()));
        }
    }
}
