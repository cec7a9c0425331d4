package org.m365mail.outbox;

import jakarta.activation.DataHandler;
import jakarta.activation.FileDataSource;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailOutbox;
import org.m365mail.api.OutboxCounts;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.ra.MailResourceAdapter;
import org.m365mail.sandbox.SandboxDefaults;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.File;
import java.sql.Connection;
import java.util.Properties;

/**
 * A "server" for the outbox's process tests, run in a JVM of its own so that it can be killed ({@code kill -9}) or
 * given a small heap: the resource adapter, standalone, with one connection factory whose outbox is a PostgreSQL
 * database, sending to the stand-in of the test that started it.
 *
 * <p>Arguments: {@code mode jdbcUrl authorityUrl graphUrl trustStore trustStorePassword [n | file]}; modes:
 * {@code write N} (commits N messages "crash i" in transactions of 20, prints {@code COMMITTED N}, delivers until
 * killed), {@code deliver} (delivers until killed), {@code large FILE} (commits one message with FILE attached,
 * prints {@code DELIVERED} once it is delivered, and exits).
 */
public final class OutboxProcess {

    private OutboxProcess() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(args[1]);
        try (MailResourceAdapter adapter = MailResourceAdapter.standalone()) {
            MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
            mcf.setTransport("GRAPH");
            mcf.setTenantId(SandboxDefaults.TENANT_ID);
            mcf.setClientId(SandboxDefaults.CLIENT_ID);
            mcf.setClientSecret(SandboxDefaults.CLIENT_SECRET);
            mcf.setAuthorityUrl(args[2]);
            mcf.setGraphUrl(args[3]);
            mcf.setTrustStorePath(args[4]);
            mcf.setTrustStorePassword(args[5]);
            mcf.setFromAddress(SandboxDefaults.SENDER);
            mcf.setMessagesPerMinute(0);
            // A short send timeout, so a killed instance's claims expire soon (the lease is the timeout + 15 s).
            mcf.setSendTimeoutSeconds(5);
            mcf.setMaxMessageBytes(150L * 1024 * 1024);
            mcf.useOutbox(ds);
            mcf.setResourceAdapter(adapter);
            MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
            MailOutbox outbox = factory.outbox().orElseThrow();
            switch (mode) {
                case "write" -> {
                    int n = Integer.parseInt(args[6]);
                    for (int i = 0; i < n; i += 20) {
                        try (Connection c = ds.getConnection()) {
                            c.setAutoCommit(false);
                            for (int j = i; j < Math.min(n, i + 20); j++) {
                                outbox.enqueue(c, text("crash " + j));
                            }
                            c.commit();
                        }
                    }
                    say("COMMITTED " + n);
                    Thread.sleep(Long.MAX_VALUE);
                }
                case "deliver" -> {
                    say("DELIVERING");
                    Thread.sleep(Long.MAX_VALUE);
                }
                case "large" -> {
                    MimeMessage message = text("large through the outbox");
                    MimeBodyPart body = new MimeBodyPart();
                    body.setText("50 MB attached", "UTF-8");
                    MimeBodyPart attachment = new MimeBodyPart();
                    attachment.setDataHandler(new DataHandler(new FileDataSource(new File(args[6]))));
                    attachment.setFileName("large.bin");
                    message.setContent(new MimeMultipart(body, attachment));
                    try (Connection c = ds.getConnection()) {
                        c.setAutoCommit(false);
                        outbox.enqueue(c, message);
                        c.commit();
                    }
                    long deadline = System.nanoTime() + 300_000_000_000L;
                    while (System.nanoTime() < deadline) {
                        OutboxCounts counts = outbox.counts();
                        if (counts.delivered() == 1) {
                            Runtime rt = Runtime.getRuntime();
                            say("DELIVERED maxHeap=" + rt.maxMemory() + " used=" + (rt.totalMemory() - rt.freeMemory()));
                            return;
                        }
                        if (counts.failed() > 0) {
                            say("FAILED " + outbox.entries(org.m365mail.api.OutboxEntry.State.FAILED, 1));
                            System.exit(2);
                        }
                        Thread.sleep(200);
                    }
                    say("TIMEOUT");
                    System.exit(3);
                }
                default -> throw new IllegalArgumentException(mode);
            }
        }
    }

    private static MimeMessage text(String subject) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setRecipients(Message.RecipientType.TO, SandboxDefaults.RECIPIENT);
        m.setSubject(subject, "UTF-8");
        m.setText(subject, "UTF-8");
        return m;
    }

    /** A line for the test that started this process (its only way to hear from it). */
    @SuppressWarnings("java:S106")
    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
