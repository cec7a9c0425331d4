package org.m365mail.auth;

import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.aad.msal4j.MsalServiceException;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.config.MailSettings;
import org.m365mail.config.Secret;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Entra's failures as an administrator reads them: whose fault, which code, and what to change. */
class EntraErrorsTest {

    /** Settings with what the msal4j application and the messages are made of. */
    private static MailSettings settings(String authorityUrl) {
        MailSettings.Network network = new MailSettings.Network(null, 0, null, null, Duration.ofSeconds(7),
                Duration.ofSeconds(30));
        return new MailSettings(null, "tenant-1", "client-1", Secret.of("secret-value"), authorityUrl, null, null,
                null, null, 0, null, null, null, null, null, null, null, null, null, null, network, null, null, null,
                null, null, null, null, null, null, null, null, null);
    }

    /** Entra's answer with an HTTP status, as msal4j reports it. */
    private static MsalServiceException answered(int status, String message, String error) throws Exception {
        MsalServiceException e = new MsalServiceException(message, error);
        java.lang.reflect.Field field = MsalServiceException.class.getDeclaredField("statusCode");
        field.setAccessible(true);
        field.set(e, status);
        return e;
    }

    @Test
    void aRefusalNamesItsCodeTheFirstLineAndWhatToChange() throws Exception {
        MailSendException e = EntraApplications.translate(settings("https://login.example"), "graph/.default",
                answered(401, "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1\r\nCorrelation ID: 2",
                        "invalid_client"));
        assertEquals("AADSTS7000215", e.getErrorCode());
        assertTrue(e.getMessage().startsWith("Entra ID refused the token request for clientId client-1 in tenant "
                + "tenant-1 (scope graph/.default, HTTP 401): AADSTS7000215: Invalid client secret provided. Check "
                + "clientSecret"), e.getMessage());
        assertFalse(e.getMessage().contains("Trace ID"), e.getMessage());
    }

    @Test
    void aRefusalWithoutAnAadstsCodeKeepsMsalsErrorCode() throws Exception {
        MailSendException e = EntraApplications.translate(settings("https://login.example"), "s",
                answered(400, "bad request", "invalid_request"));
        assertEquals("invalid_request", e.getErrorCode());
        assertTrue(e.getMessage().contains("(scope s, HTTP 400): bad request"), e.getMessage());
    }

    @Test
    void serverErrorsAndThrottlingAreMicrosoftsSide() throws Exception {
        for (int status : new int[]{500, 503, 429}) {
            MailSendException e = EntraApplications.translate(settings("https://login.example"), "s",
                    answered(status, "AADSTS90033: A transient error has occurred.", "temporarily_unavailable"));
            assertEquals("EntraUnavailable", e.getErrorCode(), "HTTP " + status);
            assertTrue(e.getMessage().contains("HTTP " + status + ", AADSTS90033"), e.getMessage());
            assertTrue(e.getMessage().contains("service health"), e.getMessage());
        }
        for (int status : new int[]{499, 428, 430}) {
            assertEquals("AADSTS90033", EntraApplications.translate(settings("https://login.example"), "s",
                    answered(status, "AADSTS90033: no", "x")).getErrorCode(), "HTTP " + status + " is a refusal");
        }
    }

    @Test
    void noAnswerIsUnreachableAndAnUntrustedCertificateSaysWhereToAddIt() {
        MailSendException plain = EntraApplications.translate(settings("https://login.example"), "s",
                new MsalClientException(new IOException("connect timed out")));
        assertEquals("EntraUnreachable", plain.getErrorCode());
        assertTrue(plain.getMessage().startsWith("Cannot obtain an access token from Entra ID at "
                + "https://login.example: java.io.IOException: connect timed out; check authorityUrl"),
                plain.getMessage());
        assertTrue(plain.getCause() instanceof IOException, "the root cause");

        MailSendException tls = EntraApplications.translate(settings("https://login.example"), "s",
                new MsalClientException(new IOException("wrapped", new SSLHandshakeException("PKIX"))));
        assertTrue(tls.getMessage().contains("add its issuer to trustStorePath"), tls.getMessage());
        assertTrue(tls.getCause() instanceof SSLHandshakeException);

        IllegalStateException other = new IllegalStateException("unexpected");
        MailSendException unknown = EntraApplications.translate(settings("https://login.example"), "s", other);
        assertSame(other, unknown.getCause());
        assertNull(unknown.getErrorCode());
        assertTrue(unknown.getMessage().startsWith("Token request to Entra ID failed"), unknown.getMessage());
    }

    @Test
    void theAadstsCodeOfAFailure() throws Exception {
        assertEquals("AADSTS700016", EntraApplications.aadsts(answered(400, "AADSTS700016: app not found", "x")));
        assertEquals("unauthorized_client", EntraApplications.aadsts(answered(400, "no code here",
                "unauthorized_client")));
        assertNull(EntraApplications.aadsts(new MsalClientException(new IOException("x"))));
        assertNull(EntraApplications.aadsts(null));
    }

    @Test
    void eachKnownCodeHasItsHint() {
        assertTrue(EntraApplications.hint("AADSTS7000215").contains("clientSecret"));
        assertTrue(EntraApplications.hint("AADSTS7000222").contains("expired"));
        assertTrue(EntraApplications.hint("AADSTS7000218").contains("certificatePath"));
        assertTrue(EntraApplications.hint("AADSTS700027").contains("Upload the certificate"));
        assertTrue(EntraApplications.hint("AADSTS700024").contains("clock"));
        assertTrue(EntraApplications.hint("AADSTS700016").contains("clientId and tenantId"));
        assertTrue(EntraApplications.hint("AADSTS90002").contains("tenantId"));
        assertTrue(EntraApplications.hint("AADSTS500011").contains("resource does not exist"));
        assertTrue(EntraApplications.hint("AADSTS70011").contains("/.default"));
        assertTrue(EntraApplications.hint("AADSTS1002012").contains("/.default"));
        assertEquals("", EntraApplications.hint("AADSTS1"));
        assertEquals("", EntraApplications.hint(null));
    }

    @Test
    void anAuthorityThatIsNoUrlIsNamed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        assertNotNull(EntraApplications.confidential(settings("https://login.example"), http, null));
        assertNotNull(EntraApplications.confidential(settings("https://login.example"), http,
                new RefreshTokenCapture()));
        MailSendException e = assertThrows(MailSendException.class,
                () -> EntraApplications.confidential(settings("not a url"), http, null));
        assertTrue(e.getMessage().startsWith("authorityUrl and tenantId do not form a valid Entra authority (not a "
                + "url/tenant-1/)"), e.getMessage());
    }

    @Test
    void aManagedIdentityIsAskedForTheResourceOfTheScope() {
        assertEquals("https://graph.microsoft.com",
                MsalManagedIdentity.resourceOf("https://graph.microsoft.com/.default"));
        assertEquals("https://outlook.office365.com", MsalManagedIdentity.resourceOf("https://outlook.office365.com"));
        assertEquals("", MsalManagedIdentity.resourceOf("/.default"));
    }
}
