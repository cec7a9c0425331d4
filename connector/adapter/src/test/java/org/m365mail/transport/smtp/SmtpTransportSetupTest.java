package org.m365mail.transport.smtp;

import jakarta.mail.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.m365mail.auth.AccessToken;
import org.m365mail.auth.TokenSource;
import org.m365mail.config.MailSettings;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.runtime.ConnectorRuntime;

import javax.net.ssl.SSLContext;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an SMTP transport is set up with before it connects: the HTTP proxy it tunnels through, token renewal, and a
 * credential that never shows its secret.
 */
class SmtpTransportSetupTest {

    private static final ConnectorRuntime RUNTIME = new ConnectorRuntime("smtp-transport-setup-test");

    @AfterAll
    static void stopThreads() {
        RUNTIME.close();
    }

    private static Session session(MailManagedConnectionFactory mcf) throws Exception {
        return new SmtpXoauth2Transport(RUNTIME, mcf.settings(), null, SSLContext.getDefault(), Clock.systemUTC())
                .session();
    }

    @Test
    void theSessionTunnelsThroughTheHttpProxyWithItsCredentials() throws Exception {
        MailManagedConnectionFactory mcf = RelaySettings.factory("STARTTLS", 587);
        mcf.setHttpProxy("proxy-user:proxy-pass@proxy.test:3128");
        Session session = session(mcf);
        assertEquals("proxy.test", session.getProperty("mail.smtp.proxy.host"));
        assertEquals("3128", session.getProperty("mail.smtp.proxy.port"));
        assertEquals("proxy-user", session.getProperty("mail.smtp.proxy.user"));
        assertEquals("proxy-pass", session.getProperty("mail.smtp.proxy.password"));
    }

    @Test
    void aProxyUserWithoutPasswordGetsAnEmptyOneAndAProxyWithoutUserNone() throws Exception {
        MailManagedConnectionFactory mcf = RelaySettings.factory("IMPLICIT", 465);
        mcf.setHttpProxy("proxy-user@proxy.test:3128");
        Session userOnly = session(mcf);
        assertEquals("proxy-user", userOnly.getProperty("mail.smtps.proxy.user"));
        assertEquals("", userOnly.getProperty("mail.smtps.proxy.password"));

        mcf.setHttpProxy("proxy.test:3128");
        Session anonymous = session(mcf);
        assertEquals("proxy.test", anonymous.getProperty("mail.smtps.proxy.host"));
        assertNull(anonymous.getProperty("mail.smtps.proxy.user"));
        assertNull(anonymous.getProperty("mail.smtps.proxy.password"));
    }

    @Test
    void renewingTheTokenDropsTheCurrentOneAndFetchesANewOne() throws Exception {
        List<AccessToken> issued = new ArrayList<>();
        List<AccessToken> dropped = new ArrayList<>();
        TokenSource tokens = new TokenSource() {
            @Override
            public AccessToken token() {
                AccessToken token = new AccessToken("token-" + issued.size(), Instant.now(),
                        Instant.now().plusSeconds(3600));
                issued.add(token);
                return token;
            }

            @Override
            public void invalidate(AccessToken rejected) {
                dropped.add(rejected);
            }
        };
        MailManagedConnectionFactory mcf = RelaySettings.factory("STARTTLS", 587);
        mcf.setAuthentication("CLIENT_CREDENTIALS");
        mcf.setTenantId("contoso.onmicrosoft.com");
        mcf.setClientId("00000000-0000-0000-0000-000000000001");
        mcf.setClientSecret("client-secret");
        mcf.setUsername("app@relay.test");
        MailSettings settings = mcf.settings();
        new SmtpXoauth2Transport(RUNTIME, settings, tokens, SSLContext.getDefault(), Clock.systemUTC()).renewToken();
        assertEquals(2, issued.size());
        assertEquals(List.of(issued.get(0)), dropped);

        // With a password there is no token to renew.
        new SmtpXoauth2Transport(RUNTIME, RelaySettings.settings("STARTTLS", 587), null, SSLContext.getDefault(),
                Clock.systemUTC()).renewToken();
    }

    @Test
    void aCredentialNeverShowsItsSecret() {
        String shown = new SmtpLogin.Credential("s3cret-password", null).toString();
        assertFalse(shown.contains("s3cret"), shown);
        assertTrue(shown.contains("****"), shown);
    }
}
