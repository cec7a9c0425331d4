package org.m365mail.admin;

import jakarta.resource.ResourceException;

import java.net.URI;

/**
 * The user consent behind a connection factory configured with {@code authentication=DELEGATED}: the mailbox's user
 * signs in once and consents to send mail; the connector keeps the resulting refresh token (encrypted with a
 * {@code tokenStoreFile} or {@code tokenStoreDataSource}) and sends as that user from then on.
 *
 * <p>This is administration, for the connector's console behind its administrator role; it is not part of the API
 * applications compile against. The account that signs in must be the factory's {@code username}; Entra sends the
 * browser back to the configured {@code consentRedirectUri}, never to an address taken from a request.
 *
 * <pre>{@code
 * MailboxConsent consent = FactoryAdministration.of(factory).consent().orElseThrow();
 * MailboxConsent.SignIn signIn = consent.begin();
 * // keep signIn.state() in the administrator's session; send the browser to signIn.address()
 * // Entra ID redirects to consentRedirectUri with ?code=...&state=...; check state against the session, then:
 * consent.complete(code, state);
 * }</pre>
 */
public interface MailboxConsent {

    /**
     * A sign-in under way.
     *
     * @param address where to send the administrator's browser: Entra's sign-in page
     * @param state   the value Entra sends back; bind it to the session that started the sign-in
     */
    record SignIn(URI address, String state) {
    }

    /** @return the user whose consent this is ({@code username}, else {@code fromAddress}) */
    String username();

    /** @return where Entra sends the browser back ({@code consentRedirectUri}), or {@code null} when not set */
    URI redirectUri();

    /** @return whether a consent is stored */
    boolean isConnected() throws ResourceException;

    /**
     * Starts the authorization code flow with PKCE. At most 16 sign-ins are under way per factory (the oldest is
     * dropped), each for 10 minutes.
     *
     * @throws ResourceException if {@code consentRedirectUri} is not set
     */
    SignIn begin() throws ResourceException;

    /**
     * Finishes the flow with what Entra ID sent back, checks that the account that signed in is {@link #username()},
     * and stores its consent.
     *
     * @param code  the {@code code} parameter
     * @param state the {@code state} parameter
     * @return the account that connected
     * @throws ResourceException if the state is unknown or expired, Entra refuses the code, or another account signed
     *                           in (then nothing is stored)
     */
    String complete(String code, String state) throws ResourceException;

    /** Forgets the stored consent; sends fail until the mailbox is connected again. */
    void reset() throws ResourceException;
}
