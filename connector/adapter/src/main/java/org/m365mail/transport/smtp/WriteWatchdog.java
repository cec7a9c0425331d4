package org.m365mail.transport.smtp;

import org.m365mail.runtime.ConnectorRuntime;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The SMTP write timeout: a write to a server that stopped reading is aborted, by closing its socket, once it has
 * been blocked for the timeout.
 *
 * <p>Angus Mail's own {@code mail.smtp.writetimeout} schedules a task on a timer, and cancels it, around every single
 * write, with a timer thread per connection. The benchmark measured that at about a fifth of the connector's CPU per
 * small message, and the difference between 0.74 and 0.94 of raw Angus Mail's throughput at 8 threads. Here a write
 * only notes when it started and when it ended; one shared thread looks at the writes under way a few times per
 * timeout, so a blocked write is aborted between 1 and 1.25 timeouts after it began.
 */
final class WriteWatchdog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WriteWatchdog.class.getName());

    private final Set<WatchedSocket> sockets = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    /** Who wants to know of the socket a connect on this thread makes (the channel, to abort it). */
    private final ThreadLocal<Consumer<Socket>> onSocket = new ThreadLocal<>();
    private ScheduledFuture<?> checks;
    private long checkEveryMillis = Long.MAX_VALUE;

    private WriteWatchdog(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** The deployment's watchdog (one for every SMTP connection of every factory), on its scheduler. */
    static WriteWatchdog of(ConnectorRuntime runtime) {
        return runtime.shared(WriteWatchdog.class, () -> new WriteWatchdog(runtime.scheduler()));
    }

    /** Runs {@code connect}, handing every socket it makes on this thread to {@code created}. */
    <T, E extends Exception> T capturing(Consumer<Socket> created, Connect<T, E> connect) throws E {
        onSocket.set(created);
        try {
            return connect.run();
        } finally {
            onSocket.remove();
        }
    }

    /** Work that opens sockets. */
    @FunctionalInterface
    interface Connect<T, E extends Exception> {
        T run() throws E;
    }

    /** A plain socket factory whose sockets' writes time out after {@code timeoutMillis}. */
    SocketFactory plainSockets(long timeoutMillis) {
        watchEvery(timeoutMillis);
        return new SocketFactory() {
            @Override
            public Socket createSocket() {
                return new WatchedSocket(timeoutMillis);
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                Socket s = createSocket();
                s.connect(new java.net.InetSocketAddress(host, port));
                return s;
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                Socket s = createSocket();
                s.bind(new java.net.InetSocketAddress(localHost, localPort));
                s.connect(new java.net.InetSocketAddress(host, port));
                return s;
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                Socket s = createSocket();
                s.connect(new java.net.InetSocketAddress(host, port));
                return s;
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                Socket s = createSocket();
                s.bind(new java.net.InetSocketAddress(localAddress, localPort));
                s.connect(new java.net.InetSocketAddress(address, port));
                return s;
            }
        };
    }

    /**
     * A TLS socket factory whose TLS sockets sit on watched plain sockets: Jakarta Mail asks it for an unconnected
     * socket for implicit TLS, connects it, and has it layer TLS on top; for STARTTLS it only layers.
     */
    SSLSocketFactory tlsSockets(SSLSocketFactory tls, long timeoutMillis) {
        watchEvery(timeoutMillis);
        return new SSLSocketFactory() {
            @Override
            public Socket createSocket() {
                // Not yet TLS: Jakarta Mail connects it, then asks createSocket(Socket, ...) below to layer TLS.
                return new WatchedSocket(timeoutMillis);
            }

            @Override
            public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
                return tls.createSocket(s, host, port, autoClose);
            }

            @Override
            public String[] getDefaultCipherSuites() {
                return tls.getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return tls.getSupportedCipherSuites();
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return tls.createSocket(plainSockets(timeoutMillis).createSocket(host, port), host, port, true);
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
                    throws IOException {
                return tls.createSocket(plainSockets(timeoutMillis).createSocket(host, port, localHost, localPort),
                        host, port, true);
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return tls.createSocket(plainSockets(timeoutMillis).createSocket(host, port), host.getHostName(),
                        port, true);
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                return tls.createSocket(plainSockets(timeoutMillis).createSocket(address, port, localAddress,
                        localPort), address.getHostName(), port, true);
            }
        };
    }

    /** Looks at the writes under way at least four times per timeout, the shortest timeout of any factory. */
    private synchronized void watchEvery(long timeoutMillis) {
        long every = Math.max(10, timeoutMillis / 4);
        if (every >= checkEveryMillis) {
            return;
        }
        checkEveryMillis = every;
        if (checks != null) {
            checks.cancel(false);
        }
        checks = timer.scheduleWithFixedDelay(this::abortBlockedWrites, every, every, TimeUnit.MILLISECONDS);
    }

    /** Stops watching, as the deployment's runtime closes (its scheduler ends then too). */
    @Override
    public synchronized void close() {
        if (checks != null) {
            checks.cancel(false);
            checks = null;
        }
        checkEveryMillis = Long.MAX_VALUE;
    }

    private void abortBlockedWrites() {
        long now = System.nanoTime();
        for (WatchedSocket socket : sockets) {
            socket.abortIfBlockedAt(now);
        }
    }

    /** A plain socket whose output notes when each write starts and ends. */
    private final class WatchedSocket extends Socket {
        private final long timeoutNanos;
        /** When the write under way began; 0 when none is. */
        private volatile long writeStarted;
        private volatile boolean timedOut;
        private OutputStream output;

        WatchedSocket(long timeoutMillis) {
            this.timeoutNanos = timeoutMillis * 1_000_000;
            sockets.add(this);
            Consumer<Socket> created = onSocket.get();
            if (created != null) {
                created.accept(this);
            }
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (output == null) {
                output = new FilterOutputStream(super.getOutputStream()) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        writeStarted = System.nanoTime() | 1; // never 0
                        try {
                            out.write(b, off, len);
                        } catch (IOException e) {
                            throw timedOut ? new IOException("Write timed out: the SMTP server stopped reading "
                                    + "for " + timeoutNanos / 1_000_000 + " ms", e) : e;
                        } finally {
                            writeStarted = 0;
                        }
                    }

                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[]{(byte) b}, 0, 1);
                    }
                };
            }
            return output;
        }

        void abortIfBlockedAt(long now) {
            long started = writeStarted;
            if (started != 0 && now - started > timeoutNanos) {
                timedOut = true;
                LOG.log(Level.FINE, "M365MAIL-4004 Aborting an SMTP write blocked for more than {0} ms", timeoutNanos / 1_000_000);
                try {
                    close();
                } catch (IOException e) {
                    LOG.log(Level.FINE, "M365MAIL-4005 Closing a blocked SMTP socket failed", e);
                }
            }
        }

        @Override
        public void connect(java.net.SocketAddress endpoint, int timeout) throws IOException {
            try {
                super.connect(endpoint, timeout);
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        @Override
        public synchronized void close() throws IOException {
            sockets.remove(this);
            super.close();
        }
    }
}
