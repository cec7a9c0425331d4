package org.m365mail.transport.smtp;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback SMTP server for the channel's failure paths: it answers as an ordinary relay (AUTH PLAIN, any sender and
 * recipient) unless its script says otherwise for a command on a given connection, and can hang up after a reply.
 */
final class ScriptedSmtpServer implements AutoCloseable {

    /** What the server does with one command. */
    record Reply(String text, boolean hangUp) {
    }

    /** The reply to {@code command} (a whole line, or "." for the end of the data) on connection {@code n} (from 0). */
    @FunctionalInterface
    interface Script {
        /** @return the reply, or {@code null} for the ordinary relay's */
        Reply reply(int n, String command);
    }

    static Reply say(String text) {
        return new Reply(text, false);
    }

    static Reply sayAndHangUp(String text) {
        return new Reply(text, true);
    }

    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Script script;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> open = new ArrayList<>();

    ScriptedSmtpServer(Script script) throws Exception {
        this.script = script;
        Thread t = new Thread(this::serve, "scripted-smtp");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** How many connections were made to it. */
    int connections() {
        return connections.get();
    }

    /** How many messages it accepted (250 after the data). */
    int accepted() {
        return accepted.get();
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                synchronized (open) {
                    open.add(s);
                }
                int n = connections.getAndIncrement();
                Thread session = new Thread(() -> converse(s, n), "scripted-smtp-" + n);
                session.setDaemon(true);
                session.start();
            } catch (Exception e) {
                return;
            }
        }
    }

    private void converse(Socket s, int n) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            write(out, "220 scripted.test ESMTP");
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.split(" ")[0].toUpperCase(Locale.ROOT);
                if (!answer(out, n, line, verb)) {
                    return;
                }
                if (verb.equals("DATA")) {
                    while ((line = in.readLine()) != null && !line.equals(".")) {
                        // the message
                    }
                    if (!answer(out, n, ".", ".")) {
                        return;
                    }
                }
                if (verb.equals("QUIT")) {
                    return;
                }
            }
        } catch (Exception e) {
            // the client went away
        }
    }

    /** Writes the reply; false when the connection is to end. */
    private boolean answer(OutputStream out, int n, String command, String verb) throws Exception {
        Reply reply = script.reply(n, command);
        if (reply == null) {
            reply = say(switch (verb) {
                case "EHLO" -> "250-scripted.test\r\n250 AUTH PLAIN LOGIN";
                case "AUTH" -> "235 2.7.0 Authentication successful";
                case "MAIL", "RCPT", "RSET", "NOOP" -> "250 2.1.0 OK";
                case "DATA" -> "354 go ahead";
                case "." -> "250 2.0.0 OK queued";
                case "QUIT" -> "221 2.0.0 bye";
                default -> "500 5.5.1 what?";
            });
        }
        write(out, reply.text());
        if (verb.equals(".") && reply.text().startsWith("250")) {
            accepted.incrementAndGet();
        }
        return !reply.hangUp();
    }

    private static void write(OutputStream out, String text) throws Exception {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws Exception {
        server.close();
        synchronized (open) {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
