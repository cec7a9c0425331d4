package org.m365mail.transport.graph;

import org.m365mail.auth.CachedTokenSource;
import org.m365mail.auth.MsalClientCredentials;
import org.m365mail.auth.TokenSource;
import org.m365mail.config.MailSettings;
import org.m365mail.config.TlsTrust;
import org.m365mail.http.ConnectorHttpClient;
import org.m365mail.monitor.SendEvents;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.runtime.ConnectorRuntime;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A {@link GraphTransport} built straight from a connection factory's settings, without the pool, so that a test sees
 * what the transport throws and what it tells its {@link SendEvents}: retries and waits.
 */
final class DirectGraph {

    final AtomicInteger retries = new AtomicInteger();
    final List<Duration> throttledWaits = new CopyOnWriteArrayList<>();
    final GraphTransport transport;
    final TokenSource tokens;

    /**
     * @param wrap wraps the transport's token source (a test's fake), or returns it unchanged
     */
    DirectGraph(ConnectorRuntime runtime, MailManagedConnectionFactory mcf, UnaryOperator<TokenSource> wrap)
            throws Exception {
        MailSettings settings = mcf.settings();
        javax.net.ssl.SSLContext tls = TlsTrust.context(settings);
        Clock clock = Clock.systemUTC();
        tokens = wrap.apply(new CachedTokenSource(new MsalClientCredentials(settings, settings.graphScope(), tls, clock),
                clock, "test", runtime.background()));
        SendEvents events = new SendEvents() {
            @Override
            public void retried() {
                retries.incrementAndGet();
            }

            @Override
            public void throttled(Duration waited) {
                throttledWaits.add(waited);
            }
        };
        transport = new GraphTransport(runtime, settings, tokens, ConnectorHttpClient.build(settings, tls), clock, events);
    }

    DirectGraph(ConnectorRuntime runtime, MailManagedConnectionFactory mcf) throws Exception {
        this(runtime, mcf, UnaryOperator.identity());
    }
}
