package org.m365mail.http;

import org.junit.jupiter.api.Test;
import org.m365mail.config.MailSettings;
import org.m365mail.config.Secret;

import javax.net.ssl.SSLContext;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client Entra and Graph are called with: the configured TLS, timeout and proxy, no redirects. */
class ConnectorHttpClientTest {

    /** Settings with only the network part set: the one part the client is built from. */
    private static MailSettings settings(MailSettings.Network network) {
        return new MailSettings(null, null, null, null, null, null, null, null, null, 0, null, null, null, null, null,
                null, null, null, null, null, network, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    private static MailSettings.Network direct() {
        return new MailSettings.Network(null, 0, null, null, Duration.ofSeconds(7), Duration.ofSeconds(30));
    }

    private static MailSettings.Network proxy(String user, Secret password) {
        return new MailSettings.Network("proxy.contoso.test", 3128, user, password, Duration.ofSeconds(7),
                Duration.ofSeconds(30));
    }

    private static PasswordAuthentication challenge(HttpClient client, Authenticator.RequestorType type)
            throws Exception {
        Authenticator authenticator = client.authenticator().orElseThrow();
        return authenticator.requestPasswordAuthenticationInstance("proxy.contoso.test", null, 3128, "https",
                "proxy", "Basic", new URL("https://graph.microsoft.com/v1.0/me"), type);
    }

    @Test
    void withoutAProxyTheClientGoesDirectWithTheConfiguredTlsAndTimeoutAndFollowsNoRedirect() throws Exception {
        SSLContext tls = SSLContext.getDefault();
        HttpClient client = ConnectorHttpClient.build(settings(direct()), tls);
        assertNotNull(client);
        assertSame(tls, client.sslContext());
        assertEquals(Duration.ofSeconds(7), client.connectTimeout().orElseThrow());
        assertEquals(HttpClient.Redirect.NEVER, client.followRedirects());
        assertTrue(client.proxy().isEmpty(), "no proxy selector: the JDK's default is not used either");
        assertTrue(client.authenticator().isEmpty());
        assertTrue(client.executor().isEmpty(), "the JDK's default executor");
    }

    @Test
    void aConfiguredProxyIsUsedForEveryAddress() throws Exception {
        HttpClient client = ConnectorHttpClient.build(settings(proxy(null, null)), SSLContext.getDefault(), null);
        List<Proxy> proxies = client.proxy().orElseThrow().select(URI.create("https://login.microsoftonline.com/"));
        assertEquals(List.of(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("proxy.contoso.test", 3128))),
                proxies);
        assertTrue(client.authenticator().isEmpty(), "no proxy user, no credentials");
    }

    @Test
    void theProxyUsersCredentialsAnswerTheProxyOnly() throws Exception {
        HttpClient client = ConnectorHttpClient.build(settings(proxy("svc-mail", Secret.of("pr0xy-pass"))),
                SSLContext.getDefault(), null);
        PasswordAuthentication proxy = challenge(client, Authenticator.RequestorType.PROXY);
        assertEquals("svc-mail", proxy.getUserName());
        assertArrayEquals("pr0xy-pass".toCharArray(), proxy.getPassword());
        assertNull(challenge(client, Authenticator.RequestorType.SERVER), "Microsoft's hosts never get them");
    }

    @Test
    void aProxyUserWithoutAPasswordAnswersWithAnEmptyOne() throws Exception {
        HttpClient client = ConnectorHttpClient.build(settings(proxy("svc-mail", null)), SSLContext.getDefault(),
                null);
        PasswordAuthentication proxy = challenge(client, Authenticator.RequestorType.PROXY);
        assertEquals("svc-mail", proxy.getUserName());
        assertArrayEquals(new char[0], proxy.getPassword());
    }

    @Test
    void theDeploymentsExecutorRunsTheClientsWork() throws Exception {
        Executor executor = Runnable::run;
        HttpClient client = ConnectorHttpClient.build(settings(direct()), SSLContext.getDefault(), executor);
        assertSame(executor, client.executor().orElseThrow());
    }
}
