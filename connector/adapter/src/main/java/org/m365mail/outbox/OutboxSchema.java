package org.m365mail.outbox;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * The outbox's two tables, in each database's dialect: {@value #TABLE} (one row per message: its state, attempts,
 * lease and last error; times as epoch milliseconds, so no time zone is involved) and {@value #PARTS} (its content in
 * chunks of {@value #CHUNK_BYTES} bytes, so a 50 MB message is written and read a chunk at a time, never held whole in
 * memory, and no database's BLOB streaming quirks matter).
 *
 * <p>The connector creates them on first use when missing; a database user without DDL rights gets them from the
 * README's DDL ({@link #ddl(String)} prints it).
 */
public final class OutboxSchema {

    public static final String TABLE = "M365MAIL_OUTBOX";
    public static final String PARTS = "M365MAIL_OUTBOX_PART";
    /** The largest {@code Message-ID} the outbox takes: its unique key's column (MySQL's index limit). */
    public static final int MAX_MESSAGE_ID = 250;
    static final int CHUNK_BYTES = 256 * 1024;

    private OutboxSchema() {
    }

    /** The dialects the DDL is written for. */
    public static final List<String> DIALECTS = List.of("PostgreSQL", "Oracle", "Microsoft SQL Server", "MySQL",
            "MariaDB", "H2");

    /** The statements that create the tables in {@code product} (a JDBC database product name). */
    public static List<String> ddl(String product) {
        String p = product.toLowerCase(Locale.ROOT);
        String text;
        String bigint = "BIGINT";
        String integer = "INTEGER";
        String binary;
        if (p.contains("oracle")) {
            text = "VARCHAR2";
            bigint = "NUMBER(19)";
            integer = "NUMBER(10)";
            binary = "BLOB";
        } else if (p.contains("postgres")) {
            text = "VARCHAR";
            binary = "BYTEA";
        } else if (p.contains("sql server")) {
            text = "NVARCHAR";
            binary = "VARBINARY(MAX)";
        } else if (p.contains("mysql") || p.contains("mariadb")) {
            text = "VARCHAR";
            binary = "MEDIUMBLOB";
        } else {
            text = "VARCHAR";
            binary = "VARBINARY(" + CHUNK_BYTES + ")";
        }
        return List.of(
                "CREATE TABLE " + TABLE + " ("
                        + "ID " + text + "(36) NOT NULL PRIMARY KEY, "
                        + "OUTBOX_KEY " + text + "(400) NOT NULL, "
                        + "MESSAGE_ID " + text + "(" + MAX_MESSAGE_ID + ") NOT NULL, "
                        + "STATE " + text + "(10) NOT NULL, "
                        + "ATTEMPTS " + integer + " NOT NULL, "
                        + "CREATED_AT " + bigint + " NOT NULL, "
                        + "NEXT_ATTEMPT_AT " + bigint + " NOT NULL, "
                        + "CLAIMED_BY " + text + "(64), "
                        + "LEASE_UNTIL " + bigint + ", "
                        + "DELIVERED_AT " + bigint + ", "
                        + "SIZE_BYTES " + bigint + " NOT NULL, "
                        + "SERVICE_REFERENCE " + text + "(1000), "
                        + "LAST_ERROR " + text + "(2000))",
                "CREATE UNIQUE INDEX M365MAIL_OUTBOX_MSGID ON " + TABLE + " (MESSAGE_ID)",
                "CREATE INDEX M365MAIL_OUTBOX_DUE ON " + TABLE + " (STATE, NEXT_ATTEMPT_AT)",
                "CREATE TABLE " + PARTS + " ("
                        + "ID " + text + "(36) NOT NULL, "
                        + "SEQ " + integer + " NOT NULL, "
                        + "DATA " + binary + " NOT NULL, "
                        + "PRIMARY KEY (ID, SEQ))");
    }

    /** Creates the tables unless they exist; on a connection of the connector's own (no caller's transaction). */
    static void ensure(Connection c) throws SQLException {
        if (exists(c.getMetaData(), TABLE)) {
            return;
        }
        boolean auto = c.getAutoCommit();
        try (Statement s = c.createStatement()) {
            for (String statement : ddl(c.getMetaData().getDatabaseProductName())) {
                s.execute(statement);
            }
            if (!auto) {
                c.commit();
            }
        } catch (SQLException e) {
            if (!auto) {
                c.rollback();
            }
            // Another instance may have created them at the same moment.
            if (!exists(c.getMetaData(), TABLE)) {
                throw e;
            }
        }
    }

    private static boolean exists(DatabaseMetaData meta, String table) throws SQLException {
        for (String name : new String[]{table, table.toLowerCase(Locale.ROOT)}) {
            try (ResultSet rs = meta.getTables(null, null, name, new String[]{"TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }
}
