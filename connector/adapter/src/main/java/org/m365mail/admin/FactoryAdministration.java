package org.m365mail.admin;

import jakarta.resource.ResourceException;
import org.m365mail.api.MailConnectionFactory;

import java.util.List;
import java.util.Optional;

/**
 * What the connector's console may do with a connection factory beyond sending: see how it is set up, whether it can
 * send and what it counted, and manage a delegated mailbox's consent. Obtained with
 * {@link #of(MailConnectionFactory)} for a factory the console found in the server's naming tree; not part of the
 * application API.
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

    /** What is known of whether the factory can send, from its tokens and sends so far; asks no server. */
    PoolStatus status() throws ResourceException;

    /**
     * Whether the factory can send now (its readiness): asks Entra for a token when none was had in the last
     * 10 seconds (a cached one costs nothing), then reads how the last sends went.
     */
    PoolStatus check() throws ResourceException;

    /** @return the factory's counts */
    MetricsSnapshot metrics() throws ResourceException;

    /**
     * Tells {@code observer} of every counted event from now on, until the returned subscription is closed.
     *
     * @param name the name the factory is known by (its JNDI name), used in alerts from then on
     */
    AutoCloseable observe(String name, MetricsObserver observer) throws ResourceException;

    /**
     * The factory's effective configuration, grouped by concern, each property with its description, value and
     * default; secrets only as "(set)". Reads no secret out.
     */
    List<Setting> configuration();

    /** The access token the factory holds now, without asking for one. */
    TokenState token() throws ResourceException;

    /** The last pool-wide failure still unresolved, with when and what to do; empty when there is none. */
    Optional<LastFailure> lastFailure() throws ResourceException;

    /** @return who receives the factory's failure alerts; empty: the server's log only */
    List<String> alertAddresses() throws ResourceException;

    /**
     * Check setup: the checks of the pool's Ping, step by step (token, tenant, permission, and for SMTP the sign-in
     * to the SMTP server), each with what it found and what to do. Asks Entra for a token when none is held.
     */
    SetupReport checkSetup() throws ResourceException;

    /**
     * What an administrator does about {@code failure}, a send's or a connection's as the application (or the console)
     * got it, possibly wrapped by the server: the advice for its kind of failure; empty when there is none.
     */
    Optional<String> adviceFor(Throwable failure);
}
