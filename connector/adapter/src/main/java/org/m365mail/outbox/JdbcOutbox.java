package org.m365mail.outbox;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import org.m365mail.api.MailOutbox;
import org.m365mail.api.MailSendException;
import org.m365mail.api.OutboxCounts;
import org.m365mail.api.OutboxEntry;
import org.m365mail.logging.LogText;
import org.m365mail.policy.SendingPolicy;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The outbox of one sending mailbox in a database: writing a message in the caller's transaction, claiming the next
 * due one with a lease, recording each attempt's outcome, and what an operator asks of it.
 *
 * <p>Claiming is a conditional update ({@code UPDATE ... SET STATE='SENDING' ... WHERE ID=? AND STATE='WAITING'}): of
 * two instances that pick the same row, the database lets one update it and tells the other it changed nothing, in
 * every database the DDL is written for, without {@code SELECT ... FOR UPDATE SKIP LOCKED} (which H2 and older MySQL
 * lack). The lease ({@code LEASE_UNTIL}) lets a row claimed by an instance that died be found again; what happens to
 * it then is {@code outboxInDoubt}'s choice. The {@code Message-ID} is unique in the table: the same message cannot be
 * written twice.
 */
public final class JdbcOutbox implements MailOutbox {

    private static final long OWN_THREAD_TIMEOUT_SECONDS = 60;
    private static final int MAX_ERROR = 2000;

    private final String name;
    private final Supplier<DataSource> lookup;
    private final String key;
    private final SendingPolicy policy;
    private final Clock clock;
    private final ExecutorService own;
    private volatile DataSource dataSource;
    private volatile boolean schemaReady;

    /** A message claimed for delivery by this instance. */
    public record Claim(String id, String messageId, int attempts, Instant createdAt, long size) {
    }

    /**
     * @param name       what the outbox is called in messages (its data source's JNDI name)
     * @param dataSource the data source, looked up on first use
     * @param key        the sending mailbox the rows belong to (transport and address): instances with the same key
     *                   share the rows
     * @param policy     the factory's sending policy: a message is checked before it is written
     * @param own        a thread for statements that must not run in the caller's transaction (creating the tables)
     */
    public JdbcOutbox(String name, Supplier<DataSource> dataSource, String key, SendingPolicy policy, Clock clock,
                      ExecutorService own) {
        this.name = name;
        this.lookup = dataSource;
        this.key = key;
        this.policy = policy;
        this.clock = clock;
        this.own = own;
    }

    /** A data source by its JNDI name (an administrator's setting, never a request's value). */
    public static Supplier<DataSource> jndi(String jndiName) {
        return () -> {
            try {
                return (DataSource) new InitialContext().lookup(jndiName);
            } catch (NamingException | ClassCastException e) {
                throw new IllegalStateException("outboxDataSource " + jndiName + " is not a JDBC resource of this "
                        + "server: create it (asadmin create-jdbc-resource) or correct the name", e);
            }
        };
    }

    /** The outbox's name, its data source's. */
    public String name() {
        return name;
    }

    DataSource dataSource() throws MailSendException {
        DataSource d = dataSource;
        if (d == null) {
            try {
                d = lookup.get();
            } catch (RuntimeException e) {
                throw new MailSendException(e.getMessage(), "OutboxUnavailable", e);
            }
            dataSource = d;
        }
        return d;
    }

    /**
     * Creates the tables if they are missing, on the outbox's own thread (DDL must not run in, or commit, a caller's
     * transaction).
     */
    public void ensureSchema() throws MailSendException {
        if (schemaReady) {
            return;
        }
        Future<?> done = own.submit(() -> {
            try (Connection c = dataSource().getConnection()) {
                OutboxSchema.ensure(c);
            }
            return null;
        });
        try {
            done.get(OWN_THREAD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            schemaReady = true;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof MailSendException m) {
                throw m;
            }
            throw new MailSendException("The outbox tables " + OutboxSchema.TABLE + " and " + OutboxSchema.PARTS
                    + " cannot be created in outboxDataSource " + name + ": " + cause.getMessage() + ". Create them "
                    + "with the README's DDL, or give the pool's database user the right to.", "OutboxUnavailable",
                    cause);
        } catch (TimeoutException e) {
            done.cancel(true);
            throw new MailSendException("The database of outboxDataSource " + name + " did not answer within "
                    + OWN_THREAD_TIMEOUT_SECONDS + " s", "OutboxUnavailable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while preparing the outbox", "OutboxUnavailable", e);
        }
    }

    /**
     * Writes a message inside the caller's JTA transaction: the server enlists the data source's connection in it, so
     * the message is in the outbox exactly when the caller's other work is committed.
     *
     * @return the message's {@code Message-ID}
     */
    public String enqueueInTransaction(Message message) throws MailSendException {
        ensureSchema();
        String messageId = policy.check(message);
        try (Connection c = dataSource().getConnection()) {
            write(c, messageId, message);
        } catch (SQLException e) {
            throw writeFailed(messageId, e);
        }
        return messageId;
    }

    @Override
    public String enqueue(Connection connection, Message message) throws MailSendException {
        java.util.Objects.requireNonNull(connection, "connection");
        java.util.Objects.requireNonNull(message, "message");
        ensureSchema();
        String messageId = policy.check(message);
        try {
            write(connection, messageId, message);
        } catch (SQLException e) {
            throw writeFailed(messageId, e);
        }
        return messageId;
    }

    private void write(Connection c, String messageId, Message message) throws SQLException, MailSendException {
        if (messageId.length() > OutboxSchema.MAX_MESSAGE_ID) {
            throw new MailSendException("The message's Message-ID is " + messageId.length() + " characters long; the "
                    + "outbox keys messages by it and takes at most " + OutboxSchema.MAX_MESSAGE_ID + ": leave "
                    + "Message-ID unset (the connector assigns one) or shorten it. The message was not sent.",
                    "MessageIdTooLong", null);
        }
        String id = UUID.randomUUID().toString();
        long size;
        // The content first, then the row that makes it visible to the delivering instances.
        try (PartWriter parts = new PartWriter(c, id)) {
            message.writeTo(parts);
            parts.close();
            size = parts.size();
        } catch (IOException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new MailSendException("The message cannot be written to the outbox: " + e.getMessage(), e);
        } catch (MessagingException e) {
            throw new MailSendException("The message cannot be written to the outbox: " + e.getMessage(), e);
        }
        long now = clock.millis();
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + OutboxSchema.TABLE
                + " (ID, OUTBOX_KEY, MESSAGE_ID, STATE, ATTEMPTS, CREATED_AT, NEXT_ATTEMPT_AT, SIZE_BYTES)"
                + " VALUES (?, ?, ?, ?, 0, ?, ?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, key);
            insert.setString(3, messageId);
            insert.setString(4, OutboxEntry.State.WAITING.name());
            insert.setLong(5, now);
            insert.setLong(6, now);
            insert.setLong(7, size);
            insert.executeUpdate();
        } catch (SQLException e) {
            // A caller on autocommit (or one that commits anyway) would otherwise keep content no row points to:
            // nothing ever reads or removes it. In a transaction the rollback does this; here it is harmless.
            try {
                deleteParts(c, id);
            } catch (SQLException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private MailSendException writeFailed(String messageId, SQLException e) {
        if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
            return new MailSendException("A message with Message-ID " + LogText.of(messageId) + " is already in the "
                    + "outbox " + name + ": the outbox delivers each message once. Send a new message (without a "
                    + "Message-ID of your own) if it is meant to go again.", "AlreadyInOutbox", e);
        }
        return new MailSendException("The message " + LogText.of(messageId) + " cannot be written to the outbox in "
                + "outboxDataSource " + name + ": " + e.getMessage() + ". Nothing was sent; the caller's transaction "
                + "should roll back.", "OutboxUnavailable", e);
    }

    // ---------------------------------------------------------------------------------------------------- delivery

    /**
     * A connection for the connector's own threads: no caller's transaction, every statement committed at once. A
     * delivering thread keeps one while it has work (a data source without a pool would otherwise open a database
     * session per statement) and gives it back when it goes idle.
     */
    public Connection connection() throws SQLException, MailSendException {
        Connection c = dataSource().getConnection();
        if (!c.getAutoCommit()) {
            c.setAutoCommit(true);
        }
        return c;
    }

    /**
     * Claims the next due message for {@code owner} until {@code lease} from now: one at a time, so that only the
     * message actually being sent is held by an instance that might die.
     *
     * @param spread how many candidates to pick from at random, so the instance's threads rarely race for one row
     */
    public Optional<Claim> claimNext(Connection c, String owner, Duration lease, int spread) throws SQLException {
        long now = clock.millis();
        List<Claim> candidates = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT ID, MESSAGE_ID, ATTEMPTS, CREATED_AT, SIZE_BYTES FROM "
                + OutboxSchema.TABLE + " WHERE STATE = ? AND NEXT_ATTEMPT_AT <= ? AND OUTBOX_KEY = ?"
                + " ORDER BY NEXT_ATTEMPT_AT, CREATED_AT")) {
            select.setMaxRows(Math.max(1, spread));
            select.setString(1, OutboxEntry.State.WAITING.name());
            select.setLong(2, now);
            select.setString(3, key);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    candidates.add(new Claim(rs.getString(1), rs.getString(2), rs.getInt(3),
                            Instant.ofEpochMilli(rs.getLong(4)), rs.getLong(5)));
                }
            }
        }
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        int start = ThreadLocalRandom.current().nextInt(candidates.size());
        try (PreparedStatement update = c.prepareStatement("UPDATE " + OutboxSchema.TABLE
                + " SET STATE = ?, CLAIMED_BY = ?, LEASE_UNTIL = ?, ATTEMPTS = ATTEMPTS + 1"
                + " WHERE ID = ? AND STATE = ?")) {
            for (int i = 0; i < candidates.size(); i++) {
                Claim candidate = candidates.get((start + i) % candidates.size());
                update.setString(1, OutboxEntry.State.SENDING.name());
                update.setString(2, owner);
                update.setLong(3, now + lease.toMillis());
                update.setString(4, candidate.id());
                update.setString(5, OutboxEntry.State.WAITING.name());
                if (update.executeUpdate() == 1) {
                    return Optional.of(new Claim(candidate.id(), candidate.messageId(),
                            candidate.attempts() + 1, candidate.createdAt(), candidate.size()));
                }
            }
        }
        return Optional.empty();
    }

    /** The claimed message's content, read a chunk at a time on {@code c}; close it when done. */
    public InputStream content(Connection c, Claim claim) throws SQLException {
        return new PartReader(c, claim.id(), claim.size());
    }

    /** Records that Microsoft 365 accepted the message, and drops its content. */
    public void delivered(Connection c, Claim claim, String owner, String serviceReference) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE " + OutboxSchema.TABLE
                + " SET STATE = ?, DELIVERED_AT = ?, SERVICE_REFERENCE = ?, CLAIMED_BY = NULL, LEASE_UNTIL = NULL,"
                + " LAST_ERROR = NULL WHERE ID = ? AND CLAIMED_BY = ?")) {
            update.setString(1, OutboxEntry.State.DELIVERED.name());
            update.setLong(2, clock.millis());
            update.setString(3, truncate(serviceReference, 1000));
            update.setString(4, claim.id());
            update.setString(5, owner);
            update.executeUpdate();
        }
        deleteParts(c, claim.id());
    }

    /** Puts the message back in line for {@code next}, with the attempt's error. */
    public void retryAt(Connection c, Claim claim, String owner, Instant next, String error) throws SQLException {
        release(c, claim, owner, OutboxEntry.State.WAITING, next, error);
    }

    /** Marks the message failed for good, or in doubt; it keeps its content for a retry. */
    public void settle(Connection c, Claim claim, String owner, OutboxEntry.State state, String error)
            throws SQLException {
        release(c, claim, owner, state, null, error);
    }

    private void release(Connection c, Claim claim, String owner, OutboxEntry.State state, Instant next, String error)
            throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE " + OutboxSchema.TABLE
                + " SET STATE = ?, NEXT_ATTEMPT_AT = ?, LAST_ERROR = ?, CLAIMED_BY = NULL, LEASE_UNTIL = NULL"
                + " WHERE ID = ? AND CLAIMED_BY = ?")) {
            update.setString(1, state.name());
            update.setLong(2, next == null ? clock.millis() : next.toEpochMilli());
            update.setString(3, truncate(error, MAX_ERROR));
            update.setString(4, claim.id());
            update.setString(5, owner);
            update.executeUpdate();
        }
    }

    /**
     * Finds the messages whose claim expired (their instance died mid-send, or hung past its send timeout) and, as
     * {@code resend} says, puts them back in line or marks them in doubt.
     *
     * @return the {@code Message-ID}s found
     */
    public List<String> expireLeases(Connection c, boolean resend) throws SQLException {
        long now = clock.millis();
        List<String> expired = new ArrayList<>();
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT ID, MESSAGE_ID, CLAIMED_BY FROM "
                + OutboxSchema.TABLE + " WHERE STATE = ? AND LEASE_UNTIL < ? AND OUTBOX_KEY = ?")) {
            select.setString(1, OutboxEntry.State.SENDING.name());
            select.setLong(2, now);
            select.setString(3, key);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    rows.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
        }
        try (PreparedStatement update = c.prepareStatement("UPDATE " + OutboxSchema.TABLE
                + " SET STATE = ?, NEXT_ATTEMPT_AT = ?, LAST_ERROR = ?, CLAIMED_BY = NULL, LEASE_UNTIL = NULL"
                + " WHERE ID = ? AND STATE = ? AND CLAIMED_BY = ?")) {
            for (String[] row : rows) {
                update.setString(1, (resend ? OutboxEntry.State.WAITING : OutboxEntry.State.IN_DOUBT).name());
                update.setLong(2, now);
                update.setString(3, "The instance " + row[2] + " that was sending it stopped, or did not finish "
                        + "within its lease, so whether Microsoft 365 accepted it is unknown");
                update.setString(4, row[0]);
                update.setString(5, OutboxEntry.State.SENDING.name());
                update.setString(6, row[2]);
                if (update.executeUpdate() == 1) {
                    expired.add(row[1]);
                }
            }
        }
        return expired;
    }

    /** Removes delivered messages older than {@code before}; returns how many. */
    public int purgeDelivered(Connection c, Instant before) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM "
                + OutboxSchema.TABLE + " WHERE STATE = ? AND DELIVERED_AT < ? AND OUTBOX_KEY = ?")) {
            delete.setString(1, OutboxEntry.State.DELIVERED.name());
            delete.setLong(2, before.toEpochMilli());
            delete.setString(3, key);
            return delete.executeUpdate();
        }
    }

    private static void deleteParts(Connection c, String id) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + OutboxSchema.PARTS + " WHERE ID = ?")) {
            delete.setString(1, id);
            delete.executeUpdate();
        }
    }

    // -------------------------------------------------------------------------------------------------- operations

    @Override
    public OutboxCounts counts() throws MailSendException {
        ensureSchema();
        long[] n = new long[OutboxEntry.State.values().length];
        try (Connection c = dataSource().getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT STATE, COUNT(*) FROM " + OutboxSchema.TABLE + " WHERE OUTBOX_KEY = ? GROUP BY STATE")) {
            select.setString(1, key);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    n[OutboxEntry.State.valueOf(rs.getString(1).trim()).ordinal()] = rs.getLong(2);
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return new OutboxCounts(n[OutboxEntry.State.WAITING.ordinal()], n[OutboxEntry.State.SENDING.ordinal()],
                n[OutboxEntry.State.DELIVERED.ordinal()], n[OutboxEntry.State.FAILED.ordinal()],
                n[OutboxEntry.State.IN_DOUBT.ordinal()]);
    }

    @Override
    public List<OutboxEntry> entries(OutboxEntry.State state, int limit) throws MailSendException {
        java.util.Objects.requireNonNull(state, "state");
        ensureSchema();
        List<OutboxEntry> found = new ArrayList<>();
        try (Connection c = dataSource().getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT MESSAGE_ID, ATTEMPTS, CREATED_AT, NEXT_ATTEMPT_AT, DELIVERED_AT, LAST_ERROR FROM "
                        + OutboxSchema.TABLE + " WHERE OUTBOX_KEY = ? AND STATE = ? ORDER BY CREATED_AT")) {
            select.setMaxRows(Math.max(1, limit));
            select.setString(1, key);
            select.setString(2, state.name());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    long delivered = rs.getLong(5);
                    boolean hasDelivered = !rs.wasNull();
                    found.add(new OutboxEntry(rs.getString(1), state, rs.getInt(2),
                            Instant.ofEpochMilli(rs.getLong(3)),
                            state == OutboxEntry.State.WAITING ? Instant.ofEpochMilli(rs.getLong(4)) : null,
                            hasDelivered ? Instant.ofEpochMilli(delivered) : null, rs.getString(6)));
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return found;
    }

    @Override
    public boolean retry(String messageId) throws MailSendException {
        ensureSchema();
        try (Connection c = dataSource().getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE " + OutboxSchema.TABLE + " SET STATE = ?, ATTEMPTS = 0, CREATED_AT = ?, NEXT_ATTEMPT_AT = ?"
                        + " WHERE MESSAGE_ID = ? AND OUTBOX_KEY = ? AND STATE IN (?, ?)")) {
            long now = clock.millis();
            update.setString(1, OutboxEntry.State.WAITING.name());
            update.setLong(2, now);
            update.setLong(3, now);
            update.setString(4, messageId);
            update.setString(5, key);
            update.setString(6, OutboxEntry.State.FAILED.name());
            update.setString(7, OutboxEntry.State.IN_DOUBT.name());
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public boolean discard(String messageId) throws MailSendException {
        ensureSchema();
        try (Connection c = dataSource().getConnection()) {
            String id = null;
            try (PreparedStatement select = c.prepareStatement("SELECT ID FROM " + OutboxSchema.TABLE
                    + " WHERE MESSAGE_ID = ? AND OUTBOX_KEY = ? AND STATE IN (?, ?)")) {
                select.setString(1, messageId);
                select.setString(2, key);
                select.setString(3, OutboxEntry.State.FAILED.name());
                select.setString(4, OutboxEntry.State.IN_DOUBT.name());
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        id = rs.getString(1);
                    }
                }
            }
            if (id == null) {
                return false;
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + OutboxSchema.TABLE
                    + " WHERE ID = ? AND STATE IN (?, ?)")) {
                delete.setString(1, id);
                delete.setString(2, OutboxEntry.State.FAILED.name());
                delete.setString(3, OutboxEntry.State.IN_DOUBT.name());
                if (delete.executeUpdate() != 1) {
                    return false;
                }
            }
            deleteParts(c, id);
            return true;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private MailSendException unavailable(SQLException e) {
        return new MailSendException("The outbox in outboxDataSource " + name + " cannot be read: " + e.getMessage(),
                "OutboxUnavailable", e);
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    @Override
    public String toString() {
        return "JdbcOutbox[" + name + ", " + key + "]";
    }
}
