package org.m365mail.auth;

import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import org.m365mail.api.MailSendException;
import org.m365mail.config.MailSettings;
import org.m365mail.http.ConnectorHttpClient;

import javax.net.ssl.SSLContext;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Requests app-only tokens from Entra ID with the OAuth 2.0 client credentials grant and a client secret, through
 * msal4j. One msal4j application is built per connection factory and reused.
 */
public final class MsalClientCredentials implements TokenRequest {

    private static final long TIMEOUT_SECONDS = 60;

    private final ConfidentialClientApplication application;
    private final MailSettings settings;
    private final String scope;
    private final Clock clock;

    /**
     * @param settings validated settings
     * @param scope    the {@code .default} scope of the resource, e.g. {@code https://graph.microsoft.com/.default}
     * @param tls      the TLS trust for the authority
     * @param clock    the time
     */
    public MsalClientCredentials(MailSettings settings, String scope, SSLContext tls, Clock clock)
            throws MailSendException {
        this(settings, scope, ConnectorHttpClient.build(settings, tls), clock);
    }

    /**
     * @param settings validated settings
     * @param scope    the {@code .default} scope of the resource
     * @param http     the connector's HTTP client (TLS trust, proxy, timeouts)
     * @param clock    the time
     */
    public MsalClientCredentials(MailSettings settings, String scope, java.net.http.HttpClient http, Clock clock)
            throws MailSendException {
        this.settings = settings;
        this.scope = scope;
        this.clock = clock;
        this.application = EntraApplications.confidential(settings, http, null);
    }

    @Override
    public AccessToken request() throws MailSendException {
        Instant requestedAt = Instant.now(clock);
        long requestedAtMillis = System.currentTimeMillis();
        try {
            IAuthenticationResult result = application.acquireToken(ClientCredentialParameters.builder(Set.of(scope))
                    .skipCache(true).build()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            // msal4j stamps expiry on the system clock; keep the lifetime and place it on ours.
            long lifetimeMillis = result.expiresOnDate().getTime() - requestedAtMillis;
            return new AccessToken(result.accessToken(), requestedAt, requestedAt.plusMillis(lifetimeMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while requesting an access token from Entra ID", e);
        } catch (TimeoutException e) {
            throw new MailSendException("Entra ID at " + settings.authorityUrl() + " did not answer the token request "
                    + "within " + TIMEOUT_SECONDS + " s; check authorityUrl and the network path (proxy, firewall)", e);
        } catch (ExecutionException e) {
            throw translate(e.getCause() == null ? e : e.getCause());
        }
    }

    private MailSendException translate(Throwable failure) {
        return EntraApplications.translate(settings, scope, failure);
    }
}
