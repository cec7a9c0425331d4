package org.m365mail.bench;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.SandboxDefaults;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The measured side of {@link LargeAttachmentHeap}: a JVM of its own, started with the heap under test, that sends one
 * file as an attachment through the connector to a stand-in running elsewhere, and prints on standard output
 * {@code SAMPLED_PEAK=} (heap in use, sampled every 5 ms), {@code POOL_PEAK=} (the sum of each heap pool's own peak
 * since just before the send: an upper bound that no sampling gap can miss) and {@code MILLIS=}.
 *
 * <p>Arguments: transport file authorityUrl graphUrl smtpHost smtpPort trustStorePath trustStorePassword.
 */
public final class LargeAttachmentSender {

    private LargeAttachmentSender() {
    }

    public static void main(String[] args) throws Exception {
        Logger.getLogger("").setLevel(Level.WARNING);
        String transport = args[0];
        File file = new File(args[1]);
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
        mcf.setTransport(transport);
        mcf.setTenantId(SandboxDefaults.TENANT_ID);
        mcf.setClientId(SandboxDefaults.CLIENT_ID);
        mcf.setClientSecret(SandboxDefaults.CLIENT_SECRET);
        mcf.setAuthorityUrl(args[2]);
        mcf.setGraphUrl(args[3]);
        mcf.setSmtpHost(args[4]);
        mcf.setSmtpPort(Integer.parseInt(args[5]));
        mcf.setTrustStorePath(args[6]);
        mcf.setTrustStorePassword(args[7]);
        mcf.setFromAddress(SandboxDefaults.SENDER);
        mcf.setMaxMessageBytes(200L * 1024 * 1024);
        MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();

        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setRecipients(Message.RecipientType.TO, SandboxDefaults.RECIPIENT);
        message.setSubject("heap " + transport);
        MimeBodyPart text = new MimeBodyPart();
        text.setText("a large file follows");
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.attachFile(file);
        message.setContent(new MimeMultipart(text, attachment));

        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        System.gc();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        AtomicLong sampled = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heap-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(() -> sampled.accumulateAndGet(
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max), 0, 5, TimeUnit.MILLISECONDS);
        long started = System.nanoTime();
        try (MailConnection connection = factory.getConnection()) {
            connection.send(message);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        sampler.shutdownNow();
        long poolPeak = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        // The figures are this program's output to the harness that started it.
        java.io.PrintStream out = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
                true, java.nio.charset.StandardCharsets.UTF_8);
        out.println("SAMPLED_PEAK=" + sampled.get() + " POOL_PEAK=" + poolPeak + " MILLIS=" + millis + " MAX_HEAP="
                + Runtime.getRuntime().maxMemory());
        mcf.close();
        System.exit(0);
    }
}
