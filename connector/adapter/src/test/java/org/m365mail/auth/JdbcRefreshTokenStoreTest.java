package org.m365mail.auth;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.config.Secret;
import org.m365mail.testing.ManualClock;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JDBC token store on a real SQL database (H2): table on first use, sealed rows, shared by instances. */
class JdbcRefreshTokenStoreTest {

    private static final String KEY = "a passphrase of sixteen+ characters";
    private static final String TOKEN = "0.AX-refresh-token-value-" + "x".repeat(1200);
    private final ManualClock clock = new ManualClock();
    private JdbcDataSource database;

    private static final org.m365mail.runtime.ConnectorRuntime RUNTIME =
            new org.m365mail.runtime.ConnectorRuntime("jdbc-store-test");

    @org.junit.jupiter.api.AfterAll
    static void stopThreads() {
        RUNTIME.close();
    }

    @BeforeEach
    void newDatabase() {
        database = new JdbcDataSource();
        database.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    private JdbcRefreshTokenStore store(String passphrase) {
        return new JdbcRefreshTokenStore("jdbc/test", () -> database, Secret.of(passphrase), clock,
                RUNTIME.singleThread("token-store-test"));
    }

    private String column(String column) throws Exception {
        try (Connection c = database.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + column + " FROM " + JdbcRefreshTokenStore.TABLE)) {
            assertTrue(rs.next(), "one row");
            return rs.getString(1);
        }
    }

    @Test
    void createsItsTableOnFirstUseAndKeepsTokensSealed() throws Exception {
        JdbcRefreshTokenStore store = store(KEY);
        assertEquals(Optional.empty(), store.load("tenant|app|user"), "an empty store, its table just created");
        store.save("tenant|app|user", TOKEN);
        String sealed = column("SEALED_TOKEN");
        assertFalse(sealed.contains("refresh-token-value"), "no token in plain text in the table");

        JdbcRefreshTokenStore otherInstance = store(KEY);
        assertEquals(TOKEN, otherInstance.load("tenant|app|user").orElseThrow(),
                "another instance (another salt) reads what the first wrote");
        clock.advance(Duration.ofDays(3));
        otherInstance.save("tenant|app|user", TOKEN + "-rotated");
        assertEquals(TOKEN + "-rotated", store.load("tenant|app|user").orElseThrow(), "a save replaces the row");
        assertEquals(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), store.savedAt("tenant|app|user").orElseThrow());

        store.delete("tenant|app|user");
        assertEquals(Optional.empty(), otherInstance.load("tenant|app|user"));
    }

    @Test
    void aWrongKeyOrAnAlteredRowIsDetected() throws Exception {
        store(KEY).save("tenant|app|user", TOKEN);
        MailSendException wrongKey = assertThrows(MailSendException.class,
                () -> store("another sixteen+ passphrase").load("tenant|app|user"));
        assertEquals("TokenStoreUnreadable", wrongKey.getErrorCode());
        assertTrue(wrongKey.getMessage().contains("tokenStoreKey"), wrongKey.getMessage());

        String sealed = column("SEALED_TOKEN");
        char flipped = sealed.charAt(30) == 'A' ? 'B' : 'A';
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE " + JdbcRefreshTokenStore.TABLE + " SET SEALED_TOKEN = '"
                    + sealed.substring(0, 30) + flipped + sealed.substring(31) + "'");
        }
        MailSendException tampered = assertThrows(MailSendException.class,
                () -> store(KEY).load("tenant|app|user"));
        assertEquals("TokenStoreUnreadable", tampered.getErrorCode());
        assertFalse(tampered.getMessage().contains("refresh-token-value"));

        // A row moved to another consent's name does not open either: the name is bound in.
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE " + JdbcRefreshTokenStore.TABLE + " SET SEALED_TOKEN = '" + sealed
                    + "', STORE_KEY = 'tenant|app|other'");
        }
        assertThrows(MailSendException.class, () -> store(KEY).load("tenant|app|other"));
    }

    @Test
    void aSaveCommitsWhileTheCallersOwnTransactionIsRolledBack() throws Exception {
        JdbcRefreshTokenStore store = store(KEY);
        store.save("tenant|app|user", TOKEN);
        String before = column("SEALED_TOKEN");
        // The caller is inside a transaction of its own on the same database, which it then rolls back.
        try (Connection caller = database.getConnection()) {
            caller.setAutoCommit(false);
            try (Statement s = caller.createStatement()) {
                s.executeUpdate("CREATE TABLE CALLER_WORK (ID INT)");
                s.executeUpdate("INSERT INTO CALLER_WORK VALUES (1)");
            }
            store.save("tenant|app|user", TOKEN + "-rotated");
            caller.rollback();
        }
        assertNotEquals(before, column("SEALED_TOKEN"));
        assertEquals(TOKEN + "-rotated", store(KEY).load("tenant|app|user").orElseThrow());
    }

    @Test
    void anUnknownDataSourceIsNamed() {
        JdbcRefreshTokenStore store = new JdbcRefreshTokenStore("jdbc/noSuchTokens", Secret.of(KEY),
                RUNTIME.singleThread("token-store-test"));
        MailSendException e = assertThrows(MailSendException.class, () -> store.load("tenant|app|user"));
        assertEquals("TokenStoreUnavailable", e.getErrorCode());
        assertTrue(e.getMessage().contains("jdbc/noSuchTokens"), e.getMessage());
    }
}
