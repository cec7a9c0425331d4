package org.m365mail.outbox;

import jakarta.mail.internet.MimeMessage;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailOutbox;
import org.m365mail.api.MailSendException;
import org.m365mail.api.OutboxCounts;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.ra.MailResourceAdapter;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the outbox tests share: a fresh outbox database of each kind, factories on the stand-in that write to it (each
 * on a standalone resource adapter, stopped after the test), and a committed or rolled-back transaction of messages.
 */
final class OutboxRig implements AutoCloseable {

    private final SandboxExtension sandbox;
    private final OutboxDatabases databases = new OutboxDatabases();
    private final List<MailResourceAdapter> adapters = new ArrayList<>();

    OutboxRig(SandboxExtension sandbox) {
        this.sandbox = sandbox;
    }

    /** The database of this kind, with no outbox tables: the connector creates them. */
    DataSource fresh(OutboxDatabases.Kind kind) throws Exception {
        DataSource ds = databases.dataSource(kind);
        OutboxDatabases.reset(ds);
        return ds;
    }

    /** A factory on the stand-in whose outbox is {@code ds}, set up further by {@code more}. */
    MailConnectionFactory factory(DataSource ds, String transport, Consumer<MailManagedConnectionFactory> more)
            throws Exception {
        MailResourceAdapter adapter = MailResourceAdapter.standalone();
        adapters.add(adapter);
        MailManagedConnectionFactory mcf = SandboxFactories.factory(sandbox.get(), transport);
        mcf.useOutbox(ds);
        more.accept(mcf);
        mcf.setResourceAdapter(adapter);
        return (MailConnectionFactory) mcf.createConnectionFactory();
    }

    /** Stops every adapter {@link #factory} started, and clears the stand-in's faults. */
    void stopAdapters() {
        adapters.forEach(MailResourceAdapter::stop);
        adapters.clear();
        sandbox.get().graphFaults().clear();
        sandbox.get().smtpFaults().clear();
    }

    /** Enqueues {@code messages} in one transaction, then commits or rolls it back. */
    static void commit(DataSource ds, MailOutbox outbox, boolean commit, MimeMessage... messages) throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            for (MimeMessage m : messages) {
                outbox.enqueue(c, m);
            }
            if (commit) {
                c.commit();
            } else {
                c.rollback();
            }
        }
    }

    /** The outbox's counts, for a wait's condition. */
    static OutboxCounts counts(MailOutbox outbox) {
        try {
            return outbox.counts();
        } catch (MailSendException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() throws Exception {
        stopAdapters();
        databases.close();
    }
}
