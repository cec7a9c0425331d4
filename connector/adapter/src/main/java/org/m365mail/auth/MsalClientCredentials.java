package org.m365mail.auth;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.MsalException;
import com.microsoft.aad.msal4j.MsalServiceException;
import org.m365mail.api.MailSendException;
import org.m365mail.config.MailSettings;

import javax.net.ssl.SSLContext;
import java.net.MalformedURLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests app-only tokens from Entra ID with the OAuth 2.0 client credentials grant and a client secret, through
 * msal4j. One msal4j application is built per connection factory and reused.
 */
public final class MsalClientCredentials implements TokenRequest {

    private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d+)");
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
        this(settings, scope, org.m365mail.transport.ConnectorHttpClient.build(settings, tls), clock);
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
        try {
            this.application = ConfidentialClientApplication
                    .builder(settings.clientId(), settings.certificate() != null
                            // A signed client assertion (RS256, x5t#S256) instead of a shared secret.
                            ? ClientCredentialFactory.createFromCertificateChain(settings.certificate().key(),
                                    settings.certificate().chain())
                            : ClientCredentialFactory.createFromSecret(settings.clientSecret().reveal()))
                    .authority(settings.tenantAuthority())
                    // Without this msal4j asks login.microsoftonline.com for instance metadata even when the
                    // authority is another host (sovereign cloud, proxy, the stand-in).
                    .instanceDiscovery(false)
                    .httpClient(new MsalHttpClient(http, settings.network().readTimeout()))
                    .logPii(false)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new MailSendException("authorityUrl and tenantId do not form a valid Entra authority ("
                    + settings.tenantAuthority() + "): " + e.getMessage(), e);
        }
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
        if (failure instanceof MsalServiceException service) {
            String description = firstLine(service.getMessage());
            Matcher code = AADSTS.matcher(description == null ? "" : description);
            String aadsts = code.find() ? "AADSTS" + code.group(1) : service.errorCode();
            return new MailSendException("Entra ID refused the token request for clientId " + settings.clientId()
                    + " in tenant " + settings.tenantId() + " (scope " + scope + ", HTTP " + service.statusCode()
                    + "): " + description + " " + hint(aadsts), aadsts, null);
        }
        if (failure instanceof MsalException client) {
            Throwable root = client;
            boolean tlsFailure = false;
            for (Throwable t = client; t != null; t = t.getCause()) {
                root = t;
                tlsFailure |= t instanceof javax.net.ssl.SSLException;
            }
            String tls = tlsFailure
                    ? "; the server's certificate is not trusted: add its issuer to trustStorePath" : "";
            return new MailSendException("Cannot obtain an access token from Entra ID at " + settings.authorityUrl()
                    + ": " + root + tls + "; check authorityUrl and the network path", null, root);
        }
        return new MailSendException("Token request to Entra ID failed: " + failure, null, failure);
    }

    private static String hint(String aadsts) {
        if (aadsts == null) {
            return "";
        }
        return switch (aadsts) {
            case "AADSTS7000215" -> "Check clientSecret: it must be the secret's Value, not its Secret ID, "
                    + "and belong to this app registration.";
            case "AADSTS7000222" -> "The client secret has expired: create a new one under Certificates & secrets "
                    + "and update clientSecret.";
            case "AADSTS7000218" -> "Set clientSecret or certificatePath.";
            case "AADSTS700027" -> "Upload the certificate in certificatePath to the app registration (Certificates & "
                    + "secrets), or check that certificatePath holds the certificate you uploaded.";
            case "AADSTS700024" -> "Check this server's clock: the signed client assertion is outside its valid time.";
            case "AADSTS700016" -> "Check clientId and tenantId: the app registration must exist in that tenant.";
            case "AADSTS90002" -> "Check tenantId, and authorityUrl if the tenant is in a national cloud.";
            case "AADSTS500011" -> "Check graphUrl: the resource does not exist in this tenant or cloud.";
            case "AADSTS1002012", "AADSTS70011" -> "Check graphUrl: the scope must be the resource's /.default.";
            default -> "";
        };
    }

    private static String firstLine(String s) {
        if (s == null) {
            return null;
        }
        // Entra appends "Trace ID: ... Correlation ID: ... Timestamp: ..." on new lines.
        int cut = s.indexOf("\r\n");
        return (cut < 0 ? s : s.substring(0, cut)).trim();
    }
}
