package org.m365mail.admin;

import jakarta.resource.ResourceException;
import org.m365mail.api.MailConnectionFactory;

import java.util.Optional;

/**
 * What the connector's console may do with a connection factory beyond sending: see how it is set up and manage a
 * delegated mailbox's consent. Obtained with {@link #of(MailConnectionFactory)} for a factory the console found in the
 * server's naming tree; not part of the application API.
 */
public interface FactoryAdministration {

    /**
     * The administration of {@code factory}.
     *
     * @throws ResourceException if the factory is not one of this connector's
     */
    static FactoryAdministration of(MailConnectionFactory factory) throws ResourceException {
        if (factory instanceof Administered administered) {
            return administered.administration();
        }
        throw new ResourceException("Not a connection factory of the Microsoft 365 mail connector");
    }

    /** A connection factory of this connector. */
    interface Administered {
        FactoryAdministration administration() throws ResourceException;
    }

    /** @return {@code GRAPH} or {@code SMTP} */
    String transport() throws ResourceException;

    /** @return {@code CLIENT_CREDENTIALS}, {@code DELEGATED}, {@code MANAGED_IDENTITY} or {@code PASSWORD} */
    String authentication() throws ResourceException;

    /** @return the mailbox that sends */
    String fromAddress() throws ResourceException;

    /** @return the delegated consent, when the factory uses {@code authentication=DELEGATED} */
    Optional<MailboxConsent> consent() throws ResourceException;
}
