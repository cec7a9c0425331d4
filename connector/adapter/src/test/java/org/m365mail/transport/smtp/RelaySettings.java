package org.m365mail.transport.smtp;

import org.m365mail.config.MailSettings;
import org.m365mail.outbound.MailManagedConnectionFactory;

/** Settings for an SMTP relay that is not Exchange: a user name and a password, no tenant. */
final class RelaySettings {

    private RelaySettings() {
    }

    /** A factory for a relay on this machine, signing in with a password, with no sending limits. */
    static MailManagedConnectionFactory factory(String smtpTls, int port) {
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
        mcf.setTransport("SMTP");
        mcf.setAuthentication("PASSWORD");
        mcf.setUsername("relay-user");
        mcf.setPassword("relay-pass");
        mcf.setFromAddress("app@relay.test");
        mcf.setSmtpHost("127.0.0.1");
        mcf.setSmtpPort(port);
        mcf.setSmtpTls(smtpTls);
        mcf.setSmtpMaxConcurrentSends(0);
        mcf.setMessagesPerMinute(0);
        return mcf;
    }

    static MailSettings settings(String smtpTls, int port) throws Exception {
        return factory(smtpTls, port).settings();
    }
}
