package org.m365mail.transport.graph;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.SandboxFactories;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Sends one large file through Graph (or SMTP) to a stand-in in the same JVM and reports the peak heap. Run in a JVM
 * with a small heap ({@code -Xmx128m}) by {@link LargeAttachmentHeapTest} and by the benchmark: it can only succeed
 * if attachments are streamed.
 *
 * <p>Arguments: file, expected SHA-256, transport (GRAPH or SMTP), work directory. Logs (JUL, to standard error)
 * {@code PEAK_HEAP_BYTES=}, the most heap in use sampled every 10 ms during the send, and {@code RESULT=OK}.
 */
public final class HeapBoundedSend {

    private static final Logger LOG = Logger.getLogger(HeapBoundedSend.class.getName());

    private HeapBoundedSend() {
    }

    public static void main(String[] args) throws Exception {
        File file = new File(args[0]);
        String expected = args[1];
        String transport = args.length > 2 ? args[2] : "GRAPH";
        try (M365Sandbox sandbox = M365Sandbox.builder().workDir(Path.of(args.length > 3 ? args[3] : "target/heap"))
                .start()) {
            // As an administrator would for large attachments: Set-Mailbox -MaxSendSize 150MB.
            sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().mailbox(SandboxDefaults.SENDER)
                    .orElseThrow().maxSendSize(150 * 1024 * 1024);
            MailManagedConnectionFactory mcf = SandboxFactories.factory(sandbox, transport);
            mcf.setMaxMessageBytes(200L * 1024 * 1024);
            MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
            message.setRecipients(Message.RecipientType.TO, SandboxDefaults.RECIPIENT);
            message.setSubject("heap-bounded " + transport);
            MimeBodyPart text = new MimeBodyPart();
            text.setText("a large file follows");
            MimeBodyPart attachment = new MimeBodyPart();
            attachment.attachFile(file);
            message.setContent(new MimeMultipart(text, attachment));
            java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();
            java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            java.util.concurrent.ScheduledExecutorService sampler =
                    java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "heap-sampler");
                        t.setDaemon(true);
                        return t;
                    });
            sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max),
                    0, 10, java.util.concurrent.TimeUnit.MILLISECONDS);
            long started = System.nanoTime();
            try (MailConnection connection = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
                connection.send(message);
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            sampler.shutdownNow();
            DeliveredMessage got = sandbox.outbox().messages().get(0);
            String digest = got.attachments().get(0).sha256();
            long max = Runtime.getRuntime().maxMemory();
            LOG.info("PEAK_HEAP_BYTES=" + peak.get() + " MAX_HEAP_BYTES=" + max + " SEND_MILLIS=" + millis + " SIZE="
                    + file.length());
            if (!expected.equals(digest)) {
                LOG.severe("RESULT=FAILED the delivered attachment's SHA-256 " + digest + " is not " + expected);
                System.exit(1);
            }
            LOG.info("RESULT=OK");
        }
        System.exit(0);
    }
}
