package org.m365mail.api;

import jakarta.resource.ResourceException;

import java.net.URI;

/**
 * The user consent behind a connection factory configured with {@code authentication=DELEGATED}: the mailbox's user
 * signs in once and consents to send mail; the connector keeps the resulting refresh token (encrypted when a
 * {@code tokenStoreFile} is configured) and sends as that user from then on. This is administration, meant for the
 * connector's console: connect a mailbox, see whether one is connected, and reset.
 *
 * <pre>{@code
 * MailboxConsent consent = factory.getConsent();
 * URI signIn = consent.begin(URI.create("https://app.contoso.com/console/consent/callback"));
 * // send the browser to signIn; Entra ID redirects back with ?code=...&state=...
 * consent.complete(redirectUri, code, state);
 * }</pre>
 */
public interface MailboxConsent {

    /** @return the user whose consent this is ({@code username}, else {@code fromAddress}) */
    String username();

    /** @return whether a consent is stored */
    boolean isConnected() throws ResourceException;

    /**
     * Starts the authorization code flow with PKCE.
     *
     * @param redirectUri where Entra ID sends the browser back; must be registered on the app registration
     * @return the sign-in address to send the user's browser to
     */
    URI begin(URI redirectUri) throws ResourceException;

    /**
     * Finishes the flow with what Entra ID sent back, and stores the consent.
     *
     * @param redirectUri the same redirect URI as in {@link #begin(URI)}
     * @param code        the {@code code} parameter
     * @param state       the {@code state} parameter
     * @throws ResourceException if the state is unknown or expired, or Entra refuses the code
     */
    void complete(URI redirectUri, String code, String state) throws ResourceException;

    /** Forgets the stored consent; sends fail until the mailbox is connected again. */
    void reset() throws ResourceException;
}
