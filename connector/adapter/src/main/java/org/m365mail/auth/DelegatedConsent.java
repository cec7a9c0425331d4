package org.m365mail.auth;

import com.microsoft.aad.msal4j.AuthorizationCodeParameters;
import com.microsoft.aad.msal4j.AuthorizationRequestUrlParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.ResponseMode;
import jakarta.resource.ResourceException;
import org.m365mail.api.MailSendException;
import org.m365mail.api.MailboxConsent;
import org.m365mail.config.MailSettings;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Connects a mailbox for {@code authentication=DELEGATED} with the authorization code flow and PKCE
 * (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow), and stores the refresh token
 * the consent yields. The PKCE verifier never leaves this class; a {@code state} ties the browser's return to it and
 * expires after ten minutes.
 */
public final class DelegatedConsent implements MailboxConsent {

    private static final Logger LOG = Logger.getLogger(DelegatedConsent.class.getName());
    private static final Duration PENDING = Duration.ofMinutes(10);

    /** A sign-in under way. */
    private record Pending(String verifier, URI redirectUri, Instant expires) {
    }

    private final MailSettings settings;
    private final String scope;
    private final RefreshTokenStore store;
    private final String storeKey;
    private final Clock clock;
    private final ConfidentialClientApplication application;
    private final RefreshTokenCapture capture = new RefreshTokenCapture();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Runnable onChange;

    /**
     * @param onChange called after a consent is stored or reset, so cached tokens are dropped
     */
    public DelegatedConsent(MailSettings settings, String scope, HttpClient http, RefreshTokenStore store,
                            Clock clock, Runnable onChange) throws MailSendException {
        this.settings = settings;
        this.scope = scope;
        this.store = store;
        this.storeKey = MsalDelegatedTokens.storeKey(settings);
        this.clock = clock;
        this.onChange = onChange;
        this.application = EntraApplications.confidential(settings, http, capture);
    }

    @Override
    public String username() {
        return settings.username();
    }

    @Override
    public boolean isConnected() throws ResourceException {
        return store.load(storeKey).isPresent();
    }

    @Override
    public URI begin(URI redirectUri) throws ResourceException {
        pending.values().removeIf(p -> p.expires().isBefore(Instant.now(clock)));
        String verifier = randomText(48);
        String state = randomText(24);
        pending.put(state, new Pending(verifier, redirectUri, Instant.now(clock).plus(PENDING)));
        try {
            return application.getAuthorizationRequestUrl(AuthorizationRequestUrlParameters
                    .builder(redirectUri.toString(), Set.of(scope, "offline_access"))
                    .codeChallenge(challenge(verifier))
                    .codeChallengeMethod("S256")
                    .state(state)
                    .loginHint(settings.username())
                    .responseMode(ResponseMode.QUERY)
                    .build()).toURI();
        } catch (URISyntaxException e) {
            throw new ResourceException("Cannot build the sign-in address: " + e.getMessage(), e);
        }
    }

    @Override
    public void complete(URI redirectUri, String code, String state) throws ResourceException {
        Pending started = state == null ? null : pending.remove(state);
        if (started == null || started.expires().isBefore(Instant.now(clock))) {
            throw new MailSendException("This sign-in is unknown or took longer than 10 minutes: start Connect mailbox "
                    + "again", "ConsentExpired", null);
        }
        capture.clear();
        try {
            application.acquireToken(AuthorizationCodeParameters.builder(code, redirectUri)
                    .codeVerifier(started.verifier()).scopes(Set.of(scope)).build()).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while completing the sign-in", e);
        } catch (TimeoutException e) {
            throw new MailSendException("Entra ID did not answer within 60 s", e);
        } catch (ExecutionException e) {
            throw EntraApplications.translate(settings, scope, e.getCause() == null ? e : e.getCause());
        }
        String refreshToken = capture.latest(settings.clientId());
        if (refreshToken == null) {
            throw new MailSendException("Entra ID returned no refresh token: add the offline_access permission to "
                    + "the app registration and connect again", "NoRefreshToken", null);
        }
        store.save(storeKey, refreshToken);
        onChange.run();
        LOG.info("M365MAIL-2202 Mailbox " + settings.username() + " connected for delegated sending");
    }

    @Override
    public void reset() throws ResourceException {
        store.delete(storeKey);
        onChange.run();
        LOG.info("M365MAIL-2203 The delegated consent of " + settings.username() + " was reset");
    }

    private String randomText(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String challenge(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
