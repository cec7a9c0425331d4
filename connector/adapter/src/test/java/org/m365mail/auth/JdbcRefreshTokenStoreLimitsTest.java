package org.m365mail.auth;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.config.Secret;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.testing.ManualClock;
import org.m365mail.testing.TestNaming;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the JDBC token store refuses, and how a database or data source that fails is reported. */
class JdbcRefreshTokenStoreLimitsTest {

    private static final Secret KEY = Secret.of("a passphrase of sixteen+ characters");
    private static final ConnectorRuntime RUNTIME = new ConnectorRuntime("jdbc-store-limits-test");

    @AfterAll
    static void stopThreads() {
        RUNTIME.close();
    }

    private static JdbcDataSource database() {
        JdbcDataSource database = new JdbcDataSource();
        database.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return database;
    }

    private static JdbcRefreshTokenStore store(DataSource database) {
        return new JdbcRefreshTokenStore("jdbc/tokens", () -> database, KEY, new ManualClock(),
                RUNTIME.singleThread("token-store-limits-test"));
    }

    @Test
    void aTokenSealedToFourThousandCharactersFitsOneMoreDoesNot() throws Exception {
        JdbcRefreshTokenStore store = store(database());
        // Sealed: Base64 of a 12-byte IV, the token and a 16-byte tag; 3000 bytes make exactly 4000 characters.
        String fits = "r".repeat(3000 - 12 - 16);
        store.save("tenant|app|user", fits);
        assertEquals(Optional.of(fits), store.load("tenant|app|user"));

        MailSendException tooLong = assertThrows(MailSendException.class,
                () -> store.save("tenant|app|user", fits + "rrr"));
        assertEquals("TokenStoreUnwritable", tooLong.getErrorCode());
        assertTrue(tooLong.getMessage().contains("(4004 > 4000 characters sealed)"), tooLong.getMessage());
        assertEquals(Optional.of(fits), store.load("tenant|app|user"), "the stored token stays");
    }

    @Test
    void aDatabaseThatFailsIsNamedWithItsReason() {
        SQLException down = new SQLException("the database is down");
        DataSource failing = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[]{DataSource.class}, (proxy, method, args) -> {
                    throw down;
                });
        MailSendException e = assertThrows(MailSendException.class, () -> store(failing).load("tenant|app|user"));
        assertEquals("TokenStoreUnavailable", e.getErrorCode());
        assertTrue(e.getMessage().startsWith("tokenStoreDataSource jdbc/tokens failed: the database is down; check"),
                e.getMessage());
        assertSame(down, e.getCause());
    }

    @Test
    void theDataSourceIsLookedUpInJndiOnce() throws Exception {
        JdbcDataSource database = database();
        JdbcRefreshTokenStore store;
        try (AutoCloseable naming = TestNaming.install(Map.of("jdbc/tokens", database))) {
            store = new JdbcRefreshTokenStore("jdbc/tokens", KEY, RUNTIME.singleThread("token-store-limits-test"));
            store.save("tenant|app|user", "rt");
        }
        assertEquals(Optional.of("rt"), store.load("tenant|app|user"), "found once, kept after");
        assertEquals("JdbcRefreshTokenStore[jdbc/tokens]", store.toString());
    }

    @Test
    void somethingElseThanADataSourceAtTheNameIsNamed() throws Exception {
        try (AutoCloseable naming = TestNaming.install(Map.of("jdbc/tokens", "a string"))) {
            JdbcRefreshTokenStore store = new JdbcRefreshTokenStore("jdbc/tokens", KEY,
                    RUNTIME.singleThread("token-store-limits-test"));
            MailSendException e = assertThrows(MailSendException.class, () -> store.savedAt("tenant|app|user"));
            assertEquals("TokenStoreUnavailable", e.getErrorCode());
            assertEquals("tokenStoreDataSource jdbc/tokens is not a JDBC data source but java.lang.String",
                    e.getMessage().replaceAll(", error code.*", ""));
        }
    }
}
