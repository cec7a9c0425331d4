package org.m365mail.auth;

import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import org.m365mail.api.MailSendException;
import org.m365mail.config.MailSettings;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Gets a user's (delegated) access token from the refresh token of the user's consent, through msal4j, and saves the
 * refresh token Entra rotates in its place at once.
 *
 * <p>msal4j keeps the new refresh token in its own cache and does not return it; a cache aspect reads it from there
 * after each redemption. A revoked or lapsed consent ({@code invalid_grant}, e.g. {@code AADSTS700082} after 90 days
 * unused) fails sends with a message that says to connect the mailbox again, logged once as a WARNING rather than once
 * per message.
 */
public final class MsalDelegatedTokens implements TokenRequest {

    private static final Logger LOG = Logger.getLogger(MsalDelegatedTokens.class.getName());
    private static final long TIMEOUT_SECONDS = 60;

    private final MailSettings settings;
    private final String scope;
    private final RefreshTokenStore store;
    private final String storeKey;
    private final Clock clock;
    private final ConfidentialClientApplication application;
    private final RefreshTokenCapture capture = new RefreshTokenCapture();
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * @param scope    the delegated scope, e.g. {@code https://outlook.office.com/SMTP.Send}
     * @param store    where the consent's refresh token is kept
     * @param storeKey the consent's name in the store
     */
    public MsalDelegatedTokens(MailSettings settings, String scope, HttpClient http, RefreshTokenStore store,
                               String storeKey, Clock clock) throws MailSendException {
        this.settings = settings;
        this.scope = scope;
        this.store = store;
        this.storeKey = storeKey;
        this.clock = clock;
        this.application = EntraApplications.confidential(settings, http, capture);
    }

    /** The name a user's consent is kept under: tenant, app and user. */
    public static String storeKey(MailSettings settings) {
        return (settings.tenantId() + "|" + settings.clientId() + "|" + settings.username()).toLowerCase(
                java.util.Locale.ROOT);
    }

    @Override
    public AccessToken request() throws MailSendException {
        String refreshToken = store.load(storeKey).orElseThrow(() -> new MailSendException("No mailbox is connected "
                + "for authentication DELEGATED: " + settings.username() + " must sign in once and consent to "
                + scope + " (Connect mailbox in the console)", "MailboxNotConnected", null));
        Instant requestedAt = Instant.now(clock);
        long requestedAtMillis = System.currentTimeMillis();
        capture.clear();
        try {
            IAuthenticationResult result = application.acquireToken(com.microsoft.aad.msal4j.RefreshTokenParameters
                    .builder(Set.of(scope), refreshToken).build()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            String next = capture.latest(settings.clientId());
            if (next != null && !next.equals(refreshToken)) {
                // Entra has replaced the refresh token: keep the new one now, whatever happens to the send.
                store.save(storeKey, next);
            }
            warned.set(false);
            long lifetimeMillis = result.expiresOnDate().getTime() - requestedAtMillis;
            return new AccessToken(result.accessToken(), requestedAt, requestedAt.plusMillis(lifetimeMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while refreshing the token of " + settings.username(), e);
        } catch (TimeoutException e) {
            throw new MailSendException("Entra ID did not answer the token refresh for " + settings.username()
                    + " within " + TIMEOUT_SECONDS + " s", "EntraUnreachable", e);
        } catch (ExecutionException e) {
            Throwable failure = e.getCause() == null ? e : e.getCause();
            String aadsts = EntraApplications.aadsts(failure);
            if (failure instanceof com.microsoft.aad.msal4j.MsalServiceException service
                    && "invalid_grant".equals(service.errorCode())) {
                String text = "The consent of " + settings.username() + " is no longer valid (" + aadsts + ": "
                        + String.valueOf(service.getMessage()).split("\\r?\\n|Trace ID")[0].trim() + "). Connect the "
                        + "mailbox again (Connect mailbox in the console).";
                if (warned.compareAndSet(false, true)) {
                    LOG.warning("M365MAIL-2201 " + text);
                }
                throw new MailSendException(text, aadsts, null);
            }
            throw EntraApplications.translate(settings, scope, failure);
        }
    }
}
