package org.m365mail.sandbox;

import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TLS socket of an SMTP session after STARTTLS, with SubEtha SMTP's 998-character line limit lifted for
 * SASL lines.
 *
 * <p>SubEtha 7.2.2 refuses any command line of 998 characters or more ({@code CRLFTerminatedReader}, a final class
 * with a constant limit). An Entra access token is 1,500 to 2,500 characters, so the {@code AUTH XOAUTH2 <base64>}
 * line (or the base64 line of the two-line form) is longer than that, and Exchange Online accepts it. This socket
 * moves such a payload aside and hands SubEtha a short reference ({@code #stash:N}) that
 * {@link Xoauth2Authentication} resolves. Lines of the message data are passed through untouched.
 */
final class LongAuthLineSocket extends SSLSocket {

    static final String STASH_PREFIX = "#stash:";
    private static final int LONG_LINE = 900;

    private final SSLSocket delegate;
    private final java.net.Socket plain;
    private final java.util.function.Consumer<String> commands;
    private final Map<Integer, String> stash = new ConcurrentHashMap<>();
    private final AtomicInteger nextKey = new AtomicInteger();
    private InputStream input;

    /**
     * @param commands told the verb of each command line the client sends after STARTTLS
     */
    LongAuthLineSocket(SSLSocket delegate, java.net.Socket plain, java.util.function.Consumer<String> commands) {
        this.delegate = delegate;
        this.plain = plain;
        this.commands = commands;
    }

    /**
     * Drops the connection at once, as a network failure or a server restart would. Closing the TLS layer instead
     * would wait for the session's reader thread, which is blocked reading.
     */
    void abort() throws IOException {
        plain.close();
    }

    /** Drops the connection with a reset (RST), as a crashed server or a middlebox would, rather than a close. */
    void reset() throws IOException {
        plain.setSoLinger(true, 0);
        plain.close();
    }

    /** The payload behind a {@code #stash:N} reference, or the text itself when it is no reference. */
    static String resolve(Object socket, String payload) {
        if (payload.startsWith(STASH_PREFIX) && socket instanceof LongAuthLineSocket s) {
            return Optional.ofNullable(s.stash.remove(Integer.parseInt(payload.substring(STASH_PREFIX.length()))))
                    .orElse("");
        }
        return payload;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (input == null) {
            input = new LineLengthLifter(new BufferedInputStream(delegate.getInputStream(), 8192));
        }
        return input;
    }

    /** Rewrites over-long SASL lines into stash references; everything else passes unchanged. */
    private final class LineLengthLifter extends InputStream {
        private final InputStream in;
        private byte[] pending = new byte[0];
        private int position;
        private boolean inData;
        private boolean expectSaslResponse;

        LineLengthLifter(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (position >= pending.length && !fill()) {
                return -1;
            }
            return pending[position++] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (position >= pending.length && !fill()) {
                return -1;
            }
            int n = Math.min(length, pending.length - position);
            System.arraycopy(pending, position, buffer, offset, n);
            position += n;
            return n;
        }

        @Override
        public int available() {
            return pending.length - position;
        }

        private boolean fill() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            int b;
            while ((b = in.read()) != -1) {
                line.write(b);
                if (b == '\n') {
                    break;
                }
            }
            if (line.size() == 0) {
                return false;
            }
            pending = rewrite(line.toByteArray());
            position = 0;
            return true;
        }

        private byte[] rewrite(byte[] raw) {
            String text = new String(raw, StandardCharsets.ISO_8859_1).replaceAll("\r?\n$", "");
            if (inData) {
                inData = !text.equals(".");
                return raw;
            }
            String upper = text.toUpperCase(Locale.ROOT);
            boolean saslResponse = expectSaslResponse;
            if (!saslResponse) {
                int space = upper.indexOf(' ');
                commands.accept(space < 0 ? upper : upper.substring(0, space));
            }
            expectSaslResponse = upper.matches("AUTH \\S+\\s*");
            if (upper.equals("DATA")) {
                inData = true;
                return raw;
            }
            if (text.length() < LONG_LINE) {
                return raw;
            }
            if (upper.startsWith("AUTH ")) {
                int payloadStart = text.indexOf(' ', 5);
                if (payloadStart > 0) {
                    return (text.substring(0, payloadStart + 1) + stash(text.substring(payloadStart + 1).trim())
                            + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
                }
            } else if (saslResponse) {
                return (stash(text.trim()) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            }
            return raw;
        }

        private String stash(String payload) {
            int key = nextKey.incrementAndGet();
            stash.put(key, payload);
            return STASH_PREFIX + key;
        }
    }

    // Everything below hands the call to the real TLS socket.

    @Override public OutputStream getOutputStream() throws IOException { return delegate.getOutputStream(); }
    @Override public String[] getSupportedCipherSuites() { return delegate.getSupportedCipherSuites(); }
    @Override public String[] getEnabledCipherSuites() { return delegate.getEnabledCipherSuites(); }
    @Override public void setEnabledCipherSuites(String[] suites) { delegate.setEnabledCipherSuites(suites); }
    @Override public String[] getSupportedProtocols() { return delegate.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return delegate.getEnabledProtocols(); }
    @Override public void setEnabledProtocols(String[] protocols) { delegate.setEnabledProtocols(protocols); }
    @Override public SSLSession getSession() { return delegate.getSession(); }
    @Override public SSLSession getHandshakeSession() { return delegate.getHandshakeSession(); }
    @Override public void addHandshakeCompletedListener(HandshakeCompletedListener l) { delegate.addHandshakeCompletedListener(l); }
    @Override public void removeHandshakeCompletedListener(HandshakeCompletedListener l) { delegate.removeHandshakeCompletedListener(l); }
    @Override public void startHandshake() throws IOException { delegate.startHandshake(); }
    @Override public void setUseClientMode(boolean mode) { delegate.setUseClientMode(mode); }
    @Override public boolean getUseClientMode() { return delegate.getUseClientMode(); }
    @Override public void setNeedClientAuth(boolean need) { delegate.setNeedClientAuth(need); }
    @Override public boolean getNeedClientAuth() { return delegate.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean want) { delegate.setWantClientAuth(want); }
    @Override public boolean getWantClientAuth() { return delegate.getWantClientAuth(); }
    @Override public void setEnableSessionCreation(boolean flag) { delegate.setEnableSessionCreation(flag); }
    @Override public boolean getEnableSessionCreation() { return delegate.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return delegate.getSSLParameters(); }
    @Override public void setSSLParameters(SSLParameters params) { delegate.setSSLParameters(params); }
    @Override public String getApplicationProtocol() { return delegate.getApplicationProtocol(); }
    @Override public void close() throws IOException { delegate.close(); }
    @Override public boolean isClosed() { return delegate.isClosed(); }
    @Override public boolean isConnected() { return delegate.isConnected(); }
    @Override public boolean isInputShutdown() { return delegate.isInputShutdown(); }
    @Override public boolean isOutputShutdown() { return delegate.isOutputShutdown(); }
    @Override public void shutdownInput() throws IOException { delegate.shutdownInput(); }
    @Override public void shutdownOutput() throws IOException { delegate.shutdownOutput(); }
    @Override public InetAddress getInetAddress() { return delegate.getInetAddress(); }
    @Override public InetAddress getLocalAddress() { return delegate.getLocalAddress(); }
    @Override public int getPort() { return delegate.getPort(); }
    @Override public int getLocalPort() { return delegate.getLocalPort(); }
    @Override public SocketAddress getRemoteSocketAddress() { return delegate.getRemoteSocketAddress(); }
    @Override public SocketAddress getLocalSocketAddress() { return delegate.getLocalSocketAddress(); }
    @Override public void setSoTimeout(int timeout) throws SocketException { delegate.setSoTimeout(timeout); }
    @Override public int getSoTimeout() throws SocketException { return delegate.getSoTimeout(); }
    @Override public void setTcpNoDelay(boolean on) throws SocketException { delegate.setTcpNoDelay(on); }
    @Override public boolean getTcpNoDelay() throws SocketException { return delegate.getTcpNoDelay(); }
    @Override public void setKeepAlive(boolean on) throws SocketException { delegate.setKeepAlive(on); }
    @Override public boolean getKeepAlive() throws SocketException { return delegate.getKeepAlive(); }
    @Override public String toString() { return "LongAuthLineSocket[" + delegate + "]"; }
}
