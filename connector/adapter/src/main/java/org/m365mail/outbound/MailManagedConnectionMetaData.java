package org.m365mail.outbound;

import jakarta.resource.ResourceException;
import org.m365mail.config.PropertyDefaults;
import org.m365mail.config.TransportKind;
import jakarta.resource.spi.ManagedConnectionMetaData;

/** Describes the connector to the server's tooling. */
final class MailManagedConnectionMetaData implements ManagedConnectionMetaData {

    private final MailManagedConnectionFactory factory;

    MailManagedConnectionMetaData(MailManagedConnectionFactory factory) {
        this.factory = factory;
    }

    /** The factory's transport; the default when its settings cannot be read. */
    private TransportKind transport() {
        try {
            return factory.settings().transport();
        } catch (ResourceException e) {
            return PropertyDefaults.TRANSPORT;
        }
    }

    @Override
    public String getEISProductName() {
        return "Microsoft 365 Exchange Online (" + transport() + ")";
    }

    @Override
    public String getEISProductVersion() {
        return transport() == TransportKind.GRAPH ? "Microsoft Graph v1.0" : "SMTP AUTH XOAUTH2";
    }

    @Override
    public int getMaxConnections() {
        return 0;
    }

    @Override
    public String getUserName() {
        return factory.getFromAddress();
    }
}
