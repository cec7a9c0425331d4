package org.m365mail.bench;

import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.SentMessage;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

/**
 * JMH: the time of one send, building the message and handing it over, on one thread, through the connector
 * (non-managed, pooled) and through raw Angus Mail on a Transport kept open. Both talk to the same stand-in in the
 * same JVM over the same kind of connection, so the difference between the two is what the connector adds on top of
 * the I/O; JMH's GC profiler adds the bytes each allocates per send.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PerSendCost {

    private M365Sandbox sandbox;
    private MailManagedConnectionFactory mcf;
    private MailConnectionFactory connector;
    private Session session;
    private Session appSession;
    private Transport raw;

    @Setup(org.openjdk.jmh.annotations.Level.Trial)
    public void start() throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(Level.WARNING);
        java.util.logging.Logger.getLogger("org.m365mail").setLevel(Level.WARNING);
        sandbox = M365Sandbox.builder().workDir(Path.of(System.getProperty("bench.workDir", "target/bench/jmh")))
                .exchangeLimits(false).start();
        SandboxClients clients = new SandboxClients(sandbox);
        mcf = clients.connector("SMTP");
        mcf.setMessagesPerMinute(0);
        mcf.setSmtpMaxConcurrentSends(0);
        connector = (MailConnectionFactory) mcf.createConnectionFactory();
        session = clients.smtpSession();
        appSession = Session.getInstance(new java.util.Properties());
        raw = session.getTransport("smtp");
        raw.connect(sandbox.smtpHost(), sandbox.smtpPort(), SandboxDefaults.SENDER,
                clients.token("https://outlook.office365.com/.default"));
    }

    @TearDown(org.openjdk.jmh.annotations.Level.Iteration)
    public void emptyOutbox() {
        // The stand-in keeps what it received; a long run would otherwise measure its growing heap.
        sandbox.outbox().clear();
    }

    @TearDown(org.openjdk.jmh.annotations.Level.Trial)
    public void stop() throws Exception {
        raw.close();
        mcf.close();
        sandbox.close();
    }

    /** The message built as raw Angus's is, on an application's own Session. */
    @Benchmark
    public SentMessage connector() throws Exception {
        try (MailConnection c = connector.getConnection()) {
            return c.send(SandboxClients.message(appSession, "jmh connector"));
        }
    }

    /**
     * The message built on no Session, as the factory's Javadoc example does: Jakarta Mail 2.1 then looks its stream
     * provider up anew for more of the encoding (jakartaee/mail-api#861), whoever sends the message.
     */
    @Benchmark
    public SentMessage connectorNoSession() throws Exception {
        try (MailConnection c = connector.getConnection()) {
            return c.send(SandboxClients.message(null, "jmh connector"));
        }
    }

    @Benchmark
    public MimeMessage rawAngus() throws Exception {
        MimeMessage m = SandboxClients.message(session, "jmh raw");
        raw.sendMessage(m, m.getAllRecipients());
        return m;
    }
}
