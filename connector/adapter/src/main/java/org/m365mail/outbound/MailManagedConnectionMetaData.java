package org.m365mail.outbound;

import jakarta.resource.spi.ManagedConnectionMetaData;

/** Describes the connector to the server's tooling. */
final class MailManagedConnectionMetaData implements ManagedConnectionMetaData {

    private final MailManagedConnectionFactory factory;

    MailManagedConnectionMetaData(MailManagedConnectionFactory factory) {
        this.factory = factory;
    }

    @Override
    public String getEISProductName() {
        return "Microsoft 365 Exchange Online (" + factory.getTransport() + ")";
    }

    @Override
    public String getEISProductVersion() {
        return "GRAPH".equalsIgnoreCase(factory.getTransport()) ? "Microsoft Graph v1.0" : "SMTP AUTH XOAUTH2";
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
