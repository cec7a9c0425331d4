package org.m365mail.bench;

import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.M365Sandbox;

/**
 * Graph throughput against one mailbox, with the stand-in answering each request after a fixed latency: the
 * connector at 1, 4 and 16 application threads against the ideal that Graph's documented per-mailbox concurrency
 * allows (4 requests in flight, so at most 4 / latency sends a second), and the number of 429s the stand-in answered.
 */
final class GraphThroughput {

    private final M365Sandbox sandbox;
    private final Benchmarks.Report report;
    private final int latencyMs;

    GraphThroughput(M365Sandbox sandbox, Benchmarks.Report report, int latencyMs) {
        this.sandbox = sandbox;
        this.report = report;
        this.latencyMs = latencyMs;
    }

    void run(int messages) throws Exception {
        MailManagedConnectionFactory mcf = new SandboxClients(sandbox).connector("GRAPH");
        // What is measured is Graph's four requests in flight; the mailbox's pace (which Graph sends keep too since
        // the sending policy is shared) is measured on its own, in the SMTP part.
        mcf.setMessagesPerMinute(0);
        MailConnectionFactory connector = (MailConnectionFactory) mcf.createConnectionFactory();
        SmtpThroughput.Sender send = count -> {
            for (int i = 0; i < count; i++) {
                try (MailConnection c = connector.getConnection()) {
                    c.send(SandboxClients.message(null, "bench graph"));
                }
            }
        };
        SmtpThroughput.rate(send, 4, Math.max(4, messages / 10));
        int throttledBefore = sandbox.graphThrottledResponses();
        report.line("2. Graph throughput, %d sends to one mailbox, stand-in latency %d ms per request, "
                + "graphMaxConcurrentRequests=4", messages, latencyMs);
        for (int threads : new int[]{1, 4, 16}) {
            double rate = SmtpThroughput.rate(send, threads, messages);
            double ideal = Math.min(threads, 4) * 1000.0 / latencyMs;
            report.line("   %2d thread%s: %.1f sends/s, ideal %.1f (min(threads, 4) / latency) | ratio %.2f (target "
                    + ">= 0.90)", threads, threads == 1 ? " " : "s", rate, ideal, rate / ideal);
        }
        report.line("   429 responses from the stand-in: %d (target 0); most requests in flight: %d",
                sandbox.graphThrottledResponses() - throttledBefore, sandbox.mostGraphRequestsAtOnce());
        mcf.close();
    }
}
