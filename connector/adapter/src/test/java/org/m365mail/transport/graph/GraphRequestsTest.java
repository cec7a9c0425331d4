package org.m365mail.transport.graph;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailSendException;
import org.m365mail.auth.AccessToken;
import org.m365mail.auth.TokenSource;
import org.m365mail.monitor.SendEvents;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.policy.MailboxLimits;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.sandbox.GraphFaults;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One Graph request's rules beyond throttling: a refused token is replaced once, an unreachable Graph is tried again
 * until the send's deadline, a {@code 503} waits Graph's {@code Retry-After}, and an interrupt ends the send and stays
 * set.
 */
class GraphRequestsTest {

    private static final ConnectorRuntime RUNTIME = new ConnectorRuntime("graph-requests-test");

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-graph-requests");

    @AfterAll
    static void stopThreads() {
        RUNTIME.close();
    }

    /** Hands out a token Graph refuses until told to forget it (or for good), then the real ones. */
    private static final class StaleFirst implements TokenSource {
        private final TokenSource real;
        private final boolean forever;
        private final AccessToken stale = new AccessToken("stale-token", Instant.now(), Instant.now().plusSeconds(3600));
        final List<AccessToken> invalidated = new CopyOnWriteArrayList<>();
        private final AtomicBoolean forgotten = new AtomicBoolean();

        StaleFirst(TokenSource real, boolean forever) {
            this.real = real;
            this.forever = forever;
        }

        @Override
        public AccessToken token() throws MailSendException {
            return forgotten.get() && !forever ? real.token() : stale;
        }

        @Override
        public void invalidate(AccessToken rejected) {
            invalidated.add(rejected);
            forgotten.set(rejected.equals(stale));
        }
    }

    @Test
    void aTokenGraphRefusesIsReplacedOnceAndTheMessageSent() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        StaleFirst[] tokens = new StaleFirst[1];
        DirectGraph graph = new DirectGraph(RUNTIME, mcf, real -> tokens[0] = new StaleFirst(real, false));
        graph.transport.send(SandboxFactories.textMessage("after a new token", "x"));
        assertEquals(1, SANDBOX.get().outbox().withSubject("after a new token").size());
        assertEquals(1, tokens[0].invalidated.size(), "the refused token was forgotten");
        assertEquals("stale-token", tokens[0].invalidated.get(0).value());
    }

    @Test
    void aTokenRefusedTwiceEndsTheSend() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        StaleFirst[] tokens = new StaleFirst[1];
        DirectGraph graph = new DirectGraph(RUNTIME, mcf, real -> tokens[0] = new StaleFirst(real, true));
        MailSendException e = assertThrows(MailSendException.class,
                () -> graph.transport.send(SandboxFactories.textMessage("never authenticated", "x")));
        assertTrue(e.getMessage().contains("401"), e.getMessage());
        assertEquals(1, tokens[0].invalidated.size(), "one new token, not a loop");
        assertTrue(SANDBOX.get().outbox().messages().isEmpty());
    }

    @Test
    void anUnreachableGraphIsTriedAgainUntilSendTimeout() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String graphUrl = "https://localhost:" + closedPort;
        SANDBOX.get().directory().addGraphIdentifier(graphUrl); // Entra issues tokens for it
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setGraphUrl(graphUrl);
        mcf.setSendTimeoutSeconds(2);
        DirectGraph graph = new DirectGraph(RUNTIME, mcf);
        MailSendException e = assertThrows(MailSendException.class,
                () -> graph.transport.send(SandboxFactories.textMessage("nowhere", "x")));
        assertEquals("GraphUnreachable", e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("attempts within sendTimeoutSeconds=2"), e.getMessage());
        assertTrue(graph.retries.get() >= 1, "tried again before the deadline: " + e.getMessage());
        assertTrue(!e.getMessage().contains("(1 attempts"), e.getMessage());
    }

    @Test
    void anUnavailableGraphIsAskedAgainAfterItsRetryAfter() throws Exception {
        Logger logger = Logger.getLogger(GraphRequests.class.getName());
        Level level = logger.getLevel();
        logger.setLevel(Level.FINE);
        try (CapturedLog log = new CapturedLog(GraphRequests.class)) {
            SANDBOX.get().graphFaults().add(GraphFaults.Fault.UNAVAILABLE); // Retry-After: 0.2
            DirectGraph graph = new DirectGraph(RUNTIME, SandboxFactories.factory(SANDBOX.get(), "GRAPH"));
            graph.transport.send(SandboxFactories.textMessage("after unavailable", "x"));
            assertEquals(1, SANDBOX.get().outbox().withSubject("after unavailable").size());
            List<LogRecord> retries = log.records().stream()
                    .filter(r -> r.getMessage().startsWith("M365MAIL-3002")).toList();
            assertEquals(1, retries.size());
            assertEquals("HTTP 503", String.valueOf(retries.get(0).getParameters()[0]));
            assertEquals(200L, retries.get(0).getParameters()[2], "waited Graph's Retry-After, not the backoff");
            assertEquals(1, graph.retries.get());
            assertTrue(graph.throttledWaits.isEmpty(), "503 is not throttling");
        } finally {
            logger.setLevel(level);
        }
    }

    @Test
    void anInterruptedWaitEndsTheSendAndStaysInterrupted() {
        Thread.currentThread().interrupt();
        MailSendException e = assertThrows(MailSendException.class, () -> GraphRequests.sleep(Duration.ofSeconds(30)));
        assertTrue(e.getMessage().contains("Interrupted"), e.getMessage());
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
    }

    @Test
    void anInterruptedRequestEndsTheSendAndStaysInterrupted() {
        MailboxLimits limits = MailboxLimits.of(RUNTIME, "graph interrupt-test", "a@contoso.test", 4, 0,
                Clock.systemUTC());
        GraphRequests requests = new GraphRequests(null, null, null, limits, Clock.systemUTC(), SendEvents.NONE);
        MailSendException e = assertThrows(MailSendException.class, () -> requests.withSlot(() -> {
            throw new InterruptedException("interrupted while waiting for Graph");
        }));
        assertTrue(e.getMessage().contains("Interrupted"), e.getMessage());
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
    }
}
