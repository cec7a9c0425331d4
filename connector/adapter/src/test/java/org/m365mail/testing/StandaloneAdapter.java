package org.m365mail.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.ra.MailResourceAdapter;

/**
 * A standalone resource adapter for each test, stopped after it: the factories attached to it end their threads
 * (alerts, outbox delivery, token refreshes) with the test, as they end with an undeployed RAR.
 * Register it on an instance field: {@code @RegisterExtension final StandaloneAdapter adapter = new StandaloneAdapter();}
 */
public final class StandaloneAdapter implements BeforeEachCallback, AfterEachCallback {

    private MailResourceAdapter adapter;

    @Override
    public void beforeEach(ExtensionContext context) {
        adapter = MailResourceAdapter.standalone();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (adapter != null) {
            adapter.stop();
            adapter = null;
        }
    }

    /** This test's adapter (its runtime's threads, what it closes at stop). */
    public MailResourceAdapter adapter() {
        return adapter;
    }

    /** {@code mcf}, attached to this test's adapter. */
    public MailManagedConnectionFactory attach(MailManagedConnectionFactory mcf) {
        mcf.setResourceAdapter(adapter);
        return mcf;
    }

    /** The connection factory an application would get from {@code mcf}, on this test's adapter. */
    public org.m365mail.api.MailConnectionFactory factory(MailManagedConnectionFactory mcf) throws Exception {
        return (org.m365mail.api.MailConnectionFactory) attach(mcf).createConnectionFactory();
    }
}
