package org.m365mail.auth;

import org.m365mail.api.MailSendException;

import java.time.Instant;
import java.util.Optional;

/**
 * Where the refresh token of a user's delegated consent is kept between restarts. Entra replaces refresh tokens as
 * they are used, so the newest is saved at once, on its own, every time one arrives: nothing may roll it back.
 */
public interface RefreshTokenStore {

    /** The stored refresh token for {@code key}, if a mailbox was connected. */
    Optional<String> load(String key) throws MailSendException;

    /** When the refresh token for {@code key} was last saved, if there is one: how long the consent has been idle. */
    Optional<Instant> savedAt(String key) throws MailSendException;

    /** Replaces the stored refresh token for {@code key}, durably, before returning. */
    void save(String key, String refreshToken) throws MailSendException;

    /** Forgets the consent for {@code key} ("Reset"). */
    void delete(String key) throws MailSendException;
}
