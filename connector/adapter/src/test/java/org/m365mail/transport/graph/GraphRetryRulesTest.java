package org.m365mail.transport.graph;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.auth.CachedTokenSource;
import org.m365mail.auth.MsalClientCredentials;
import org.m365mail.config.MailSettings;
import org.m365mail.config.TlsTrust;
import org.m365mail.http.ConnectorHttpClient;
import org.m365mail.monitor.SendEvents;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.sandbox.GraphFaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import javax.net.ssl.SSLContext;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How long Graph's transport waits before a retry: Graph's own Retry-After when it gives one, else the backoff. */
class GraphRetryRulesTest {

    private static final ConnectorRuntime RUNTIME = new ConnectorRuntime("graph-retry-test");

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-graph-retry");

    @AfterAll
    static void stopThreads() {
        RUNTIME.close();
    }

    @Test
    void theBackoffDoublesFromHalfASecondWithJitterAndStopsGrowingAtTheSeventhAttempt() {
        for (int i = 0; i < 200; i++) {
            assertBetween(GraphRequests.backoff(1), 500, 1000);
            assertBetween(GraphRequests.backoff(2), 1000, 2000);
            assertBetween(GraphRequests.backoff(3), 2000, 4000);
            assertBetween(GraphRequests.backoff(7), 32_000, 64_000);
            assertBetween(GraphRequests.backoff(30), 32_000, 64_000);
        }
    }

    private static void assertBetween(Duration d, long fromMillis, long toMillis) {
        assertTrue(d.toMillis() >= fromMillis && d.toMillis() < toMillis, d + " not in [" + fromMillis + ", "
                + toMillis + ")");
    }

    @Test
    void aThrottledRequestWaitsGraphsRetryAfterNotTheBackoff() throws Exception {
        List<Duration> waits = new CopyOnWriteArrayList<>();
        AtomicInteger retries = new AtomicInteger();
        SendEvents events = new SendEvents() {
            @Override
            public void throttled(Duration waited) {
                waits.add(waited);
            }

            @Override
            public void retried() {
                retries.incrementAndGet();
            }
        };
        MailSettings settings = SandboxFactories.factory(SANDBOX.get(), "GRAPH").settings();
        SSLContext tls = TlsTrust.context(settings);
        Clock clock = Clock.systemUTC();
        CachedTokenSource tokens = new CachedTokenSource(new MsalClientCredentials(settings, settings.graphScope(), tls,
                clock), clock, "test", RUNTIME.background());
        GraphTransport transport = new GraphTransport(RUNTIME, settings, tokens, ConnectorHttpClient.build(settings, tls),
                clock, events);
        // The stand-in throttles with "Retry-After: 0.2" (Graph sends fractional seconds), well under the backoff.
        SANDBOX.get().graphFaults().add(GraphFaults.Fault.THROTTLED);
        long started = System.nanoTime();
        transport.send(SandboxFactories.textMessage("after retry-after", "x"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertEquals(List.of(Duration.ofMillis(200)), waits.stream().filter(d -> !d.isZero()).toList());
        assertEquals(1, retries.get());
        assertTrue(took.compareTo(Duration.ofMillis(200)) >= 0, "waited: " + took);
        assertEquals(1, SANDBOX.get().outbox().withSubject("after retry-after").size());
    }
}
