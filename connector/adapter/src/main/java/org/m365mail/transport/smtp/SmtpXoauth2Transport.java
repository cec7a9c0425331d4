package org.m365mail.transport.smtp;

import jakarta.mail.NoSuchProviderException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import org.m365mail.api.MailSendException;
import org.m365mail.auth.TokenSource;
import org.m365mail.config.MailSettings;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.MailTransport;

import javax.net.ssl.SSLContext;
import java.util.Properties;

/**
 * Sends mail by SMTP client submission with SASL XOAUTH2 (Exchange Online: smtp.office365.com:587), through
 * Jakarta Mail. STARTTLS is required before authentication; the server certificate and host name are checked.
 *
 * <p>The access token is handed to {@link Transport#connect(String, int, String, String)} each time a connection
 * is opened, never through a {@link jakarta.mail.Authenticator}: a {@link Session} caches what its authenticator
 * returns for its whole life, so the token would go stale
 * (https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth).
 */
public final class SmtpXoauth2Transport implements MailTransport {

    private final MailSettings settings;
    private final TokenSource tokens;
    private final Session session;

    public SmtpXoauth2Transport(MailSettings settings, TokenSource tokens, SSLContext tls) {
        this.settings = settings;
        this.tokens = tokens;
        Properties p = new Properties();
        p.put("mail.smtp.host", settings.smtpHost());
        p.put("mail.smtp.port", String.valueOf(settings.smtpPort()));
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.auth.mechanisms", "XOAUTH2");
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        p.put("mail.smtp.ssl.socketFactory", tls.getSocketFactory());
        p.put("mail.smtp.from", settings.fromAddress().getAddress());
        p.put("mail.smtp.connectiontimeout", "10000");
        p.put("mail.smtp.timeout", "60000");
        p.put("mail.smtp.writetimeout", "60000");
        // Never let a debug trace print the XOAUTH2 string.
        p.put("mail.debug.auth", "false");
        this.session = Session.getInstance(p);
    }

    @Override
    public MailChannel open() {
        return new SmtpChannel(this);
    }

    Transport newTransport() throws MailSendException {
        try {
            return session.getTransport("smtp");
        } catch (NoSuchProviderException e) {
            throw new MailSendException("No SMTP provider in Jakarta Mail: the server's Jakarta Mail "
                    + "implementation is missing", e);
        }
    }

    MailSettings settings() {
        return settings;
    }

    TokenSource tokens() {
        return tokens;
    }

    @Override
    public void close() {
        // Connections belong to channels, which their managed connections close.
    }
}
