package org.m365mail.auth;

import org.m365mail.api.MailSendException;

/** One request for a new token at the identity provider, made by {@link CachedTokenSource} when it needs one. */
@FunctionalInterface
public interface TokenRequest {

    /**
     * Asks the identity provider for a new token, bypassing any cache.
     *
     * @throws MailSendException when the provider refuses or cannot be reached
     */
    AccessToken request() throws MailSendException;

    /**
     * Which credential the next request signs in with: a number that grows when it changes (a replaced certificate
     * file), so that the cache fetches a token with the new one. Constant for credentials that cannot change.
     */
    default long credentialVersion() {
        return 0;
    }
}
