package org.m365mail.outbound;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.resource.ResourceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.auth.EncryptedFileRefreshTokenStore;
import org.m365mail.auth.MsalDelegatedTokens;
import org.m365mail.config.Secret;
import org.m365mail.ra.MailResourceAdapter;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;
import org.m365mail.testing.StalledSmtpServer;
import org.m365mail.testing.TestCertificates;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The resource adapter owns what the connector starts: its stop ends every thread and closes every factory, and a
 * pooled connection can be destroyed at once, even under a send in progress.
 */
class ConnectorLifecycleTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-lifecycle");

    /** The connector's threads, and the JDK HTTP client's threads it makes for the connector, alive now. */
    private static Set<Thread> connectorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && (t.getName().startsWith(ConnectorRuntime.THREAD_PREFIX)
                        || t.getName().startsWith("HttpClient-")))
                .collect(Collectors.toSet());
    }

    private static void send(MailManagedConnectionFactory mcf, String subject) throws Exception {
        try (MailConnection c = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
            c.send(SandboxFactories.textMessage(subject, "x"));
        }
    }

    @Test
    void stopEndsEveryThreadTheConnectorStarted(@TempDir Path dir) throws Exception {
        Set<Thread> before = connectorThreads();
        MailResourceAdapter adapter = MailResourceAdapter.standalone();

        MailManagedConnectionFactory graph = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        MailManagedConnectionFactory smtp = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        // A certificate (its expiry watch) and a delegated consent (its keep-alive) start timers of their own.
        Path certificate = TestCertificates.pkcs12(dir.resolve("app.p12"), "lifecycle", 365, "pw-lifecycle");
        SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID)
                .orElseThrow().addCertificate(TestCertificates.certificate(certificate, "pw-lifecycle"));
        MailManagedConnectionFactory signed = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        signed.setClientSecret(null);
        signed.setCertificatePath(certificate.toString());
        signed.setCertificatePassword("pw-lifecycle");
        MailManagedConnectionFactory delegated = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        delegated.setAuthentication("DELEGATED");
        delegated.setFromAddress(SandboxDefaults.USER);
        delegated.setTokenStoreFile(dir.resolve("consents.json").toString());
        delegated.setTokenStoreKey("lifecycle store key, 16+");
        new EncryptedFileRefreshTokenStore(dir.resolve("consents.json"), Secret.of("lifecycle store key, 16+"))
                .save(MsalDelegatedTokens.storeKey(delegated.settings()),
                        SANDBOX.get().consent(SandboxDefaults.USER, "https://outlook.office.com/SMTP.Send"));
        for (MailManagedConnectionFactory mcf : List.of(graph, smtp, signed, delegated)) {
            mcf.setResourceAdapter(adapter);
            send(mcf, "lifecycle " + mcf.getTransport() + " " + mcf.getAuthentication());
        }
        assertEquals(4, SANDBOX.get().outbox().messages().size());
        Set<Thread> started = connectorThreads();
        started.removeAll(before);
        assertTrue(started.stream().anyMatch(t -> t.getName().startsWith(ConnectorRuntime.THREAD_PREFIX)),
                "the connector runs threads of its own: " + started);

        adapter.stop();

        for (Thread t : started) {
            if (t.getName().startsWith(ConnectorRuntime.THREAD_PREFIX)) {
                t.join(5000);
            }
        }
        // The JDK's HTTP client (Java 17 has no close()) ends its selector thread once the client is unreachable.
        for (int i = 0; i < 40 && started.stream().anyMatch(Thread::isAlive); i++) {
            System.gc();
            Thread.sleep(250);
        }
        assertEquals(Set.of(), started.stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toSet()), "no thread the connector started outlives stop()");
        ResourceException after = assertThrows(ResourceException.class, () -> send(graph, "after stop"));
        assertTrue(after.getMessage().contains("was stopped"), after.getMessage());
    }

    @Test
    void twoFactoriesWithEqualSettingsAreBothRegisteredAndBothClosed() throws Exception {
        MailResourceAdapter adapter = MailResourceAdapter.standalone();
        MailManagedConnectionFactory first = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        MailManagedConnectionFactory second = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        assertEquals(first, second, "equal settings: equal factories, as the pool requires");
        first.setResourceAdapter(adapter);
        second.setResourceAdapter(adapter);
        assertEquals(2, adapter.factoryCount(), "registered by identity, not by equality");
        send(first, "first of two");
        send(second, "second of two");
        assertTrue(first.isWired() && second.isWired(), "each serves its own pool");
        assertSame(first, first.current());
        adapter.stop();
        assertFalse(first.isWired(), "the first is closed");
        assertFalse(second.isWired(), "and so is the second");
        assertEquals(0, adapter.factoryCount());
    }

    /** Whether {@code thread} waits in a socket write (the JDK's socket, or its TLS layer above it). */
    /** Whether the thread is in a socket write 50 ms later too: blocked there, not passing through. */
    private static boolean stillInSocketWrite(Thread thread) throws InterruptedException {
        Thread.sleep(50);
        return inSocketWrite(thread);
    }

    private static boolean inSocketWrite(Thread thread) {
        return thread != null && Arrays.stream(thread.getStackTrace()).anyMatch(f ->
                f.getClassName().contains("NioSocketImpl") || f.getClassName().contains("SocketOutputStream"));
    }


    @Test
    void destroyDuringASendReturnsAtOnceAndTheSendFailsClearly(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.bin");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(64L * 1024 * 1024); // far more than the socket buffers hold: the write blocks
        }
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try (StalledSmtpServer server = new StalledSmtpServer()) {
            MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
            mcf.setTransport("SMTP");
            mcf.setAuthentication("PASSWORD");
            mcf.setUsername("relay-user");
            mcf.setPassword("relay-pass");
            mcf.setFromAddress("app@stalled.test");
            mcf.setSmtpHost("127.0.0.1");
            mcf.setSmtpPort(server.port());
            mcf.setSmtpTls("PLAINTEXT_LOOPBACK_ONLY");
            mcf.setMessagesPerMinute(0);
            mcf.setMaxMessageBytes(200L * 1024 * 1024);
            MailManagedConnection connection = (MailManagedConnection) mcf.createManagedConnection(null, null);
            MailManagedConnectionTest.Recorder events = new MailManagedConnectionTest.Recorder();
            connection.addConnectionEventListener(events);
            MailConnection handle = (MailConnection) connection.getConnection(null, null);

            MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
            message.setRecipients(Message.RecipientType.TO, "someone@stalled.test");
            message.setSubject("destroyed under way");
            MimeBodyPart text = new MimeBodyPart();
            text.setText("a large file follows");
            MimeBodyPart attachment = new MimeBodyPart();
            attachment.attachFile(big.toFile());
            message.setContent(new MimeMultipart(text, attachment));
            AtomicReference<Thread> sending = new AtomicReference<>();
            Future<?> send = sender.submit(() -> {
                sending.set(Thread.currentThread());
                return handle.send(message);
            });
            for (int i = 0; i < 200 && server.dataCommands() == 0; i++) {
                Thread.sleep(25);
            }
            assertEquals(1, server.dataCommands(), "the send is writing the message's data");
            // And blocked: the server reads none of it, so the write waits in the socket.
            // A send that still streams passes through the socket's write now and then; a blocked one stays there.
            for (int i = 0; i < 200 && !(inSocketWrite(sending.get()) && stillInSocketWrite(sending.get())); i++) {
                Thread.sleep(25);
            }
            assertTrue(inSocketWrite(sending.get()), "the send is blocked writing to the socket");

            assertTimeoutPreemptively(Duration.ofSeconds(1), connection::destroy,
                    "destroy() does not wait for the send in progress");
            ExecutionException failed = assertThrows(ExecutionException.class, () -> send.get(10, TimeUnit.SECONDS));
            MailSendException e = assertInstanceOf(MailSendException.class, failed.getCause());
            assertEquals("ConnectionClosedByPool", e.getErrorCode(), e.getMessage());
            assertTrue(e.getMessage().contains("was not sent"), e.getMessage());
            assertEquals(1, events.errors.size(), "a connection-error event tells the pool");
            assertEquals(1, server.dataCommands(), "not sent again on another connection");
            mcf.close();
        } finally {
            sender.shutdownNow();
        }
    }
}
