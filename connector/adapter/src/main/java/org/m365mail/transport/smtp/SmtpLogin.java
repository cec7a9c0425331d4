package org.m365mail.transport.smtp;

import org.m365mail.api.MailSendException;
import org.m365mail.auth.AccessToken;
import org.m365mail.auth.TokenSource;
import org.m365mail.config.Secret;

import java.time.Duration;
import java.time.Instant;

/**
 * What an SMTP connection signs in with: a current OAuth token (XOAUTH2), fetched for each physical connection,
 * or a password (LOGIN/PLAIN).
 */
final class SmtpLogin {

    /**
     * One sign-in's credential.
     *
     * @param secret the token or password
     * @param token  the token, or {@code null} for a password
     */
    record Credential(String secret, AccessToken token) {
        @Override
        public String toString() {
            return "Credential[****]";
        }
    }

    private final String username;
    private final TokenSource tokens;
    private final Secret password;

    private SmtpLogin(String username, TokenSource tokens, Secret password) {
        this.username = username;
        this.tokens = tokens;
        this.password = password;
    }

    static SmtpLogin oauth(String username, TokenSource tokens) {
        return new SmtpLogin(username, tokens, null);
    }

    static SmtpLogin password(String username, Secret password) {
        return new SmtpLogin(username, null, password);
    }

    String username() {
        return username;
    }

    boolean usesTokens() {
        return tokens != null;
    }

    Credential current() throws MailSendException {
        if (tokens == null) {
            return new Credential(password.reveal(), null);
        }
        AccessToken token = tokens.token();
        return new Credential(token.value(), token);
    }

    /** The server refused the credential; a token is dropped so the next one is new. */
    void refused(Credential credential) {
        if (tokens != null && credential.token() != null) {
            tokens.invalidate(credential.token());
        }
    }

    /**
     * Until when a connection signed in with {@code credential} may be used: a token must have some of its life
     * left (a tenth of it, at most a minute), so a pooled connection never outlives its token. Worked out once per
     * sign-in, not per message.
     */
    static Instant usableUntil(Credential credential) {
        AccessToken token = credential.token();
        if (token == null) {
            return Instant.MAX;
        }
        Duration lifetime = Duration.between(token.acquiredAt(), token.expiresAt());
        Duration tenth = lifetime.dividedBy(10);
        return token.expiresAt().minus(tenth.compareTo(Duration.ofMinutes(1)) < 0 ? tenth : Duration.ofMinutes(1));
    }
}
