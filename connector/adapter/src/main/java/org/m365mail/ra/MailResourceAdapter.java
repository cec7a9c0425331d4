package org.m365mail.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.NotSupportedException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.Connector;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.TransactionSupport;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;

import javax.transaction.xa.XAResource;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The Microsoft 365 mail resource adapter (outbound only). It holds nothing but the list of connection factories
 * to shut down when the adapter stops; all configuration is per connection pool.
 */
@Connector(
        displayName = "Microsoft 365 Mail Connector",
        description = "Sends mail through Microsoft 365 / Exchange Online with OAuth 2.0, over Microsoft Graph or "
                + "SMTP XOAUTH2",
        vendorName = "m365-mail-connector",
        eisType = "Microsoft 365 Exchange Online",
        version = "0.1.0",
        licenseRequired = false,
        transactionSupport = TransactionSupport.TransactionSupportLevel.NoTransaction,
        reauthenticationSupport = false)
public class MailResourceAdapter implements ResourceAdapter {

    private static final Logger LOG = Logger.getLogger(MailResourceAdapter.class.getName());

    private final Set<AutoCloseable> factories = ConcurrentHashMap.newKeySet();

    @Override
    public void start(BootstrapContext context) {
        LOG.info("M365MAIL-1001 Microsoft 365 mail connector started");
    }

    @Override
    public void stop() {
        for (AutoCloseable factory : factories) {
            try {
                factory.close();
            } catch (Exception e) {
                LOG.fine(() -> "Closing a connection factory failed: " + e);
            }
        }
        factories.clear();
        org.m365mail.transport.smtp.SmtpXoauth2Transport.stopWriteTimeouts();
        LOG.info("M365MAIL-1002 Microsoft 365 mail connector stopped");
    }

    /** Called by each managed connection factory associated with this adapter, so {@link #stop()} can close it. */
    public void register(AutoCloseable factory) {
        factories.add(factory);
    }

    @Override
    public void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec) throws ResourceException {
        throw new NotSupportedException("The Microsoft 365 mail connector only sends mail; it has no inbound endpoints");
    }

    @Override
    public void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
        // No inbound endpoints, so nothing is ever active.
    }

    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return new XAResource[0];
    }

    // A resource adapter JavaBean must implement equals and hashCode over its configuration; it has none.
    @Override
    public boolean equals(Object other) {
        return other != null && other.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return MailResourceAdapter.class.hashCode();
    }
}
