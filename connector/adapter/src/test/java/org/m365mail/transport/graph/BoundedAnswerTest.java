package org.m365mail.transport.graph;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A "Graph" that answers without end (a wrong graphUrl, a broken proxy) cannot fill the heap: the connector reads a
 * bounded part of each answer and fails the send with a short message.
 */
class BoundedAnswerTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-bounded");

    @Test
    void anEndlessErrorAnswerIsReadOnlyInPart() throws Exception {
        AtomicLong written = new AtomicLong();
        HttpsServer endless = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        endless.setHttpsConfigurator(new HttpsConfigurator(SANDBOX.get().serverSslContext()));
        endless.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(400, 0);
            byte[] chunk = ("{\"error\":{\"code\":\"x\",\"message\":\"" + "y".repeat(60_000))
                    .getBytes(StandardCharsets.US_ASCII);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 8000; i++) { // about 480 MB, unless the client stops reading
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException clientGone) {
                // what a bounded reader does
            }
        });
        endless.start();
        try {
            String graphUrl = "https://localhost:" + endless.getAddress().getPort();
            SANDBOX.get().directory().addGraphIdentifier(graphUrl); // Entra issues tokens for it
            MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
            mcf.setGraphUrl(graphUrl);
            mcf.setSendTimeoutSeconds(5);
            try (MailConnection c = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
                MailSendException e = assertThrows(MailSendException.class,
                        () -> c.send(SandboxFactories.textMessage("endless", "x")));
                assertTrue(e.getMessage().length() < 2_000, "a short message: " + e.getMessage().length());
                assertTrue(e.getMessage().startsWith("Microsoft Graph refused message"), e.getMessage());
                assertTrue(e.getMessage().contains("HTTP 400"), e.getMessage());
            }
            assertTrue(written.get() < 100L * 1024 * 1024, "the rest was not read: " + written.get() + " bytes");
        } finally {
            endless.stop(0);
        }
    }
}
