package org.m365mail.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;

import javax.naming.Reference;

/** The {@link MailConnectionFactory} applications look up; it asks the connection manager for pooled connections. */
public final class MailConnectionFactoryImpl implements MailConnectionFactory,
        FactoryAdministration.Administered {

    private static final long serialVersionUID = 1L;

    private final MailManagedConnectionFactory factory;
    private final ConnectionManager manager;
    private Reference reference;

    MailConnectionFactoryImpl(MailManagedConnectionFactory factory, ConnectionManager manager) {
        this.factory = factory;
        this.manager = manager;
    }

    @Override
    public MailConnection getConnection() throws ResourceException {
        return (MailConnection) manager.allocateConnection(factory, null);
    }

    /** The managed connection factory behind this one (for a factory to find its pool's newer one). */
    MailManagedConnectionFactory managedConnectionFactory() {
        return factory;
    }

    /** Administration, for the console; not part of {@link MailConnectionFactory}. */
    @Override
    public FactoryAdministration administration() {
        return factory.administration();
    }

    @Override
    public void setReference(Reference reference) {
        this.reference = reference;
    }

    @Override
    public Reference getReference() {
        return reference;
    }

    @Override
    public String toString() {
        return "MailConnectionFactory[" + factory + "]";
    }
}
