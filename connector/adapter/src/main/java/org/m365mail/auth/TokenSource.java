package org.m365mail.auth;

import org.m365mail.api.MailSendException;

/**
 * Where a transport gets its access token. One source serves every connection of a connection factory, so a
 * token is requested once per lifetime, not once per connection or message.
 */
public interface TokenSource {

    /**
     * A token that is valid for a while yet.
     *
     * @throws MailSendException if none can be obtained; the message says what to fix (secret, tenant, network)
     */
    AccessToken token() throws MailSendException;

    /**
     * Forgets {@code rejected} because the service refused it (revoked, or permissions changed since it was
     * issued), so the next {@link #token()} fetches a new one. Another token that replaced it is kept.
     */
    void invalidate(AccessToken rejected);

    /** The token held now, without asking for one; empty when none is held (or the source keeps none). */
    default java.util.Optional<AccessToken> held() {
        return java.util.Optional.empty();
    }

    /**
     * Fetches a new token now, whatever the age of the one in hand: for a delegated consent this redeems, and so
     * renews, its refresh token.
     */
    default AccessToken renew() throws MailSendException {
        AccessToken current = token();
        invalidate(current);
        return token();
    }
}
