package org.m365mail.bench;

import org.m365mail.auth.CachedTokenSource;
import org.m365mail.auth.MsalClientCredentials;
import org.m365mail.config.MailSettings;
import org.m365mail.config.TlsTrust;
import org.m365mail.http.ConnectorHttpClient;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.smtp.SmtpXoauth2Transport;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Token requests for many sends from 64 threads across one token expiry: the clock (shared by the stand-in and the
 * connector) jumps past the token's expiry halfway through, while every thread is sending. Target: exactly 2.
 */
final class TokenRequests {

    private final Path workDir;
    private final Benchmarks.Report report;

    TokenRequests(Path workDir, Benchmarks.Report report) {
        this.workDir = workDir;
        this.report = report;
    }

    /** A clock that can be moved forward; the stand-in's tokens expire on it too. */
    static final class JumpingClock extends Clock {
        private volatile Duration ahead = Duration.ZERO;

        void jump(Duration by) {
            ahead = ahead.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(ahead);
        }
    }

    void run(int sends) throws Exception {
        JumpingClock clock = new JumpingClock();
        int threads = 64;
        try (M365Sandbox sandbox = M365Sandbox.builder().workDir(workDir).clock(clock).exchangeLimits(false)
                .start()) {
            MailManagedConnectionFactory mcf = new SandboxClients(sandbox).connector("SMTP");
            mcf.setMessagesPerMinute(0);
            mcf.setSmtpMaxConcurrentSends(0);
            MailSettings settings = mcf.settings();
            ConnectorRuntime runtime = new ConnectorRuntime("benchmark");
            SSLContext tls = TlsTrust.context(settings);
            CachedTokenSource tokens = new CachedTokenSource(new MsalClientCredentials(settings,
                    settings.exchangeScope(), ConnectorHttpClient.build(settings, tls), clock),
                    clock, "benchmark", runtime.background());
            SmtpXoauth2Transport transport = new SmtpXoauth2Transport(runtime, settings, tokens, tls, clock);
            AtomicInteger sent = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int share = sends / threads + (t < sends % threads ? 1 : 0);
                done.add(pool.submit(() -> {
                    MailChannel channel = transport.open();
                    try {
                        for (int i = 0; i < share; i++) {
                            channel.send(SandboxClients.message(null, "bench token"));
                            if (sent.incrementAndGet() == sends / 2) {
                                // Past the first token's expiry (Entra's tokens here live 60 minutes).
                                clock.jump(Duration.ofMinutes(61));
                            }
                        }
                    } finally {
                        channel.close();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdownNow();
            runtime.close();
            long requests = sandbox.tokenRequests().count("https://outlook.office365.com");
            report.line("3. Token requests for %d SMTP sends from %d threads, the clock jumping past the token's "
                    + "expiry halfway: %d (target exactly 2: the first token and one renewal)", sent.get(), threads,
                    requests);
        }
    }
}
