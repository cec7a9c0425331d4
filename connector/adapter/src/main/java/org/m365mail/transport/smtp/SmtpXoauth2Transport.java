package org.m365mail.transport.smtp;

import jakarta.mail.NoSuchProviderException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import org.m365mail.api.MailSendException;
import org.m365mail.auth.TokenSource;
import org.m365mail.config.AuthenticationMode;
import org.m365mail.config.MailSettings;
import org.m365mail.monitor.SendEvents;
import org.m365mail.config.SmtpTls;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.MailTransport;
import org.m365mail.policy.MailboxLimits;
import org.m365mail.policy.SendingPolicy;
import org.m365mail.runtime.ConnectorRuntime;

import javax.net.ssl.SSLContext;
import java.time.Clock;
import java.util.Locale;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Sends mail by SMTP client submission (Exchange Online: smtp.office365.com:587) through Jakarta Mail, signing in
 * with SASL XOAUTH2 and an OAuth token, or with a password where a server still takes one.
 *
 * <p>TLS is STARTTLS (required: no STARTTLS, no sign-in) or implicit, TLS 1.2 or newer, with the certificate and the
 * host name checked. The access token is handed to {@link Transport#connect(String, int, String, String)} each time a
 * connection is opened, never through a {@link jakarta.mail.Authenticator}: a {@link Session} caches what its
 * authenticator returns for its whole life, so the token would go stale
 * (https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth).
 */
public final class SmtpXoauth2Transport implements MailTransport {

    private static final Logger LOG = Logger.getLogger(SmtpXoauth2Transport.class.getName());

    private final MailSettings settings;
    private final TokenSource tokens;
    private final SmtpLogin login;
    private final Session session;
    private final String protocol;
    private final MailboxLimits limits;
    private final SendingPolicy policy;
    private final WriteWatchdog watchdog;
    private final Clock clock;
    private final SendEvents events;

    /**
     * @param runtime the deployment's: its write watchdog, its mailbox limits
     * @param tokens  the token source for XOAUTH2; {@code null} with authentication PASSWORD
     */
    public SmtpXoauth2Transport(ConnectorRuntime runtime, MailSettings settings, TokenSource tokens, SSLContext tls,
                                Clock clock) {
        this(runtime, settings, tokens, tls, clock, SendEvents.NONE);
    }

    /**
     * @param events told of retries and of waits for the pace or a sending slot (the pool's monitor)
     */
    public SmtpXoauth2Transport(ConnectorRuntime runtime, MailSettings settings, TokenSource tokens, SSLContext tls,
                                Clock clock, SendEvents events) {
        this.events = events;
        this.settings = settings;
        this.tokens = tokens;
        this.clock = clock;
        String username = settings.username();
        boolean password = settings.authentication() == AuthenticationMode.PASSWORD;
        this.login = password ? SmtpLogin.password(username, settings.password()) : SmtpLogin.oauth(username, tokens);
        this.protocol = settings.smtpTls() == SmtpTls.IMPLICIT ? "smtps" : "smtp";
        this.watchdog = WriteWatchdog.of(runtime);
        this.session = Session.getInstance(properties(settings, tls, protocol, password, watchdog));
        this.limits = MailboxLimits.of(runtime, settings.smtpHost(), username,
                settings.smtp().concurrentSendsPerMailbox(), 0, clock, settings.sending().scope(),
                settings.graph().sendTimeout());
        this.policy = new SendingPolicy(settings, runtime, clock, events);
        if (password && isExchangeOnline(settings.smtpHost())) {
            LOG.warning("M365MAIL-4101 The pool for " + username + " signs in to " + settings.smtpHost() + " with a "
                    + "password (authentication PASSWORD). Microsoft turns SMTP basic authentication off by default for "
                    + "existing tenants at the end of December 2026 and will remove it entirely later; switch to "
                    + "authentication CLIENT_CREDENTIALS (SMTP.SendAsApp) or transport GRAPH.");
        }
    }

    private static Properties properties(MailSettings settings, SSLContext tls, String protocol, boolean password,
                                         WriteWatchdog watchdog) {
        String p = "mail." + protocol + ".";
        Properties props = new Properties();
        props.put(p + "host", settings.smtpHost());
        props.put(p + "port", String.valueOf(settings.smtpPort()));
        props.put(p + "auth", "true");
        props.put(p + "auth.mechanisms", password ? "LOGIN PLAIN" : "XOAUTH2");
        long writeTimeout = settings.network().readTimeout().toMillis();
        // The write timeout comes from the watched sockets, not from Angus's mail.smtp.writetimeout (see
        // WriteWatchdog for why). Plain sockets carry STARTTLS's TLS layer later, or stay plain on loopback.
        props.put(p + "socketFactory", watchdog.plainSockets(writeTimeout));
        // No second try with the JVM's default socket factory when ours fails: it would not know trustStorePath, and
        // its error (an untrusted certificate) would hide the real one (a host name that does not match).
        props.put(p + "socketFactory.fallback", "false");
        if (settings.smtpTls() != SmtpTls.PLAINTEXT_LOOPBACK_ONLY) {
            props.put(p + "ssl.protocols", "TLSv1.3 TLSv1.2");
            props.put(p + "ssl.checkserveridentity", "true");
            props.put(p + "ssl.socketFactory", watchdog.tlsSockets(tls.getSocketFactory(), writeTimeout));
        }
        if (settings.smtpTls() == SmtpTls.STARTTLS) {
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", "true");
        }
        if (settings.smtpTls() == SmtpTls.IMPLICIT) {
            props.put(p + "ssl.enable", "true");
        }
        // The envelope sender: the mailbox that signs in when it sends on behalf of fromAddress.
        props.put(p + "from", settings.sendsOnBehalf() ? settings.username() : settings.fromAddress().getAddress());
        props.put(p + "connectiontimeout", String.valueOf(settings.network().connectTimeout().toMillis()));
        props.put(p + "timeout", String.valueOf(settings.network().readTimeout().toMillis()));
        MailSettings.Network network = settings.network();
        if (network.proxyHost() != null) {
            // Jakarta Mail tunnels through an HTTP proxy with CONNECT.
            props.put(p + "proxy.host", network.proxyHost());
            props.put(p + "proxy.port", String.valueOf(network.proxyPort()));
            if (network.proxyUser() != null) {
                props.put(p + "proxy.user", network.proxyUser());
                props.put(p + "proxy.password", network.proxyPassword() == null ? "" : network.proxyPassword().reveal());
            }
        }
        // Never let a debug trace print the XOAUTH2 string or a password.
        props.put("mail.debug.auth", "false");
        return props;
    }

    private static boolean isExchangeOnline(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".office365.com") || h.endsWith(".outlook.com") || h.endsWith(".office365.us");
    }

    @Override
    public MailChannel open() {
        return new SmtpChannel(this);
    }

    Transport newTransport() throws MailSendException {
        try {
            return session.getTransport(protocol);
        } catch (NoSuchProviderException e) {
            throw new MailSendException("No " + protocol + " provider in Jakarta Mail: the server's Jakarta Mail "
                    + "implementation is missing", e);
        }
    }

    /** The session the provider's connections come from, also the one the watched messages are made in. */
    Session session() {
        return session;
    }

    MailSettings settings() {
        return settings;
    }

    SmtpLogin login() {
        return login;
    }

    MailboxLimits limits() {
        return limits;
    }

    SendEvents events() {
        return events;
    }

    SendingPolicy policy() {
        return policy;
    }

    WriteWatchdog watchdog() {
        return watchdog;
    }

    Clock clock() {
        return clock;
    }

    @Override
    public void renewToken() throws MailSendException {
        if (tokens != null) {
            tokens.renew();
        }
    }

    @Override
    public void close() {
        // Connections belong to channels, which their managed connections close.
    }
}
