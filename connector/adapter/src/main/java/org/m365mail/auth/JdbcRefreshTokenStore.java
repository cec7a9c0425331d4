package org.m365mail.auth;

import org.m365mail.api.MailSendException;
import org.m365mail.config.Secret;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Keeps refresh tokens in a database table reached through a JDBC data source (a JNDI name), so that every instance of
 * a cluster shares the consent. Tokens are sealed by {@link TokenCipher} before they reach the database; the
 * table holds no token in plain text.
 *
 * <p>Entra replaces a refresh token each time it is redeemed, so a save must never be rolled back by the application
 * transaction a send happens to run in. Every statement therefore runs on this store's own thread, which has no
 * transaction of the caller's associated with it: the container hands that thread an unenlisted connection, and the
 * store commits its own local transaction before the caller goes on.
 *
 * <p>The table {@value #TABLE} is created on first use if it does not exist (portable SQL: VARCHAR and BIGINT).
 */
public final class JdbcRefreshTokenStore implements RefreshTokenStore {

    static final String TABLE = "M365MAIL_REFRESH_TOKENS";
    private static final Logger LOG = Logger.getLogger(JdbcRefreshTokenStore.class.getName());
    private static final int MAX_SEALED = 4000;
    private static final long TIMEOUT_SECONDS = 30;

    private final String jndiName;
    private final Supplier<DataSource> lookup;
    private final TokenCipher cipher;
    private final byte[] salt;
    private final Clock clock;
    /** The store's own thread (the deployment's runtime ends it). */
    private final ExecutorService own;
    private volatile DataSource dataSource;
    private volatile boolean tableReady;

    /**
     * A store on the data source bound at {@code jndiName}, looked up on first use.
     *
     * @param own a thread of the store's own, for its statements
     */
    public JdbcRefreshTokenStore(String jndiName, Secret passphrase, ExecutorService own) {
        this(jndiName, () -> lookup(jndiName), passphrase, Clock.systemUTC(), own);
    }

    /** A store on a given data source; {@code name} is used in messages. */
    public JdbcRefreshTokenStore(String name, Supplier<DataSource> dataSource, Secret passphrase, Clock clock,
                                 ExecutorService own) {
        this.jndiName = name;
        this.lookup = dataSource;
        this.cipher = new TokenCipher(passphrase);
        this.salt = cipher.newSalt();
        this.clock = clock;
        this.own = own;
    }

    @Override
    public Optional<String> load(String key) throws MailSendException {
        Optional<Row> row = inOwnTransaction(c -> select(c, key));
        if (row.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(cipher.open(key, row.get().sealed(), row.get().salt()));
        } catch (GeneralSecurityException e) {
            throw new MailSendException("The refresh token of " + key + " in table " + TABLE + " of "
                    + "tokenStoreDataSource " + jndiName + " cannot be decrypted: tokenStoreKey is not the key it was "
                    + "written with (every instance must use the same), or the row was altered. Reset and connect the "
                    + "mailbox again.", "TokenStoreUnreadable", null);
        }
    }

    @Override
    public Optional<Instant> savedAt(String key) throws MailSendException {
        return inOwnTransaction(c -> select(c, key)).map(Row::savedAt);
    }

    @Override
    public void save(String key, String refreshToken) throws MailSendException {
        String sealed = cipher.seal(key, refreshToken, salt);
        if (sealed.length() > MAX_SEALED) {
            throw new MailSendException("The refresh token of " + key + " is too long for table " + TABLE + " ("
                    + sealed.length() + " > " + MAX_SEALED + " characters sealed)", "TokenStoreUnwritable", null);
        }
        String salted = Base64.getEncoder().encodeToString(salt);
        long now = Instant.now(clock).toEpochMilli();
        inOwnTransaction(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE " + TABLE
                    + " SET SALT = ?, SEALED_TOKEN = ?, SAVED_AT_MILLIS = ? WHERE STORE_KEY = ?")) {
                update.setString(1, salted);
                update.setString(2, sealed);
                update.setLong(3, now);
                update.setString(4, key);
                if (update.executeUpdate() > 0) {
                    return null;
                }
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + TABLE
                    + " (STORE_KEY, SALT, SEALED_TOKEN, SAVED_AT_MILLIS) VALUES (?, ?, ?, ?)")) {
                insert.setString(1, key);
                insert.setString(2, salted);
                insert.setString(3, sealed);
                insert.setLong(4, now);
                insert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void delete(String key) throws MailSendException {
        inOwnTransaction(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + TABLE + " WHERE STORE_KEY = ?")) {
                delete.setString(1, key);
                delete.executeUpdate();
            }
            return null;
        });
    }

    private record Row(String sealed, byte[] salt, Instant savedAt) {
    }

    private static Optional<Row> select(Connection c, String key) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT SEALED_TOKEN, SALT, SAVED_AT_MILLIS FROM " + TABLE
                + " WHERE STORE_KEY = ?")) {
            select.setString(1, key);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Row(rs.getString(1), Base64.getDecoder().decode(rs.getString(2)),
                        Instant.ofEpochMilli(rs.getLong(3))));
            }
        }
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T inOwnTransaction(Work<T> work) throws MailSendException {
        DataSource ds = dataSource();
        Callable<T> task = () -> {
            try (Connection c = ds.getConnection()) {
                createTableOnce(c);
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
        };
        Future<T> done = own.submit(task);
        try {
            return done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            done.cancel(true);
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while using tokenStoreDataSource " + jndiName, e);
        } catch (TimeoutException e) {
            done.cancel(true);
            throw new MailSendException("tokenStoreDataSource " + jndiName + " did not answer within "
                    + TIMEOUT_SECONDS + " s", "TokenStoreUnavailable", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new MailSendException("tokenStoreDataSource " + jndiName + " failed: " + cause.getMessage()
                    + "; check the data source and that its user may create and change table " + TABLE,
                    "TokenStoreUnavailable", cause);
        }
    }

    private void createTableOnce(Connection c) throws SQLException {
        if (tableReady) {
            return;
        }
        c.setAutoCommit(true);
        try (Statement probe = c.createStatement()) {
            probe.executeQuery("SELECT STORE_KEY FROM " + TABLE + " WHERE 1 = 0").close();
        } catch (SQLException missing) {
            try (Statement create = c.createStatement()) {
                create.executeUpdate("CREATE TABLE " + TABLE + " (STORE_KEY VARCHAR(400) NOT NULL PRIMARY KEY, "
                        + "SALT VARCHAR(64) NOT NULL, SEALED_TOKEN VARCHAR(" + MAX_SEALED + ") NOT NULL, "
                        + "SAVED_AT_MILLIS BIGINT NOT NULL)");
                LOG.info(() -> "M365MAIL-2301 Created table " + TABLE + " in tokenStoreDataSource " + jndiName);
            } catch (SQLException raced) {
                // Another instance may have created it meanwhile; if not, this probe fails with the real reason.
                try (Statement again = c.createStatement()) {
                    again.executeQuery("SELECT STORE_KEY FROM " + TABLE + " WHERE 1 = 0").close();
                }
            }
        }
        tableReady = true;
    }

    private DataSource dataSource() throws MailSendException {
        DataSource ds = dataSource;
        if (ds == null) {
            try {
                ds = lookup.get();
            } catch (IllegalStateException e) {
                throw new MailSendException(e.getMessage(), "TokenStoreUnavailable", e.getCause());
            }
            dataSource = ds;
        }
        return ds;
    }

    private static DataSource lookup(String jndiName) {
        try {
            Object found = new InitialContext().lookup(jndiName);
            if (found instanceof DataSource ds) {
                return ds;
            }
            throw new IllegalStateException("tokenStoreDataSource " + jndiName + " is not a JDBC data source but "
                    + (found == null ? "nothing" : found.getClass().getName()));
        } catch (NamingException e) {
            throw new IllegalStateException("tokenStoreDataSource " + jndiName + " names no JDBC resource: create one "
                    + "(asadmin create-jdbc-resource) or correct the JNDI name (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public String toString() {
        return "JdbcRefreshTokenStore[" + jndiName + "]";
    }
}
