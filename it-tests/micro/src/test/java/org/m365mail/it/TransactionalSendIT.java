package org.m365mail.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.M365Sandbox;

import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mail that follows the application's transaction, in Payara Micro: an EJB saves an order and mails its
 * confirmation in one container-managed transaction. A commit sends the mail (held in memory until then on
 * mail/Office365; written to the outbox in the same transaction as the order on mail/Outbox); {@code setRollbackOnly}
 * or a system exception sends nothing and saves no order. Outside a transaction a send is immediate, and
 * {@code sendAsync} completes on the server's managed threads.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TransactionalSendIT {

    private static M365Sandbox sandbox;
    /** Tells this run's orders from an earlier run's in the outbox's database (a file kept between local runs). */
    private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive application() throws Exception {
        sandbox = SandboxEndpoints.startSandbox();
        return ShrinkWrap.create(WebArchive.class, "tx-it.war").addClasses(OrderBean.class, TransactionServlet.class);
    }

    @AfterAll
    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private String[] post(String action, String factory, String subject) throws Exception {
        return postExactly(action, factory, subject + " " + RUN);
    }

    private String[] postExactly(String action, String factory, String subject) throws Exception {
        String form = "action=" + enc(action) + "&factory=" + enc(factory) + "&subject=" + enc(subject);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base.toString()).resolve("/tx-it/tx"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body().split("\n");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Optional<DeliveredMessage> arrival(String subject, Duration wait) throws InterruptedException {
        return sandbox.outbox().await(m -> (subject + " " + RUN).equals(m.subject()), wait);
    }

    private static java.util.List<DeliveredMessage> arrived(String subject) {
        return sandbox.outbox().withSubject(subject + " " + RUN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mail/Office365", "mail/Outbox"})
    void aCommittedOrderMailsItsConfirmationOnce(String factory) throws Exception {
        String subject = "IT order committed via " + factory;
        String[] answer = post("commit", factory, subject);
        assertEquals(factory.equals("mail/Outbox") ? "IN_OUTBOX" : "AFTER_COMMIT", answer[0]);
        assertEquals("true", answer[2], "the order was saved");
        DeliveredMessage mail = arrival(subject, Duration.ofSeconds(30)).orElseThrow();
        assertEquals(answer[1], mail.messageId(), "the Message-ID send() returned before the commit");
        Thread.sleep(1500);
        assertEquals(1, arrived(subject).size(), "sent once");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mail/Office365", "mail/Outbox"})
    void aRolledBackOrderMailsNothing(String factory) throws Exception {
        String marked = "IT order rollback-only via " + factory;
        String[] afterMark = post("rollback-only", factory, marked);
        assertEquals("false", afterMark[2], "the order was not saved");
        String failed = "IT order failed via " + factory;
        String[] afterException = post("exception", factory, failed);
        assertEquals("ROLLED_BACK", afterException[0]);
        assertEquals("false", afterException[2]);
        // A committed order afterwards arrives: had the rolled-back mails been sent, they would be there by now.
        String control = "IT order after the rollbacks via " + factory;
        post("commit", factory, control);
        assertTrue(arrival(control, Duration.ofSeconds(30)).isPresent());
        Thread.sleep(1500);
        assertTrue(arrived(marked).isEmpty(), "setRollbackOnly: nothing sent");
        assertTrue(arrived(failed).isEmpty(), "system exception: nothing sent");
    }

    @Test
    void outsideATransactionASendIsImmediate() throws Exception {
        String subject = "IT no transaction";
        String[] answer = post("outside", "mail/Office365", subject);
        assertEquals("ACCEPTED", answer[0]);
        assertNotEquals("null", answer[2], "the service's reference: Microsoft 365 answered before send returned");
        assertEquals(answer[1], arrived(subject).get(0).messageId(), "already there");
    }

    @Test
    void sendAsyncCompletesWithTheMessageIdOnTheServersManagedThreads() throws Exception {
        String subject = "IT async";
        // A slow answer, so the stage completes where the send ran, not on the asking thread.
        sandbox.graphFaults().add(org.m365mail.sandbox.GraphFaults.Fault.SLOW);
        String[] answer = post("async", "mail/Office365", subject);
        String messageId = answer[0];
        String completedOn = answer[1];
        String askedOn = answer[2];
        assertEquals(messageId, arrival(subject, Duration.ofSeconds(30)).orElseThrow().messageId());
        assertNotEquals(askedOn, completedOn, "not on the caller's thread");
        assertFalse(completedOn.startsWith("m365-mail-"), "on the server's work manager, not the connector's own "
                + "threads: " + completedOn);
    }

    @Test
    void theOutboxCountsWhatItDelivered() throws Exception {
        post("commit", "mail/Outbox", "IT outbox counted");
        assertTrue(arrival("IT outbox counted", Duration.ofSeconds(30)).isPresent());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String[] counts = postExactly("counts", "mail/Outbox", "-")[0].split(" ");
        while (!"0".equals(counts[0]) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            counts = postExactly("counts", "mail/Outbox", "-")[0].split(" ");
        }
        assertEquals("0", counts[0], "none waiting");
        assertTrue(Long.parseLong(counts[1]) >= 1, "delivered counted");
        assertEquals("0", counts[2], "none failed");
    }
}
