package org.m365mail.outbox;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.api.OutboxCounts;
import org.m365mail.api.OutboxEntry;
import org.m365mail.config.MailSettings;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.policy.SendingPolicy;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.testing.ManualClock;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox's table, statement by statement, on an H2 database of each test's own and a clock the test moves: what
 * each state change writes, which rows a claim, an expiry or a purge may touch (due ones, this mailbox's, this
 * instance's), and the error each failing database call gives. {@link OutboxTest} runs the same code on PostgreSQL
 * through the delivering threads.
 */
class JdbcOutboxTest {

    static final String KEY = "GRAPH:notifications@contoso.com";
    static final String OWNER = "m365mail-test-owner";
    private static final Duration LEASE = Duration.ofMinutes(2);

    private final ManualClock clock = new ManualClock();
    private final ConnectorRuntime runtime = new ConnectorRuntime("jdbc-outbox-test");
    private final ExecutorService own = Executors.newSingleThreadExecutor();
    private final JdbcDataSource ds = new JdbcDataSource();
    /** How many connections were asked of the data source. */
    private final AtomicInteger connections = new AtomicInteger();
    private final JdbcOutbox outbox;

    JdbcOutboxTest() throws Exception {
        ds.setURL("jdbc:h2:mem:jdbc-outbox-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        outbox = outbox(KEY, counting(ds, connections));
    }

    @AfterEach
    void stop() throws Exception {
        own.shutdownNow();
        runtime.close();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }

    static MailSettings settings() throws Exception {
        MailManagedConnectionFactory p = new MailManagedConnectionFactory();
        p.setTenantId("contoso.onmicrosoft.com");
        p.setClientId("8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736");
        p.setClientSecret("client-secret-value");
        p.setFromAddress("notifications@contoso.com");
        return MailSettings.validate(p);
    }

    private JdbcOutbox outbox(String key, DataSource source) throws Exception {
        return new JdbcOutbox("jdbc/outbox", () -> source, key, new SendingPolicy(settings(), runtime, clock), clock,
                own);
    }

    /** {@code source}, counting the connections asked of it in {@code count}. */
    static DataSource counting(DataSource source, AtomicInteger count) {
        return (DataSource) Proxy.newProxyInstance(JdbcOutboxTest.class.getClassLoader(),
                new Class<?>[]{DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        count.incrementAndGet();
                    }
                    try {
                        return method.invoke(source, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** A data source that cannot give a connection, as a database that is down. */
    static DataSource down() {
        return (DataSource) Proxy.newProxyInstance(JdbcOutboxTest.class.getClassLoader(),
                new Class<?>[]{DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        throw new SQLException("Connection refused: the database is down", "08001");
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    static MimeMessage message(String subject, String text) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom("notifications@contoso.com");
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("someone@fabrikam.com"));
        m.setSubject(subject);
        m.setText(text);
        return m;
    }

    private String enqueue(String subject) throws Exception {
        return enqueue(outbox, message(subject, "body of " + subject));
    }

    private String enqueue(JdbcOutbox into, MimeMessage m) throws Exception {
        try (Connection c = ds.getConnection()) {
            return into.enqueue(c, m);
        }
    }

    private JdbcOutbox.Claim claim() throws Exception {
        try (Connection c = outbox.connection()) {
            return outbox.claimNext(c, OWNER, LEASE, 10).orElseThrow();
        }
    }

    /** One column of the row of {@code messageId}, as JDBC gives it (null when NULL). */
    private Object column(String messageId, String column) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("SELECT " + column + " FROM "
                + OutboxSchema.TABLE + " WHERE MESSAGE_ID = ?")) {
            s.setString(1, messageId);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next(), "no row for " + messageId);
                return rs.getObject(1);
            }
        }
    }

    private long parts(String id) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM "
                + OutboxSchema.PARTS + " WHERE ID = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static byte[] bytes(MimeMessage m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    @Test
    void aMessageIsWrittenWaitingAndDueNowWithItsBytesInChunks() throws Exception {
        // Three chunks and a bit: 256 KiB each.
        MimeMessage big = message("big", "x".repeat(3 * OutboxSchema.CHUNK_BYTES + 1000));
        String messageId = enqueue(outbox, big);
        assertEquals(big.getHeader("Message-ID")[0], messageId);
        byte[] expected = bytes(big);

        assertEquals("WAITING", column(messageId, "STATE"));
        assertEquals(KEY, column(messageId, "OUTBOX_KEY"));
        assertEquals(0, ((Number) column(messageId, "ATTEMPTS")).intValue());
        assertEquals(clock.millis(), ((Number) column(messageId, "CREATED_AT")).longValue());
        assertEquals(clock.millis(), ((Number) column(messageId, "NEXT_ATTEMPT_AT")).longValue());
        assertEquals((long) expected.length, ((Number) column(messageId, "SIZE_BYTES")).longValue());
        String id = (String) column(messageId, "ID");
        assertEquals((expected.length + OutboxSchema.CHUNK_BYTES - 1) / OutboxSchema.CHUNK_BYTES, parts(id));

        JdbcOutbox.Claim claim = claim();
        assertEquals(new JdbcOutbox.Claim(id, messageId, 1, clock.instant().truncatedTo(
                java.time.temporal.ChronoUnit.MILLIS), expected.length), claim);
        try (Connection c = outbox.connection(); InputStream in = outbox.content(c, claim)) {
            assertArrayEquals(expected, in.readAllBytes(), "read back as written");
        }
    }

    @Test
    void aClaimTakesTheEarliestDueMessageOfThisMailboxOnceAndHoldsItForTheLease() throws Exception {
        String first = enqueue("first");
        clock.advance(Duration.ofSeconds(1));
        String second = enqueue("second");
        enqueue(outbox(KEY.replace("notifications", "other"), ds), message("another mailbox's", "x"));

        try (Connection c = outbox.connection()) {
            // With one candidate to pick from, the order decides: the earliest first.
            JdbcOutbox.Claim claim = outbox.claimNext(c, OWNER, LEASE, 1).orElseThrow();
            assertEquals(first, claim.messageId());
            assertEquals("SENDING", column(first, "STATE"));
            assertEquals(OWNER, column(first, "CLAIMED_BY"));
            assertEquals(clock.millis() + LEASE.toMillis(), ((Number) column(first, "LEASE_UNTIL")).longValue());
            assertEquals(1, ((Number) column(first, "ATTEMPTS")).intValue());

            // A spread of 0 still looks at one.
            assertEquals(second, outbox.claimNext(c, OWNER, LEASE, 0).orElseThrow().messageId());
            assertTrue(outbox.claimNext(c, OWNER, LEASE, 10).isEmpty(), "the other mailbox's is never claimed");
        }
        assertEquals(new OutboxCounts(0, 2, 0, 0, 0), outbox.counts());
    }

    @Test
    void aMessagePutBackForLaterIsNotClaimedBeforeThenAndCarriesItsShortenedError() throws Exception {
        String messageId = enqueue("later");
        JdbcOutbox.Claim claim = claim();
        Instant next = clock.instant().plusSeconds(30);
        try (Connection c = outbox.connection()) {
            outbox.retryAt(c, claim, OWNER, next, "e".repeat(5000));
            assertEquals("WAITING", column(messageId, "STATE"));
            assertNull(column(messageId, "CLAIMED_BY"));
            assertNull(column(messageId, "LEASE_UNTIL"));
            assertEquals(next.toEpochMilli(), ((Number) column(messageId, "NEXT_ATTEMPT_AT")).longValue());
            String error = (String) column(messageId, "LAST_ERROR");
            assertEquals(2000, error.length(), "fits the column");
            assertTrue(error.endsWith("e…"), "marked as shortened");

            clock.advance(Duration.ofSeconds(29));
            assertTrue(outbox.claimNext(c, OWNER, LEASE, 10).isEmpty(), "not due yet");
            clock.advance(Duration.ofSeconds(1));
            JdbcOutbox.Claim again = outbox.claimNext(c, OWNER, LEASE, 10).orElseThrow();
            assertEquals(2, again.attempts(), "the second attempt");
        }
        List<OutboxEntry> entries = outbox.entries(OutboxEntry.State.SENDING, 10);
        assertEquals(1, entries.size());
    }

    @Test
    void anErrorThatFitsIsKeptWhole() throws Exception {
        String messageId = enqueue("short error");
        try (Connection c = outbox.connection()) {
            outbox.settle(c, claim(), OWNER, OutboxEntry.State.FAILED, "e".repeat(2000));
        }
        assertEquals("e".repeat(2000), column(messageId, "LAST_ERROR"));
        assertEquals(clock.millis(), ((Number) column(messageId, "NEXT_ATTEMPT_AT")).longValue());
    }

    @Test
    void deliveredRecordsTheServiceReferenceAndDropsTheContentButOnlyForTheClaimsOwner() throws Exception {
        String messageId = enqueue("delivered");
        JdbcOutbox.Claim claim = claim();
        try (Connection c = outbox.connection()) {
            outbox.settle(c, claim, "another-instance", OutboxEntry.State.FAILED, "not mine to settle");
            outbox.delivered(c, claim, "another-instance", "ref");
            assertEquals("SENDING", column(messageId, "STATE"), "another instance's record changes nothing");

            clock.advance(Duration.ofMillis(1500));
            outbox.delivered(c, claim, OWNER, "r".repeat(1200));
        }
        assertEquals("DELIVERED", column(messageId, "STATE"));
        assertEquals(clock.millis(), ((Number) column(messageId, "DELIVERED_AT")).longValue());
        assertEquals(1000, ((String) column(messageId, "SERVICE_REFERENCE")).length());
        assertNull(column(messageId, "CLAIMED_BY"));
        assertNull(column(messageId, "LEASE_UNTIL"));
        assertNull(column(messageId, "LAST_ERROR"));
        assertEquals(0, parts(claim.id()), "the content is removed");

        OutboxEntry entry = outbox.entries(OutboxEntry.State.DELIVERED, 5).get(0);
        assertEquals(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), entry.deliveredAt());
        assertNull(entry.nextAttemptAt(), "only a waiting message has a next attempt");
        assertEquals(1, entry.attempts());
    }

    @Test
    void anExpiredClaimIsFoundOnceItsLeaseHasPassedAndThenHeldOrPutBack() throws Exception {
        String held = enqueue("held");
        clock.advance(Duration.ofMillis(1));
        String resent = enqueue("resent");
        enqueue(outbox(KEY.replace("notifications", "other"), ds), message("another mailbox's", "x"));
        JdbcOutbox other = outbox(KEY.replace("notifications", "other"), ds);
        try (Connection c = outbox.connection()) {
            JdbcOutbox.Claim first = outbox.claimNext(c, "dead-instance", LEASE, 1).orElseThrow();
            assertEquals(held, first.messageId());
            clock.advance(Duration.ofSeconds(1));
            JdbcOutbox.Claim second = outbox.claimNext(c, "dead-instance", LEASE, 1).orElseThrow();
            assertEquals(resent, second.messageId());
            other.claimNext(c, "dead-instance", Duration.ZERO, 1).orElseThrow();

            clock.advance(LEASE.minusSeconds(1));
            assertEquals(List.of(), outbox.expireLeases(c, false), "the first lease ends now: not yet passed");
            clock.advance(Duration.ofMillis(1));
            assertEquals(List.of(held), outbox.expireLeases(c, false));
            clock.advance(Duration.ofSeconds(1));
            assertEquals(List.of(resent), outbox.expireLeases(c, true));
            assertEquals(List.of(), outbox.expireLeases(c, true), "each found once");
        }
        assertEquals("IN_DOUBT", column(held, "STATE"));
        assertEquals("WAITING", column(resent, "STATE"));
        assertEquals(clock.millis(), ((Number) column(resent, "NEXT_ATTEMPT_AT")).longValue());
        String error = (String) column(held, "LAST_ERROR");
        assertTrue(error.contains("dead-instance") && error.contains("unknown"), error);
        assertNull(column(held, "CLAIMED_BY"));
        assertNull(column(resent, "LEASE_UNTIL"));
        assertEquals(new OutboxCounts(0, 1, 0, 0, 0), other.counts(), "another mailbox's claim is left to it");
    }

    @Test
    void deliveredMessagesArePurgedOnlyWhenOlderThanTheLimitAndOnlyThisMailboxs() throws Exception {
        String old = enqueue("old");
        clock.advance(Duration.ofMillis(1));
        String recent = enqueue("recent");
        clock.advance(Duration.ofMillis(1));
        String waiting = enqueue("waiting");
        JdbcOutbox other = outbox(KEY.replace("notifications", "other"), ds);
        String othersOld = enqueue(other, message("another mailbox's", "x"));
        try (Connection c = outbox.connection()) {
            outbox.delivered(c, outbox.claimNext(c, OWNER, LEASE, 1).orElseThrow(), OWNER, "a");
            other.delivered(c, other.claimNext(c, OWNER, LEASE, 1).orElseThrow(), OWNER, "c");
            Instant cut = clock.instant().plusMillis(1);
            clock.advance(Duration.ofMillis(1));
            outbox.delivered(c, outbox.claimNext(c, OWNER, LEASE, 1).orElseThrow(), OWNER, "b");
            assertEquals(1, outbox.purgeDelivered(c, cut));
            assertEquals(0, outbox.purgeDelivered(c, cut), "the one delivered at the cut stays");
        }
        assertEquals(new OutboxCounts(1, 0, 1, 0, 0), outbox.counts());
        assertEquals(recent, outbox.entries(OutboxEntry.State.DELIVERED, 5).get(0).messageId());
        assertEquals(waiting, outbox.entries(OutboxEntry.State.WAITING, 5).get(0).messageId());
        assertEquals(othersOld, other.entries(OutboxEntry.State.DELIVERED, 5).get(0).messageId());
        assertTrue(outbox.entries(OutboxEntry.State.DELIVERED, 5).stream().noneMatch(e -> e.messageId().equals(old)));
    }

    @Test
    void countsAndEntriesTellEachStateApartInOrderUpToTheLimit() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(enqueue("entry " + i));
            clock.advance(Duration.ofMillis(10));
        }
        try (Connection c = outbox.connection()) {
            outbox.delivered(c, outbox.claimNext(c, OWNER, LEASE, 1).orElseThrow(), OWNER, "ref");
            outbox.settle(c, outbox.claimNext(c, OWNER, LEASE, 1).orElseThrow(), OWNER, OutboxEntry.State.FAILED,
                    "refused");
            outbox.settle(c, outbox.claimNext(c, OWNER, LEASE, 1).orElseThrow(), OWNER, OutboxEntry.State.IN_DOUBT,
                    "unknown");
            outbox.claimNext(c, OWNER, LEASE, 1).orElseThrow();
        }
        assertEquals(new OutboxCounts(1, 1, 1, 1, 1), outbox.counts());
        OutboxEntry failed = outbox.entries(OutboxEntry.State.FAILED, 10).get(0);
        assertEquals(ids.get(1), failed.messageId());
        assertEquals("refused", failed.lastError());
        assertEquals(OutboxEntry.State.FAILED, failed.state());
        assertNull(failed.deliveredAt());
        OutboxEntry waiting = outbox.entries(OutboxEntry.State.WAITING, 10).get(0);
        assertEquals(ids.get(4), waiting.messageId());
        assertEquals(waiting.createdAt(), waiting.nextAttemptAt(), "due since it was written");

        enqueue("entry 5");
        clock.advance(Duration.ofMillis(10));
        enqueue("entry 6");
        List<OutboxEntry> two = outbox.entries(OutboxEntry.State.WAITING, 2);
        assertEquals(2, two.size());
        assertEquals(ids.get(4), two.get(0).messageId(), "oldest first");
        assertEquals(1, outbox.entries(OutboxEntry.State.WAITING, 0).size(), "a limit below one reads one");
    }

    @Test
    void anOperatorRetriesOrDiscardsOnlyFailedAndInDoubtMessages() throws Exception {
        String failed = enqueue("failed");
        clock.advance(Duration.ofMillis(1));
        String doubtful = enqueue("in doubt");
        clock.advance(Duration.ofMillis(1));
        String waiting = enqueue("waiting");
        try (Connection c = outbox.connection()) {
            outbox.settle(c, outbox.claimNext(c, OWNER, LEASE, 1).orElseThrow(), OWNER, OutboxEntry.State.FAILED,
                    "x");
            outbox.settle(c, outbox.claimNext(c, OWNER, LEASE, 1).orElseThrow(), OWNER,
                    OutboxEntry.State.IN_DOUBT, "y");
        }
        JdbcOutbox other = outbox(KEY.replace("notifications", "other"), ds);
        assertFalse(other.retry(failed), "another mailbox's outbox does not reach it");
        assertFalse(other.discard(failed));
        assertFalse(outbox.retry(waiting));
        assertFalse(outbox.discard(waiting));
        assertFalse(outbox.retry("<unknown@contoso.com>"));

        clock.advance(Duration.ofHours(30));
        assertTrue(outbox.retry(failed));
        assertEquals("WAITING", column(failed, "STATE"));
        assertEquals(0, ((Number) column(failed, "ATTEMPTS")).intValue(), "a fresh start");
        assertEquals(clock.millis(), ((Number) column(failed, "CREATED_AT")).longValue(),
                "outboxRetryHours counts from now");
        assertEquals(clock.millis(), ((Number) column(failed, "NEXT_ATTEMPT_AT")).longValue());
        assertFalse(outbox.retry(failed), "waiting again");

        String id = (String) column(doubtful, "ID");
        assertTrue(parts(id) > 0);
        assertTrue(outbox.discard(doubtful));
        assertEquals(0, parts(id), "its content goes with it");
        assertFalse(outbox.discard(doubtful));
        assertEquals(new OutboxCounts(2, 0, 0, 0, 0), outbox.counts());
    }

    @Test
    void theSameMessageIdIsWrittenOnceAndALongOneIsRefusedBeforeAnythingIsWritten() throws Exception {
        MimeMessage keyed = message("keyed", "x");
        keyed.setHeader("Message-ID", "<order-1@contoso.com>");
        enqueue(outbox, keyed);
        MailSendException twice = assertThrows(MailSendException.class, () -> enqueue(outbox, keyed));
        assertEquals("AlreadyInOutbox", twice.getErrorCode());
        assertTrue(twice.getMessage().contains("<order-1@contoso.com>") && twice.getMessage().contains("jdbc/outbox"),
                twice.getMessage());

        String local = "a".repeat(OutboxSchema.MAX_MESSAGE_ID - "<@contoso.com>".length());
        MimeMessage longest = message("longest", "x");
        longest.setHeader("Message-ID", "<" + local + "@contoso.com>");
        assertEquals(OutboxSchema.MAX_MESSAGE_ID, enqueue(outbox, longest).length(), "the longest that fits");
        MimeMessage tooLong = message("too long", "x");
        tooLong.setHeader("Message-ID", "<" + local + "b@contoso.com>");
        MailSendException refused = assertThrows(MailSendException.class, () -> enqueue(outbox, tooLong));
        assertEquals("MessageIdTooLong", refused.getErrorCode());
        assertTrue(refused.getMessage().contains("251 characters") && refused.getMessage().contains("250"),
                refused.getMessage());
        assertEquals(new OutboxCounts(2, 0, 0, 0, 0), outbox.counts());
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(DISTINCT ID) FROM " + OutboxSchema.PARTS)) {
            rs.next();
            assertEquals(2, rs.getLong(1), "no content kept for the two refused ones");
        }
    }

    @Test
    void aWriteOnABrokenConnectionSaysNothingWasSentAndTheTransactionShouldRollBack() throws Exception {
        outbox.ensureSchema();
        Connection closed = ds.getConnection();
        closed.close();
        MailSendException e = assertThrows(MailSendException.class,
                () -> outbox.enqueue(closed, message("broken", "x")));
        assertEquals("OutboxUnavailable", e.getErrorCode());
        assertTrue(e.getMessage().contains("outboxDataSource jdbc/outbox") && e.getMessage().contains("roll back"),
                e.getMessage());
        assertThrows(NullPointerException.class, () -> outbox.enqueue(null, message("x", "x")));
        assertThrows(NullPointerException.class, () -> enqueue(outbox, null));
        assertThrows(NullPointerException.class, () -> outbox.entries(null, 1));
    }

    @Test
    void contentThatCannotBeStoredIsTheDatabasesErrorAndNoRowIsWritten() throws Exception {
        outbox.ensureSchema();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            // A column too small for any chunk: the insert fails with "value too long" (22001).
            s.execute("ALTER TABLE " + OutboxSchema.PARTS + " ALTER COLUMN DATA VARBINARY(10)");
        }
        MailSendException e = assertThrows(MailSendException.class, () -> enqueue("unstorable"));
        assertEquals("OutboxUnavailable", e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("cannot be written to the outbox in outboxDataSource jdbc/outbox"),
                e.getMessage());
        assertEquals(new OutboxCounts(0, 0, 0, 0, 0), outbox.counts());
    }

    @Test
    void anOperatorsFirstCallCreatesTheTables() throws Exception {
        assertFalse(outbox.discard("<nothing@contoso.com>"));
        assertEquals(new OutboxCounts(0, 0, 0, 0, 0), outbox.counts());
    }

    @Test
    void theTablesAreCreatedOnceOnTheOutboxsOwnThread() throws Exception {
        Set<String> threads = new HashSet<>();
        JdbcOutbox watched = new JdbcOutbox("jdbc/outbox", () -> (DataSource) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[]{DataSource.class}, (proxy, method, args) -> {
                    threads.add(Thread.currentThread().getName());
                    return method.invoke(ds, args);
                }), KEY, new SendingPolicy(settings(), runtime, clock), clock, own);
        watched.ensureSchema();
        assertEquals(1, threads.size());
        assertFalse(threads.contains(Thread.currentThread().getName()), "not in the caller's transaction");

        int before = connections.get();
        outbox.ensureSchema();
        outbox.ensureSchema();
        outbox.counts();
        assertEquals(before + 2, connections.get(), "the tables are looked for once, then only counted");
    }

    @Test
    void aDatabaseThatIsDownOrNotThereIsNamedInEveryError() throws Exception {
        JdbcOutbox unreachable = outbox(KEY, down());
        MailSendException schema = assertThrows(MailSendException.class, unreachable::ensureSchema);
        assertEquals("OutboxUnavailable", schema.getErrorCode());
        assertTrue(schema.getMessage().contains("cannot be created in outboxDataSource jdbc/outbox")
                && schema.getMessage().contains("database is down") && schema.getMessage().contains("DDL"),
                schema.getMessage());
        assertThrows(MailSendException.class, () -> unreachable.enqueueInTransaction(message("x", "x")));

        JdbcOutbox missing = new JdbcOutbox("jdbc/missing", () -> {
            throw new IllegalStateException("outboxDataSource jdbc/missing is not a JDBC resource of this server");
        }, KEY, new SendingPolicy(settings(), runtime, clock), clock, own);
        MailSendException notThere = assertThrows(MailSendException.class, missing::counts);
        assertEquals("OutboxUnavailable", notThere.getErrorCode());
        assertTrue(notThere.getMessage().contains("not a JDBC resource"), notThere.getMessage());

        // Tables made, then the database goes: each operator call says the outbox cannot be read.
        AtomicInteger calls = new AtomicInteger();
        DataSource flaky = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{DataSource.class}, (proxy, method, args) -> {
                    if (calls.incrementAndGet() > 1) {
                        return down().getConnection();
                    }
                    return method.invoke(ds, args);
                });
        JdbcOutbox goes = outbox(KEY, flaky);
        goes.ensureSchema();
        for (ThrowingCall call : List.<ThrowingCall>of(goes::counts, () -> goes.entries(OutboxEntry.State.FAILED, 1),
                () -> goes.retry("<x@contoso.com>"), () -> goes.discard("<x@contoso.com>"))) {
            MailSendException e = assertThrows(MailSendException.class, call::run);
            assertEquals("OutboxUnavailable", e.getErrorCode());
            assertTrue(e.getMessage().contains("outboxDataSource jdbc/outbox cannot be read")
                    && e.getMessage().contains("database is down"), e.getMessage());
        }
        MailSendException write = assertThrows(MailSendException.class,
                () -> goes.enqueueInTransaction(message("x", "x")));
        assertTrue(write.getMessage().contains("cannot be written to the outbox"), write.getMessage());
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void aMessageWrittenInTheCallersTransactionIsInTheOutboxAndTheDataSourceIsLookedUpOnce() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        JdbcOutbox looked = new JdbcOutbox("jdbc/outbox", () -> {
            lookups.incrementAndGet();
            return ds;
        }, KEY, new SendingPolicy(settings(), runtime, clock), clock, own);
        String messageId = looked.enqueueInTransaction(message("in transaction", "x"));
        looked.enqueueInTransaction(message("again", "x"));
        assertEquals("WAITING", column(messageId, "STATE"));
        assertEquals(1, lookups.get());
        MimeMessage spoofed = message("spoofed", "x");
        spoofed.setFrom("ceo@contoso.com");
        assertEquals("FromNotAllowed", assertThrows(MailSendException.class,
                () -> looked.enqueueInTransaction(spoofed)).getErrorCode(), "the sending policy checks it first");
    }

    @Test
    void theConnectorsOwnConnectionsCommitEachStatement() throws Exception {
        DataSource manual = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{DataSource.class}, (proxy, method, args) -> {
                    Object result = method.invoke(ds, args);
                    if (result instanceof Connection c) {
                        c.setAutoCommit(false);
                    }
                    return result;
                });
        try (Connection c = outbox(KEY, manual).connection()) {
            assertTrue(c.getAutoCommit());
        }
    }

    @Test
    void aJndiNameThatIsNoDataSourceIsNamedWithTheFix() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> JdbcOutbox.jndi("jdbc/nowhere").get());
        assertTrue(e.getMessage().contains("outboxDataSource jdbc/nowhere")
                && e.getMessage().contains("create-jdbc-resource"), e.getMessage());
    }

    @Test
    void itIsNamedByItsDataSourceAndMailbox() {
        assertEquals("jdbc/outbox", outbox.name());
        assertEquals("JdbcOutbox[jdbc/outbox, " + KEY + "]", outbox.toString());
    }
}
