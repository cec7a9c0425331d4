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
}
