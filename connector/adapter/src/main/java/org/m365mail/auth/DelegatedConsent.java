package org.m365mail.auth;

import com.microsoft.aad.msal4j.AuthorizationCodeParameters;
import com.microsoft.aad.msal4j.AuthorizationRequestUrlParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAccount;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.ResponseMode;
import jakarta.resource.ResourceException;
import org.m365mail.api.MailSendException;
import org.m365mail.admin.MailboxConsent;
import org.m365mail.config.MailSettings;
import org.m365mail.logging.LogText;

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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Connects a mailbox for {@code authentication=DELEGATED} with the authorization code flow and PKCE
 * (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow), and stores the refresh token
 * the consent yields.
 *
 * <ul>
 *   <li>The PKCE verifier never leaves this class; a {@code state} ties the browser's return to it, is used once and
 *       expires after ten minutes; at most {@value #MAX_PENDING} sign-ins are under way (the oldest is dropped).
 *   <li>Entra sends the browser back to the configured {@code consentRedirectUri} only: an address built from a
 *       request's {@code Host} header would let whoever sends that header choose where the code goes.
 *   <li>The account that signed in (the ID token's {@code preferred_username}) must be the factory's
 *       {@code username}; any other account's consent is refused and nothing is stored, so no one can make the
 *       connector send as themselves, or as someone else, by signing in.
 * </ul>
 */
public final class DelegatedConsent implements MailboxConsent {

    private static final Logger LOG = Logger.getLogger(DelegatedConsent.class.getName());
    private static final Duration PENDING = Duration.ofMinutes(10);
    static final int MAX_PENDING = 16;

    /** A sign-in under way. */
    private record Pending(String verifier, Instant expires) {
    }

    private final MailSettings settings;
    private final String scope;
    private final RefreshTokenStore store;
    private final String storeKey;
    private final Clock clock;
    private final ConfidentialClientApplication application;
    private final RefreshTokenCapture capture = new RefreshTokenCapture();
    /** Sign-ins under way by state, oldest first. */
    private final Map<String, Pending> pending = new LinkedHashMap<>();
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
    public URI redirectUri() {
        return settings.consentRedirectUri();
    }

    @Override
    public boolean isConnected() throws ResourceException {
        return store.load(storeKey).isPresent();
    }

    @Override
    public SignIn begin() throws ResourceException {
        URI redirectUri = settings.consentRedirectUri();
        if (redirectUri == null) {
            throw new MailSendException("consentRedirectUri is not set on this connection factory: set it to the "
                    + "address of the console's consent callback (such as "
                    + "https://admin.contoso.com/m365-mail-console/consent/callback) and register the same address on "
                    + "the app registration (Authentication, platform Web)", "ConsentRedirectUriMissing", null);
        }
        String verifier = randomText(48);
        String state = randomText(24);
        synchronized (pending) {
            Instant now = Instant.now(clock);
            pending.values().removeIf(p -> p.expires().isBefore(now));
            while (pending.size() >= MAX_PENDING) {
                pending.remove(pending.keySet().iterator().next());
            }
            pending.put(state, new Pending(verifier, now.plus(PENDING)));
        }
        try {
            URI address = queryResponseMode(application.getAuthorizationRequestUrl(AuthorizationRequestUrlParameters
                    .builder(redirectUri.toString(), Set.of(scope, "offline_access"))
                    .codeChallenge(challenge(verifier))
                    .codeChallengeMethod("S256")
                    .state(state)
                    .loginHint(settings.username())
                    .responseMode(ResponseMode.FORM_POST)
                    .build()).toURI());
            return new SignIn(address, state);
        } catch (URISyntaxException e) {
            throw new ResourceException("Cannot build the sign-in address: " + e.getMessage(), e);
        }
    }

    /**
     * The sign-in address with {@code response_mode=query}: Entra then sends the browser back to the callback with a
     * GET, as the console's callback expects. msal4j 1.26 writes {@code form_post} whatever it is asked (it turns
     * QUERY into FORM_POST with a warning), and a cross-site POST would reach the console without its session cookie
     * where browsers apply SameSite=Lax. Entra supports both for the code flow, query being its default:
     * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
     */
    static URI queryResponseMode(URI address) throws URISyntaxException {
        String query = address.getRawQuery();
        String replaced = query == null ? null
                : query.replaceFirst("(^|&)response_mode=[^&]*", "$1response_mode=query");
        if (replaced != null && !replaced.contains("response_mode=")) {
            replaced = replaced + "&response_mode=query";
        }
        return new URI(address.getScheme() + "://" + address.getRawAuthority() + address.getRawPath()
                + (replaced == null ? "?response_mode=query" : "?" + replaced));
    }

    @Override
    public String complete(String code, String state) throws ResourceException {
        Pending started;
        synchronized (pending) {
            started = state == null ? null : pending.remove(state);
        }
        if (started == null || started.expires().isBefore(Instant.now(clock))) {
            throw new MailSendException("This sign-in is unknown or took longer than 10 minutes: start Connect mailbox "
                    + "again", "ConsentExpired", null);
        }
        if (code == null || code.isBlank()) {
            throw new MailSendException("Entra ID sent no authorization code back: start Connect mailbox again",
                    "ConsentExpired", null);
        }
        capture.clear();
        IAuthenticationResult result;
        try {
            result = application.acquireToken(AuthorizationCodeParameters.builder(code, settings.consentRedirectUri())
                    .codeVerifier(started.verifier()).scopes(Set.of(scope)).build()).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while completing the sign-in", e);
        } catch (TimeoutException e) {
            throw new MailSendException("Entra ID did not answer within 60 s", e);
        } catch (ExecutionException e) {
            throw EntraApplications.translate(settings, scope, e.getCause() == null ? e : e.getCause());
        }
        String account = signedIn(result);
        // The refresh token of the account that signed in, not of any other the flow's cache may hold.
        String refreshToken = result.account() == null ? null
                : capture.latest(settings.clientId(), result.account().homeAccountId());
        forget(result);
        if (account == null || !account.equalsIgnoreCase(settings.username())) {
            LOG.warning("M365MAIL-2204 A delegated consent for " + settings.username() + " was refused: "
                    + (account == null ? "Entra ID did not say who signed in" : LogText.of(account) + " signed in")
                    + "; nothing was stored");
            throw new MailSendException((account == null
                    ? "Entra ID did not say which account signed in (no ID token)"
                    : "The account " + LogText.of(account) + " signed in, but this connection factory sends as "
                    + settings.username() + " (username)") + ": sign out of Microsoft in this browser and connect the "
                    + "mailbox again as " + settings.username() + ". Nothing was stored.", "ConsentWrongAccount", null);
        }
        if (refreshToken == null) {
            throw new MailSendException("Entra ID returned no refresh token: add the offline_access permission to "
                    + "the app registration and connect again", "NoRefreshToken", null);
        }
        store.save(storeKey, refreshToken);
        onChange.run();
        LOG.info("M365MAIL-2202 Mailbox " + settings.username() + " connected for delegated sending");
        return account;
    }

    /** Who signed in, from the ID token msal4j read ({@code preferred_username}). */
    private static String signedIn(IAuthenticationResult result) {
        IAccount account = result.account();
        return account == null || account.username() == null || account.username().isBlank() ? null
                : account.username().trim();
    }

    /**
     * Drops the signed-in account from this flow's msal4j cache: the consent lives in the token store, and a refused
     * account's tokens must not linger anywhere.
     */
    private void forget(IAuthenticationResult result) {
        if (result.account() != null) {
            try {
                application.removeAccount(result.account()).get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.fine(() -> "M365MAIL-2207 Removing the account from the consent flow's token cache failed: " + e);
            }
        }
        capture.clear();
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
