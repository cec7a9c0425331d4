package org.m365mail.config;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.testing.TestCertificates;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The TLS trust built from {@code trustStorePath}: a server whose certificate is in that store is trusted on top of
 * the JVM's trusted certificates, one whose certificate is in neither is refused, and without the property the JVM's
 * own trust is used unchanged. Checked with real TLS handshakes against a local server, one per test class (an
 * instance of its own, so nothing of it is static).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTrustTest {

    private static final String PASSWORD = "trust-pass";
    private SSLServerSocket server;
    private ExecutorService acceptor;
    private Path serverTrust;
    private Path otherTrust;

    @BeforeAll
    void startServer(@TempDir Path dir) throws Exception {
        Path serverKey = TestCertificates.pkcs12(dir.resolve("server.p12"), "localhost", 30, PASSWORD);
        Path otherKey = TestCertificates.pkcs12(dir.resolve("other.p12"), "someone-else", 30, PASSWORD);
        serverTrust = trustStore(dir.resolve("server-trust.p12"), serverKey);
        otherTrust = trustStore(dir.resolve("other-trust.p12"), otherKey);

        KeyStore keys = KeyStore.getInstance(serverKey.toFile(), PASSWORD.toCharArray());
        KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        km.init(keys, PASSWORD.toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(km.getKeyManagers(), null, null);
        server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 10,
                InetAddress.getLoopbackAddress());
        acceptor = Executors.newSingleThreadExecutor();
        acceptor.submit(this::answer);
    }

    /** Completes each handshake a client starts and answers one byte. */
    private void answer() {
        while (!server.isClosed()) {
            try (SSLSocket s = (SSLSocket) server.accept()) {
                s.setSoTimeout(5_000);
                s.startHandshake();
                s.getOutputStream().write('!');
                s.getOutputStream().flush();
            } catch (SocketException | SSLHandshakeException expected) {
                // A refused handshake or the server closing at the end.
            } catch (Exception e) {
                // The next client gets a fresh attempt.
            }
        }
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
        acceptor.shutdown();
        acceptor.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static Path trustStore(Path file, Path pkcs12) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("trusted", TestCertificates.certificate(pkcs12, PASSWORD));
        try (OutputStream out = Files.newOutputStream(file)) {
            trust.store(out, PASSWORD.toCharArray());
        }
        return file;
    }

    private static MailSettings settings(Path trustStore) throws Exception {
        MailManagedConnectionFactory p = new MailManagedConnectionFactory();
        p.setTransport("GRAPH");
        p.setTenantId("contoso.com");
        p.setClientId("8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736");
        p.setClientSecret("s3cr3t~value");
        p.setFromAddress("a@contoso.com");
        if (trustStore != null) {
            p.setTrustStorePath(trustStore.toString());
            p.setTrustStorePassword(PASSWORD);
        }
        return MailSettings.validate(p);
    }

    private int handshake(SSLContext context) throws Exception {
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                server.getLocalPort())) {
            s.setSoTimeout(5_000);
            s.startHandshake();
            try (InputStream in = s.getInputStream()) {
                return in.read();
            }
        }
    }

    @Test
    void withoutATrustStoreTheJvmsOwnTrustIsUsed() throws Exception {
        assertSame(SSLContext.getDefault(), TlsTrust.context(settings(null)));
        assertThrows(SSLHandshakeException.class, () -> handshake(TlsTrust.context(settings(null))));
    }

    @Test
    void aServerWhoseCertificateIsInTheTrustStoreIsTrusted() throws Exception {
        assertEquals('!', handshake(TlsTrust.context(settings(serverTrust))));
    }

    @Test
    void aServerWhoseCertificateIsInNeitherStoreIsRefused() throws Exception {
        assertThrows(SSLHandshakeException.class, () -> handshake(TlsTrust.context(settings(otherTrust))));
    }
}
