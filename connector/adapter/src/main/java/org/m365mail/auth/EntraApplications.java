package org.m365mail.auth;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.ITokenCacheAccessAspect;
import com.microsoft.aad.msal4j.MsalException;
import com.microsoft.aad.msal4j.MsalServiceException;
import org.m365mail.api.MailSendException;
import org.m365mail.config.ClientCertificate;
import org.m365mail.config.MailSettings;

import java.net.MalformedURLException;
import java.net.http.HttpClient;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the msal4j application of a connection factory (client secret or certificate, the configured authority,
 * the connector's HTTP client) and reads Entra's errors into messages an administrator can act on.
 */
final class EntraApplications {

    private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d+)");

    private EntraApplications() {
    }

    /**
     * @param cacheAspect sees msal4j's token cache after each use (to keep a rotated refresh token), or {@code null}
     */
    static ConfidentialClientApplication confidential(MailSettings settings, HttpClient http,
                                                      ITokenCacheAccessAspect cacheAspect) throws MailSendException {
        return confidential(settings, settings.certificate(), http, cacheAspect);
    }

    /**
     * @param certificate the certificate to sign in with (the one in use now, which may have replaced the settings'),
     *                    or {@code null} for the client secret
     */
    static ConfidentialClientApplication confidential(MailSettings settings, ClientCertificate certificate,
                                                      HttpClient http, ITokenCacheAccessAspect cacheAspect)
            throws MailSendException {
        try {
            ConfidentialClientApplication.Builder builder = ConfidentialClientApplication
                    .builder(settings.clientId(), certificate != null
                            // A signed client assertion (RS256, x5t#S256) instead of a shared secret.
                            ? ClientCredentialFactory.createFromCertificateChain(certificate.key(),
                                    certificate.chain())
                            : ClientCredentialFactory.createFromSecret(settings.clientSecret().reveal()))
                    .authority(settings.tenantAuthority())
                    // Without this msal4j asks login.microsoftonline.com for instance metadata even when the
                    // authority is another host (sovereign cloud, proxy, the stand-in).
                    .instanceDiscovery(false)
                    .httpClient(new MsalHttpClient(http, settings.network().readTimeout()))
                    .logPii(false);
            if (cacheAspect != null) {
                builder.setTokenCacheAccessAspect(cacheAspect);
            }
            return builder.build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new MailSendException("authorityUrl and tenantId do not form a valid Entra authority ("
                    + settings.tenantAuthority() + "): " + e.getMessage(), e);
        }
    }

    /** The AADSTS code in an msal4j failure, or {@code null}. */
    static String aadsts(Throwable failure) {
        if (failure instanceof MsalServiceException service) {
            Matcher code = AADSTS.matcher(String.valueOf(service.getMessage()));
            return code.find() ? "AADSTS" + code.group(1) : service.errorCode();
        }
        return null;
    }

    static MailSendException translate(MailSettings settings, String scope, Throwable failure) {
        if (failure instanceof MsalServiceException service) {
            String description = firstLine(service.getMessage());
            Matcher code = AADSTS.matcher(description == null ? "" : description);
            String aadsts = code.find() ? "AADSTS" + code.group(1) : service.errorCode();
            if (service.statusCode() >= 500 || service.statusCode() == 429) {
                return new MailSendException("Entra ID at " + settings.authorityUrl() + " could not issue a token for "
                        + "clientId " + settings.clientId() + " in tenant " + settings.tenantId() + " (scope " + scope
                        + ", HTTP " + service.statusCode() + ", " + aadsts + "): " + description + " This is a failure "
                        + "on Microsoft's side, not a setting: see Microsoft 365 service health.", "EntraUnavailable",
                        null);
            }
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
                    + ": " + root + tls + "; check authorityUrl and the network path", "EntraUnreachable", root);
        }
        return new MailSendException("Token request to Entra ID failed: " + failure, null, failure);
    }

    static String hint(String aadsts) {
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
