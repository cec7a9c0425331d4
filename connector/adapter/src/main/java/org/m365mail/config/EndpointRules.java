package org.m365mail.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;

/** Where the factory reaches Microsoft and how: cloud, hosts, SMTP's port and protection, TLS trust, proxy, timeouts. */
final class EndpointRules {

    /**
     * @param cloud              the Microsoft 365 cloud
     * @param authorityUrl       sign-in host without trailing slash
     * @param graphUrl           Graph host without trailing slash
     * @param smtpHost           SMTP submission host
     * @param smtpPort           its port
     * @param smtpTls            how SMTP is protected
     * @param trustStorePath     extra trusted certificates, or {@code null}
     * @param trustStorePassword their password, or {@code null}
     * @param network            proxy and timeouts
     */
    record Endpoints(Cloud cloud, String authorityUrl, String graphUrl, String smtpHost, int smtpPort, SmtpTls smtpTls,
                     Path trustStorePath, Secret trustStorePassword, MailSettings.Network network) {
    }

    private EndpointRules() {
    }

    static Endpoints check(MailProperties p, Problems problems) {
        Cloud cloud = problems.choice("cloud", p.getCloud(), Cloud.class, PropertyDefaults.CLOUD);
        // The cloud sets the hosts; an explicit authorityUrl or graphUrl still wins (a proxy, the stand-in).
        String authorityUrl = https("authorityUrl", p.getAuthorityUrl(), cloud.authorityUrl(), problems);
        String graphUrl = https("graphUrl", p.getGraphUrl(), cloud.graphUrl(), problems);

        String smtpHost = Problems.trim(p.getSmtpHost()) == null ? cloud.smtpHost() : Problems.trim(p.getSmtpHost());
        int smtpPort = p.getSmtpPort() == null ? PropertyDefaults.SMTP_PORT : p.getSmtpPort();
        if (smtpPort < 1 || smtpPort > 65535) {
            problems.add("smtpPort must be between 1 and 65535; Exchange Online uses 587 (was " + smtpPort + ")");
        }
        SmtpTls smtpTls = problems.choice("smtpTls", p.getSmtpTls(), SmtpTls.class,
                smtpPort == 465 ? SmtpTls.IMPLICIT : SmtpTls.STARTTLS);
        if (smtpTls == SmtpTls.PLAINTEXT_LOOPBACK_ONLY && !Loopback.isLoopback(smtpHost)) {
            problems.add("smtpTls PLAINTEXT_LOOPBACK_ONLY is only for a test server on this machine (a host name "
                    + "whose every address is a loopback address, such as 127.0.0.1, ::1 or localhost), not for "
                    + smtpHost + ": use STARTTLS (port 587) or IMPLICIT (port 465)");
        }

        Path trustStorePath = null;
        Secret trustStorePassword = Secret.of(p.getTrustStorePassword());
        String trustStore = Problems.trim(p.getTrustStorePath());
        if (trustStore != null) {
            trustStorePath = Path.of(trustStore);
            String problem = checkTrustStore(trustStorePath, trustStorePassword);
            if (problem != null) {
                problems.add(problem);
            }
        }
        return new Endpoints(cloud, authorityUrl, graphUrl, smtpHost, smtpPort, smtpTls, trustStorePath,
                trustStorePassword, network(p, problems));
    }

    private static MailSettings.Network network(MailProperties p, Problems problems) {
        String proxyHost = null;
        int proxyPort = 0;
        String proxyUser = null;
        Secret proxyPassword = null;
        String proxy = Problems.trim(p.getHttpProxy());
        if (proxy != null) {
            String hostPort = proxy;
            int at = proxy.lastIndexOf('@');
            if (at > 0) {
                String credentials = proxy.substring(0, at);
                hostPort = proxy.substring(at + 1);
                int colon = credentials.indexOf(':');
                proxyUser = colon < 0 ? credentials : credentials.substring(0, colon);
                proxyPassword = colon < 0 ? null : Secret.of(credentials.substring(colon + 1));
            }
            int colon = hostPort.lastIndexOf(':');
            try {
                proxyHost = hostPort.substring(0, colon);
                proxyPort = Integer.parseInt(hostPort.substring(colon + 1));
                if (proxyHost.isBlank() || proxyPort < 1 || proxyPort > 65535) {
                    throw new NumberFormatException();
                }
            } catch (RuntimeException e) {
                // The value may hold a password: the message does not repeat it.
                problems.add("httpProxy must be host:port, optionally user:password@host:port, such as "
                        + "proxy.contoso.com:3128");
                proxyHost = null;
            }
        }
        int connect = problems.atLeast("connectTimeoutMillis", p.getConnectTimeoutMillis(),
                PropertyDefaults.CONNECT_TIMEOUT_MILLIS, 100);
        int read = problems.atLeast("readTimeoutMillis", p.getReadTimeoutMillis(),
                PropertyDefaults.READ_TIMEOUT_MILLIS, 100);
        return new MailSettings.Network(proxyHost, proxyPort, proxyUser, proxyPassword, Duration.ofMillis(connect),
                Duration.ofMillis(read));
    }

    private static String checkTrustStore(Path path, Secret password) {
        if (!Files.isReadable(path)) {
            return "trustStorePath names no readable file (was '" + path + "'); give the full path of a PKCS#12 "
                    + "or JKS file, or leave it empty to use the JVM's trusted certificates";
        }
        try {
            KeyStore store = load(path, password);
            if (store.size() == 0) {
                return "trustStorePath '" + path + "' holds no certificates";
            }
            return null;
        } catch (IOException | GeneralSecurityException e) {
            return "trustStorePath '" + path + "' cannot be read with the given trustStorePassword ("
                    + e.getMessage() + "); check the password and that the file is PKCS#12 or JKS";
        }
    }

    static KeyStore load(Path path, Secret password) throws IOException, GeneralSecurityException {
        char[] pw = password == null ? null : password.reveal().toCharArray();
        // KeyStore.getInstance(File, char[]) detects PKCS#12 and JKS by content.
        return KeyStore.getInstance(path.toFile(), pw);
    }

    private static String https(String property, String value, String fallback, Problems problems) {
        String url = Problems.trim(value) == null ? fallback : Problems.trim(value);
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        try {
            URI uri = new URI(url);
            if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null
                    || (uri.getPath() != null && !uri.getPath().isEmpty()) || uri.getQuery() != null) {
                throw new URISyntaxException(url, "not an https host");
            }
        } catch (URISyntaxException e) {
            problems.add(property + " must be an https URL with a host and no path, such as " + fallback
                    + " (was '" + value + "')");
        }
        return url;
    }
}
