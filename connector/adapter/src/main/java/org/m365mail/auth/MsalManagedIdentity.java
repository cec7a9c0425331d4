package org.m365mail.auth;

import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.ManagedIdentityApplication;
import com.microsoft.aad.msal4j.ManagedIdentityId;
import com.microsoft.aad.msal4j.ManagedIdentityParameters;
import com.microsoft.aad.msal4j.MsalServiceException;
import org.m365mail.api.MailSendException;
import org.m365mail.config.MailSettings;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Gets app-only tokens for the Azure resource's managed identity through msal4j, which finds the identity endpoint the
 * way Azure publishes it: {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} on App Service and Container Apps,
 * {@code MSI_ENDPOINT} in Cloud Shell, {@code IDENTITY_ENDPOINT} and {@code IMDS_ENDPOINT} on Azure Arc, otherwise the
 * virtual machine's instance metadata service (169.254.169.254). No secret is configured: Azure holds it.
 *
 * <p>{@code clientId}, if set, chooses a user-assigned identity; without it the system-assigned one is used.
 */
public final class MsalManagedIdentity implements TokenRequest {

    private static final long TIMEOUT_SECONDS = 90;

    private final ManagedIdentityApplication application;
    private final MailSettings settings;
    private final String resource;
    private final Clock clock;

    /**
     * @param resource the resource's identifier (not a scope), e.g. {@code https://graph.microsoft.com}
     */
    public MsalManagedIdentity(MailSettings settings, String resource, HttpClient http, Clock clock) {
        this.settings = settings;
        this.resource = resource;
        this.clock = clock;
        ManagedIdentityId id = settings.clientId() == null ? ManagedIdentityId.systemAssigned()
                : ManagedIdentityId.userAssignedClientId(settings.clientId());
        this.application = ManagedIdentityApplication.builder(id)
                .httpClient(new MsalHttpClient(http, settings.network().readTimeout()))
                .logPii(false)
                .build();
    }

    /** The resource identifier of a {@code .default} scope. */
    public static String resourceOf(String scope) {
        return scope.endsWith("/.default") ? scope.substring(0, scope.length() - "/.default".length()) : scope;
    }

    @Override
    public AccessToken request() throws MailSendException {
        Instant requestedAt = Instant.now(clock);
        long requestedAtMillis = System.currentTimeMillis();
        try {
            // forceRefresh: msal4j's own cache is JVM-wide and not single-flight; ours decides when a token is due.
            IAuthenticationResult result = application.acquireTokenForManagedIdentity(ManagedIdentityParameters
                    .builder(resource).forceRefresh(true).build()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long lifetimeMillis = result.expiresOnDate().getTime() - requestedAtMillis;
            return new AccessToken(result.accessToken(), requestedAt, requestedAt.plusMillis(lifetimeMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while requesting a managed identity token", e);
        } catch (TimeoutException e) {
            throw new MailSendException("The managed identity endpoint did not answer within " + TIMEOUT_SECONDS
                    + " s", "ManagedIdentityUnavailable", e);
        } catch (ExecutionException e) {
            throw translate(e.getCause() == null ? e : e.getCause());
        } catch (Exception e) {
            throw translate(e);
        }
    }

    private MailSendException translate(Throwable failure) {
        String identity = settings.clientId() == null ? "the system-assigned managed identity"
                : "the user-assigned managed identity " + settings.clientId();
        String text = String.valueOf(failure.getMessage()).split("\\r?\\n")[0].trim();
        String code = failure instanceof MsalServiceException service ? service.errorCode()
                : failure instanceof com.microsoft.aad.msal4j.MsalClientException client ? client.errorCode() : null;
        if ("managed_identity_unreachable_network".equals(code)) {
            return new MailSendException("No managed identity endpoint answers on this machine (" + text + "): "
                    + "authentication MANAGED_IDENTITY works only on an Azure resource (App Service, Container Apps, "
                    + "a virtual machine, Arc) with an identity turned on; elsewhere use CLIENT_CREDENTIALS",
                    "ManagedIdentityUnavailable", null);
        }
        return new MailSendException("Azure refused a token for " + resource + " to " + identity + " (" + text
                + "). Check that the identity is turned on for this resource"
                + (settings.clientId() == null ? "" : " and assigned to it (clientId is its Client ID)")
                + ", and that its service principal was granted the app role (Mail.Send or SMTP.SendAsApp)",
                "ManagedIdentityRefused", null);
    }
}
