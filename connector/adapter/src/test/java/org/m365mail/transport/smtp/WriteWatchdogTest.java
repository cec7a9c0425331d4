package org.m365mail.transport.smtp;

import org.m365mail.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.m365mail.runtime.ConnectorRuntime;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.time.Duration;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write watchdog's socket factories on their own, against plain loopback listeners: every way of asking for a
 * socket gives a connected (and, where asked, bound) one, TLS ones sit on watched sockets, a write blocked past the
 * timeout is aborted, and closing the watchdog stops its checks.
 */
class WriteWatchdogTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final ConnectorRuntime runtime = new ConnectorRuntime("write-watchdog-test");

    @AfterEach
    void stopThreads() {
        runtime.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            return probe.getLocalPort();
        }
    }

    private static void assertConnectedTo(ServerSocket server, Socket s) {
        assertTrue(s.isConnected());
        assertEquals(server.getLocalPort(), s.getPort());
    }

    @Test
    void thePlainFactoryConnectsEverySocketItIsAskedForAndBindsItWhereAsked() throws Exception {
        SocketFactory plain = WriteWatchdog.of(runtime).plainSockets(10_000);
        try (ServerSocket server = new ServerSocket(0, 10, LOOPBACK)) {
            int port = server.getLocalPort();
            try (Socket s = plain.createSocket(LOOPBACK.getHostAddress(), port)) {
                assertConnectedTo(server, s);
            }
            try (Socket s = plain.createSocket(LOOPBACK, port)) {
                assertConnectedTo(server, s);
            }
            int local = freePort();
            try (Socket s = plain.createSocket(LOOPBACK.getHostAddress(), port, LOOPBACK, local)) {
                assertConnectedTo(server, s);
                assertEquals(local, s.getLocalPort(), "bound to the local port asked for");
            }
            local = freePort();
            try (Socket s = plain.createSocket(LOOPBACK, port, LOOPBACK, local)) {
                assertConnectedTo(server, s);
                assertEquals(local, s.getLocalPort(), "bound to the local port asked for");
            }
        }
    }

    @Test
    void aSingleByteWrittenToAWatchedSocketArrives() throws Exception {
        SocketFactory plain = WriteWatchdog.of(runtime).plainSockets(10_000);
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK);
             Socket client = plain.createSocket(LOOPBACK, server.getLocalPort());
             Socket accepted = server.accept()) {
            OutputStream out = client.getOutputStream();
            out.write('Q');
            out.write(new byte[]{'R', 'S', 'T'}, 1, 2);
            out.flush();
            byte[] got = accepted.getInputStream().readNBytes(3);
            assertArrayEquals(new byte[]{'Q', 'S', 'T'}, got);
        }
    }

    @Test
    void aSocketThatCannotConnectIsClosed() throws Exception {
        Socket s = WriteWatchdog.of(runtime).plainSockets(10_000).createSocket();
        int nobody = freePort();
        assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress(LOOPBACK, nobody), 5_000));
        assertTrue(s.isClosed());
    }

    @Test
    void theTlsFactoryLayersTlsOnConnectedWatchedSocketsAndOffersTheContextsCipherSuites() throws Exception {
        SSLSocketFactory tls = SSLContext.getDefault().getSocketFactory();
        SSLSocketFactory watched = WriteWatchdog.of(runtime).tlsSockets(tls, 10_000);
        assertArrayEquals(tls.getDefaultCipherSuites(), watched.getDefaultCipherSuites());
        assertArrayEquals(tls.getSupportedCipherSuites(), watched.getSupportedCipherSuites());
        try (Socket unconnected = watched.createSocket()) {
            assertFalse(unconnected.isConnected());
            assertFalse(unconnected instanceof SSLSocket, "TLS is layered on later, after the connect");
        }
        try (ServerSocket server = new ServerSocket(0, 10, LOOPBACK)) {
            int port = server.getLocalPort();
            String host = LOOPBACK.getHostAddress();
            Socket[] sockets = {
                    watched.createSocket(host, port),
                    watched.createSocket(LOOPBACK, port),
                    watched.createSocket(host, port, LOOPBACK, 0),
                    watched.createSocket(LOOPBACK, port, LOOPBACK, 0)};
            for (Socket s : sockets) {
                try (s) {
                    assertInstanceOf(SSLSocket.class, s);
                    assertConnectedTo(server, s);
                }
            }
        }
    }

    @Test
    void aWriteToAPeerThatStoppedReadingIsAbortedOnceBlockedPastTheTimeout() throws Exception {
        SocketFactory plain = WriteWatchdog.of(runtime).plainSockets(40);
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            server.setReceiveBufferSize(4096);
            try (Socket client = plain.createSocket(LOOPBACK, server.getLocalPort());
                 Socket stalled = server.accept()) {
                OutputStream out = client.getOutputStream();
                byte[] chunk = new byte[64 * 1024];
                IOException e = assertThrows(IOException.class, () -> {
                    for (int i = 0; i < 100_000; i++) { // far more than any socket buffers hold
                        out.write(chunk);
                    }
                });
                assertEquals("Write timed out: the SMTP server stopped reading for 40 ms", e.getMessage());
                assertTrue(client.isClosed(), "aborted by closing the socket");
                assertFalse(stalled.isClosed());
            }
        }
    }

    @Test
    void aWriteThatIsBlockedForLessThanTheTimeoutIsLeftToFinish() throws Exception {
        ScheduledThreadPoolExecutor scheduler = (ScheduledThreadPoolExecutor) runtime.scheduler();
        SocketFactory plain = WriteWatchdog.of(runtime).plainSockets(1_200); // checked every 300 ms
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            server.setReceiveBufferSize(4096);
            Socket client = plain.createSocket();
            client.setSendBufferSize(4096);
            client.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()));
            try (client; Socket peer = server.accept()) {
                byte[] data = new byte[4 * 1024 * 1024]; // far more than the socket buffers hold
                new java.util.Random(7).nextBytes(data);
                OutputStream out = client.getOutputStream();
                CountDownLatch started = new CountDownLatch(1);
                CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                    started.countDown();
                    try {
                        out.write(data);
                        out.flush();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                started.await();
                // Two checks more: at least one looked at the write while it was blocked.
                long checks = scheduler.getCompletedTaskCount();
                Await.until(() -> scheduler.getCompletedTaskCount() >= checks + 2, Duration.ofSeconds(30),
                        "two runs of the watchdog's check");
                assertFalse(write.isDone(), "the write is blocked, and was not aborted");
                assertArrayEquals(data, peer.getInputStream().readNBytes(data.length));
                write.get(30, TimeUnit.SECONDS);
                assertFalse(client.isClosed());
            }
        }
    }

    @Test
    void closingTheWatchdogStopsItsChecks() {
        ScheduledThreadPoolExecutor scheduler = (ScheduledThreadPoolExecutor) runtime.scheduler();
        WriteWatchdog watchdog = WriteWatchdog.of(runtime);
        watchdog.close(); // before any factory asked it to watch: nothing to stop
        watchdog.plainSockets(10_000);
        assertEquals(1, scheduler.getQueue().size(), "the periodic check is scheduled");
        watchdog.close();
        assertTrue(scheduler.getQueue().isEmpty(), "and no longer after the close");
    }
}
