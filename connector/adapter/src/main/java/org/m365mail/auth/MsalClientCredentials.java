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
 * Requests app-only tokens from Entra ID with the OAuth 2.0 client credentials grant and a client secret or
 * certificate, through msal4j. One msal4j application is built per connection factory and reused, and built again when the certificate
 * file is replaced.
 */
public final class MsalClientCredentials implements TokenRequest {

    private static final long TIMEOUT_SECONDS = 60;

    private final MailSettings settings;
    private final String scope;
    private final Clock clock;
    private final java.net.http.HttpClient http;
    private final CertificateFile certificates;
    private ConfidentialClientApplication application;
    private long applicationVersion;

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
        this(settings, scope, http, clock, null);
    }

    /**
     * @param certificates the certificate file, watched for a replacement; {@code null} for a client secret (or to
     *                     keep the certificate read with the settings)
     */
    public MsalClientCredentials(MailSettings settings, String scope, java.net.http.HttpClient http, Clock clock,
                                 CertificateFile certificates) throws MailSendException {
        this.settings = settings;
        this.scope = scope;
        this.clock = clock;
        this.http = http;
        this.certificates = certificates;
        this.application = EntraApplications.confidential(settings,
                certificates == null ? settings.certificate() : certificates.current(), http, null);
        this.applicationVersion = certificates == null ? 0 : certificates.version();
    }

    @Override
    public long credentialVersion() {
        return certificates == null ? 0 : certificates.version();
    }

    /** The msal4j application for the certificate in use now; built again when the certificate was replaced. */
    private synchronized ConfidentialClientApplication application() throws MailSendException {
        if (certificates != null) {
            long version = certificates.version();
            if (version != applicationVersion) {
                application = EntraApplications.confidential(settings, certificates.current(), http, null);
                applicationVersion = version;
            }
        }
        return application;
    }

    @Override
    public AccessToken request() throws MailSendException {
        Instant requestedAt = Instant.now(clock);
        long requestedAtMillis = System.currentTimeMillis();
        try {
            IAuthenticationResult result = application().acquireToken(ClientCredentialParameters.builder(Set.of(scope))
                    .skipCache(true).build()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            // msal4j stamps expiry on the system clock; keep the lifetime and place it on ours.
            long lifetimeMillis = result.expiresOnDate().getTime() - requestedAtMillis;
            return new AccessToken(result.accessToken(), requestedAt, requestedAt.plusMillis(lifetimeMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while requesting an access token from Entra ID", e);
        } catch (TimeoutException e) {
            throw new MailSendException("Entra ID at " + settings.authorityUrl() + " did not answer the token request "
                    + "within " + TIMEOUT_SECONDS + " s; check authorityUrl and the network path (proxy, firewall)",
                    "EntraUnreachable", e);
        } catch (ExecutionException e) {
            throw translate(e.getCause() == null ? e : e.getCause());
        }
    }

    private MailSendException translate(Throwable failure) {
        return EntraApplications.translate(settings, scope, failure);
    }
}
