package org.m365mail.transport;

import org.m365mail.api.MailSendException;
import org.m365mail.auth.AccessToken;
import org.m365mail.auth.CachedTokenSource;
import org.m365mail.auth.MsalClientCredentials;
import org.m365mail.auth.TokenSource;
import org.m365mail.config.AuthenticationMode;
import org.m365mail.config.MailSettings;
import org.m365mail.config.TlsTrust;
import org.m365mail.transport.graph.GraphTransport;
import org.m365mail.transport.smtp.SmtpXoauth2Transport;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.net.http.HttpClient;
import java.time.Clock;

/** Builds the transport that validated settings ask for, with its token source and TLS trust. */
public final class MailTransports {

    private MailTransports() {
    }

    public static MailTransport create(MailSettings settings) throws MailSendException {
        SSLContext tls;
        try {
            tls = TlsTrust.context(settings);
        } catch (IOException | GeneralSecurityException e) {
            throw new MailSendException("Cannot set up TLS trust from trustStorePath " + settings.trustStorePath()
                    + ": " + e.getMessage(), e);
        }
        Clock clock = Clock.systemUTC();
        HttpClient http = ConnectorHttpClient.build(settings, tls);
        return switch (settings.transport()) {
            case GRAPH -> new GraphTransport(settings, new CachedTokenSource(
                    new MsalClientCredentials(settings, settings.graphScope(), http, clock), clock,
                    "Microsoft Graph (client " + settings.clientId() + ")"), http, clock);
            case SMTP -> new SmtpXoauth2Transport(settings, smtpTokens(settings, http, clock), tls, clock);
        };
    }

    private static TokenSource smtpTokens(MailSettings settings, HttpClient http, Clock clock)
            throws MailSendException {
        if (settings.authentication() == AuthenticationMode.PASSWORD) {
            return null;
        }
        if (settings.authentication() == AuthenticationMode.DELEGATED) {
            return new NoDelegatedConsent(settings);
        }
        return new CachedTokenSource(new MsalClientCredentials(settings, settings.exchangeScope(), http, clock),
                clock, "Exchange Online SMTP (client " + settings.clientId() + ")");
    }

    /**
     * DELEGATED before a user has connected the mailbox: every send says what to do. The stored, refreshed user
     * tokens come with the console's "Connect mailbox".
     */
    private record NoDelegatedConsent(MailSettings settings) implements TokenSource {
        @Override
        public AccessToken token() throws MailSendException {
            throw new MailSendException("authentication DELEGATED needs " + settings.username()
                    + " to sign in and consent to SMTP.Send once, and this connector version cannot store that "
                    + "consent yet; use authentication CLIENT_CREDENTIALS (SMTP.SendAsApp) meanwhile");
        }

        @Override
        public void invalidate(AccessToken rejected) {
        }
    }
}
