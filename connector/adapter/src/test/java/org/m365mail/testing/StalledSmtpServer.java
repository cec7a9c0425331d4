package org.m365mail.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Answers up to DATA's 354, then reads nothing more, as a stuck server would. */
public final class StalledSmtpServer implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final AtomicInteger dataCommands = new AtomicInteger();
    private final List<Socket> open = new ArrayList<>();
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    public StalledSmtpServer() throws Exception {
        Thread t = new Thread(this::serve, "stalled-smtp");
        t.setDaemon(true);
        t.start();
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                synchronized (open) {
                    open.add(s);
                }
                Thread session = new Thread(() -> converse(s), "stalled-smtp-session");
                session.setDaemon(true);
                session.start();
            } catch (Exception e) {
                return;
            }
        }
    }

    private void converse(Socket s) {
        try {
            s.setReceiveBufferSize(4096);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            reply(out, "220 stalled.test ESMTP");
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.split(" ")[0].toUpperCase(java.util.Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> reply(out, "250-stalled.test\r\n250 AUTH PLAIN");
                    case "AUTH" -> reply(out, "235 2.7.0 Authentication successful");
                    case "MAIL", "RCPT", "RSET", "NOOP" -> reply(out, "250 2.1.0 OK");
                    case "DATA" -> {
                        dataCommands.incrementAndGet();
                        reply(out, "354 go ahead");
                        closed.await(); // and read none of the data until the test is over
                    }
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        return;
                    }
                    default -> reply(out, "500 what?");
                }
            }
        } catch (Exception e) {
            // the client went away
        }
    }

    private static void reply(OutputStream out, String text) throws Exception {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The port it listens on, on 127.0.0.1. */
    public int port() {
        return server.getLocalPort();
    }

    /** How many DATA commands it was sent. */
    public int dataCommands() {
        return dataCommands.get();
    }

    @Override
    public void close() throws Exception {
        closed.countDown();
        server.close();
        synchronized (open) {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
