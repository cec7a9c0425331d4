package org.m365mail.http;

import org.m365mail.config.MailSettings;

import javax.net.ssl.SSLContext;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.util.concurrent.Executor;

/**
 * The one JDK {@link HttpClient} a connection factory uses for Entra and Graph, with the configured TLS trust,
 * proxy and connection timeout, so both see the network the same way.
 */
public final class ConnectorHttpClient {

    private ConnectorHttpClient() {
    }

    public static HttpClient build(MailSettings settings, SSLContext tls) {
        return build(settings, tls, null);
    }

    /**
     * @param executor where the client's asynchronous work runs (the deployment's background threads, which end with
     *                 it), or {@code null} for the JDK's default
     */
    public static HttpClient build(MailSettings settings, SSLContext tls, Executor executor) {
        MailSettings.Network network = settings.network();
        HttpClient.Builder builder = HttpClient.newBuilder()
                .sslContext(tls)
                .connectTimeout(network.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (network.proxyHost() != null) {
            builder.proxy(ProxySelector.of(new InetSocketAddress(network.proxyHost(), network.proxyPort())));
            if (network.proxyUser() != null) {
                // Only answers the proxy's challenge; Microsoft's hosts never get these credentials. The JDK refuses
                // Basic for HTTPS tunnels unless jdk.http.auth.tunneling.disabledSchemes allows it (README).
                builder.authenticator(new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        if (getRequestorType() != RequestorType.PROXY) {
                            return null;
                        }
                        char[] password = network.proxyPassword() == null ? new char[0]
                                : network.proxyPassword().reveal().toCharArray();
                        return new PasswordAuthentication(network.proxyUser(), password);
                    }
                });
            }
        }
        if (executor != null) {
            builder.executor(executor);
        }
        return builder.build();
    }
}
