package org.m365mail.outbox;

import org.h2.jdbcx.JdbcDataSource;
import org.m365mail.testing.TestPostgres;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** The databases the outbox is tested on: H2 in memory, and a real PostgreSQL (Debian's, started here). */
final class OutboxDatabases implements AutoCloseable {

    enum Kind { H2, POSTGRESQL }

    private TestPostgres postgres;

    DataSource dataSource(Kind kind) throws Exception {
        if (kind == Kind.H2) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:outbox;DB_CLOSE_DELAY=-1");
            return h2;
        }
        if (postgres == null) {
            postgres = TestPostgres.start(Path.of("target/pg"));
        }
        return postgres.dataSource();
    }

    TestPostgres postgres() throws Exception {
        dataSource(Kind.POSTGRESQL);
        return postgres;
    }

    /** Drops the outbox's tables, so each test starts from none (and the connector creates them). */
    static void reset(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + OutboxSchema.TABLE);
            s.execute("DROP TABLE IF EXISTS " + OutboxSchema.PARTS);
        }
    }

    @Override
    public void close() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }
}
