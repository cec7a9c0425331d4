package org.m365mail.reliability;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.TokenFaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.StandaloneAdapter;
import org.m365mail.testing.SandboxFactories;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Entra ID failing while a token is needed: a passing failure is ridden out, a lasting one fails the send with the
 * authority named, before anything is sent, within the configured timeouts; the next send after it recovers works.
 */
class TokenEndpointFaultsTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-token-faults");

    @RegisterExtension
    final StandaloneAdapter adapter = new StandaloneAdapter();

    private MailConnectionFactory factory(String transport) throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), transport);
        mcf.setConnectTimeoutMillis(1000);
        mcf.setReadTimeoutMillis(1000);
        adapter.attach(mcf);
        return (MailConnectionFactory) mcf.createConnectionFactory();
    }

    private static void send(MailConnectionFactory factory, String subject) throws Exception {
        try (MailConnection c = factory.getConnection()) {
            c.send(SandboxFactories.textMessage(subject, "x"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void aPassingOutageOfEntraIsRiddenOut(String transport) throws Exception {
        SANDBOX.get().tokenFaults().add(TokenFaults.Fault.UNAVAILABLE);
        send(factory(transport), "after 503 " + transport);
        assertEquals(0, SANDBOX.get().tokenFaults().pending(), "the fault was met");
        assertEquals(1, SANDBOX.get().outbox().withSubject("after 503 " + transport).size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void aLastingOutageFailsBeforeSendingNamesTheAuthorityAndPassesOnceEntraIsBack(String transport)
            throws Exception {
        MailConnectionFactory factory = factory(transport);
        for (int i = 0; i < 6; i++) {
            SANDBOX.get().tokenFaults().add(TokenFaults.Fault.SERVER_ERROR);
        }
        long graphBefore = SANDBOX.get().graphRequests();
        int mailBefore = SANDBOX.get().smtpCommands("MAIL");
        long started = System.nanoTime();
        Exception e = assertThrows(Exception.class, () -> send(factory, "during 500 " + transport));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        String text = e.getMessage();
        assertTrue(text.contains("Entra ID") && text.contains(SANDBOX.get().authorityUrl()), text);
        assertTrue(text.contains("500") || text.contains("server_error"), "says what Entra answered: " + text);
        assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "took " + took);
        assertEquals(graphBefore, SANDBOX.get().graphRequests(), "nothing sent without a token");
        assertEquals(mailBefore, SANDBOX.get().smtpCommands("MAIL"));
        assertTrue(SANDBOX.get().outbox().withSubject("during 500 " + transport).isEmpty());

        SANDBOX.get().tokenFaults().clear();
        send(factory, "after recovery " + transport);
        assertEquals(1, SANDBOX.get().outbox().withSubject("after recovery " + transport).size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GRAPH", "SMTP"})
    void aTokenAnswerSlowerThanTheReadTimeoutFailsWithinItOrIsRetried(String transport) throws Exception {
        MailConnectionFactory factory = factory(transport);
        for (int i = 0; i < 6; i++) {
            SANDBOX.get().tokenFaults().add(TokenFaults.Fault.SLOW);
        }
        long started = System.nanoTime();
        MailSendException e = assertThrows(MailSendException.class, () -> send(factory, "slow entra " + transport));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertEquals("EntraUnreachable", e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("authorityUrl"), e.getMessage());
        // Each attempt is cut at the 1 s read timeout, not at the stand-in's 2 s.
        assertTrue(took.compareTo(Duration.ofSeconds(12)) < 0, "took " + took);
        assertTrue(SANDBOX.get().outbox().withSubject("slow entra " + transport).isEmpty());
    }
}
