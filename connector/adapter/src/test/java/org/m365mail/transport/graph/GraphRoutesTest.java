package org.m365mail.transport.graph;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.GraphFaults;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.SandboxDirectory;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Message shapes, routes, senders, throttling and errors on Graph, against the stand-in over HTTPS. */
class GraphRoutesTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-graph-routes");

    private static SentMessage send(MailManagedConnectionFactory mcf, Message message) throws Exception {
        try (MailConnection c = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
            return c.send(message);
        }
    }

    private static SentMessage send(Message message) throws Exception {
        return send(SandboxFactories.factory(SANDBOX.get(), "GRAPH"), message);
    }

    private static MimeMessage message(String subject) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setRecipients(Message.RecipientType.TO, SandboxDefaults.RECIPIENT);
        m.setSubject(subject, "UTF-8");
        return m;
    }

    private static DeliveredMessage only(String subject) {
        List<DeliveredMessage> got = SANDBOX.get().outbox().withSubject(subject);
        assertEquals(1, got.size(), "delivered exactly once: " + subject);
        return got.get(0);
    }

    private static MimeMultipart alternative(String text, String html) throws Exception {
        MimeBodyPart plain = new MimeBodyPart();
        plain.setText(text, "UTF-8");
        MimeBodyPart rich = new MimeBodyPart();
        rich.setContent(html, "text/html; charset=UTF-8");
        return new MimeMultipart("alternative", plain, rich);
    }

    @Test
    void textWithHtmlAlternativeGoesAsMimeAndKeepsBoth() throws Exception {
        MimeMessage m = message("alternatives");
        m.setContent(alternative("plain words", "<p>rich words</p>"));
        m.setRecipients(Message.RecipientType.BCC, "hidden@contoso.test");
        send(m);
        DeliveredMessage got = only("alternatives");
        assertEquals("GRAPH_MIME", got.route());
        assertEquals("plain words", got.textBody().trim());
        assertEquals("<p>rich words</p>", got.htmlBody().trim());
        assertEquals(List.of("hidden@contoso.test"), got.bcc());
    }

    @Test
    void replyHeadersGoAsMimeAndTheApplicationsMessageIdIsKept() throws Exception {
        MimeMessage m = message("Re: order 42");
        m.setText("thanks", "UTF-8");
        m.setHeader("Message-ID", "<reply-1@app.contoso.test>");
        m.setHeader("In-Reply-To", "<order-42@app.contoso.test>");
        m.setHeader("References", "<order-42@app.contoso.test>");
        SentMessage sent = send(m);
        assertEquals("<reply-1@app.contoso.test>", sent.messageId());
        DeliveredMessage got = only("Re: order 42");
        assertEquals("GRAPH_MIME", got.route());
        assertEquals("<reply-1@app.contoso.test>", got.messageId());
        assertEquals("<order-42@app.contoso.test>", got.inReplyTo());
        assertEquals("<order-42@app.contoso.test>", got.references());
    }

    @Test
    void inlineImagesAttachmentsImportanceAndHeadersGoAsJson() throws Exception {
        byte[] png = new byte[3000];
        new Random(1).nextBytes(png);
        byte[] xlsx = new byte[20_000];
        new Random(2).nextBytes(xlsx);
        MimeBodyPart html = new MimeBodyPart();
        html.setContent("<p>Logo: <img src=\"cid:logo@contoso\"></p>", "text/html; charset=UTF-8");
        MimeBodyPart logo = new MimeBodyPart();
        logo.setDataHandler(new DataHandler(new ByteArrayDataSource(png, "image/png")));
        logo.setContentID("<logo@contoso>");
        logo.setDisposition(MimeBodyPart.INLINE);
        logo.setFileName("logo.png");
        MimeMultipart related = new MimeMultipart("related", html, logo);
        MimeBodyPart body = new MimeBodyPart();
        body.setContent(related);
        MimeBodyPart sheet = new MimeBodyPart();
        sheet.setDataHandler(new DataHandler(new ByteArrayDataSource(xlsx,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")));
        sheet.setFileName("Übersicht 2026 – 北京.xlsx");
        MimeMessage m = message("inline and attached");
        m.setContent(new MimeMultipart(body, sheet));
        m.setHeader("X-Priority", "1");
        m.setHeader("X-Case-Number", "C-7");
        m.setReplyTo(new InternetAddress[]{new InternetAddress("desk@contoso.test")});
        send(m);
        DeliveredMessage got = only("inline and attached");
        assertEquals("GRAPH_JSON", got.route());
        assertEquals("high", got.importance());
        assertEquals("C-7", got.headers().get("X-Case-Number"));
        assertFalse(got.headers().containsKey("X-Priority"), "X-Priority travels as importance");
        assertEquals(List.of("desk@contoso.test"), got.replyTo());
        assertTrue(got.htmlBody().contains("cid:logo@contoso"));
        DeliveredMessage.Attachment inline = got.attachments().get(0);
        assertTrue(inline.inline());
        assertEquals("logo@contoso", inline.contentId());
        assertArrayEquals(png, inline.content());
        DeliveredMessage.Attachment attached = got.attachments().get(1);
        assertFalse(attached.inline());
        assertEquals("Übersicht 2026 – 北京.xlsx", attached.name());
        assertEquals("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", attached.contentType());
        assertArrayEquals(xlsx, attached.content());
    }

    @Test
    void saveToSentItemsFalseKeepsTheJsonRoute() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setSaveToSentItems(false);
        MimeMessage m = message("not saved");
        m.setContent(alternative("plain", "<b>rich</b>"));
        m.setHeader("Importance", "low");
        send(mcf, m);
        DeliveredMessage got = only("not saved");
        assertEquals("GRAPH_JSON", got.route());
        assertFalse(got.saveToSentItems());
        assertEquals("<b>rich</b>", got.htmlBody());
        assertEquals("low", got.importance());
    }

    @Test
    void aFromOutsideAllowedFromAddressesIsRefusedBeforeAnyRequest() throws Exception {
        MimeMessage m = message("spoofed");
        m.setText("x");
        m.setFrom(new InternetAddress("ceo@contoso.test"));
        long graphRequests = SANDBOX.get().graphRequests();
        MailSendException e = assertThrows(MailSendException.class, () -> send(m));
        assertEquals("FromNotAllowed", e.getErrorCode());
        assertTrue(e.getMessage().contains("Add the address to allowedFromAddresses"), e.getMessage());
        assertEquals(graphRequests, SANDBOX.get().graphRequests(), "refused before any Graph request");
        assertTrue(SANDBOX.get().outbox().messages().isEmpty());
    }

    @Test
    void anAllowedSharedMailboxIsSentOnBehalfOf() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setAllowedFromAddresses(SandboxDefaults.SHARED_MAILBOX + ", " + SandboxDefaults.RECIPIENT);
        MimeMessage m = message("from the shared mailbox");
        m.setText("hello");
        m.setFrom(new InternetAddress(SandboxDefaults.SHARED_MAILBOX, "Contoso Support"));
        send(mcf, m);
        DeliveredMessage got = only("from the shared mailbox");
        assertEquals(SandboxDefaults.SHARED_MAILBOX, got.from());
        assertEquals(SandboxDefaults.SENDER, got.sender(), "Send on Behalf: the mailbox is the sender");

        MimeMessage denied = message("not on behalf");
        denied.setText("x");
        denied.setFrom(new InternetAddress(SandboxDefaults.RECIPIENT));
        MailSendException e = assertThrows(MailSendException.class, () -> send(mcf, denied));
        assertEquals("ErrorSendAsDenied", e.getErrorCode());
        assertTrue(e.getMessage().contains("Send on Behalf"), e.getMessage());
    }

    @Test
    void throttlingAndUnavailabilityAreRetriedAndTheMessageDeliveredOnce() throws Exception {
        SANDBOX.get().graphFaults().add(GraphFaults.Fault.THROTTLED).add(GraphFaults.Fault.UNAVAILABLE);
        MimeMessage m = message("after faults");
        m.setText("x");
        SentMessage sent = send(m);
        assertEquals(sent.messageId(), only("after faults").messageId());
    }

    @Test
    void aLostAnswerIsNeverFollowedByASecondSend() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setReadTimeoutMillis(500);
        for (GraphFaults.Fault fault : new GraphFaults.Fault[]{GraphFaults.Fault.ANSWER_LOST_AFTER_ACCEPTING,
                GraphFaults.Fault.ANSWER_LATE_AFTER_ACCEPTING}) {
            SANDBOX.get().graphFaults().add(fault);
            MimeMessage m = message("answer lost " + fault);
            m.setText("x");
            MailSendException e = assertThrows(MailSendException.class, () -> send(mcf, m), fault.name());
            assertEquals("OutcomeUnknown", e.getErrorCode(), fault.name());
            String messageId = only("answer lost " + fault).messageId();
            assertTrue(e.getMessage().contains(messageId), "names the message id to look for: " + e.getMessage());
            SANDBOX.awaitIdle(java.time.Duration.ofSeconds(10));
            assertEquals(1, SANDBOX.get().outbox().withSubject("answer lost " + fault).size(), "exactly once");
        }
    }

    @Test
    void anAnswerThatMayFollowATakenMessageIsNotRetried() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setReadTimeoutMillis(500);
        // None of these took the message, but the client cannot know that: it must not send it again.
        for (GraphFaults.Fault fault : new GraphFaults.Fault[]{GraphFaults.Fault.HANG,
                GraphFaults.Fault.DROPPED_BEFORE_READING, GraphFaults.Fault.SERVER_ERROR,
                GraphFaults.Fault.GATEWAY_TIMEOUT}) {
            SANDBOX.get().graphFaults().add(fault);
            MimeMessage m = message("not retried " + fault);
            m.setText("x");
            MailSendException e = assertThrows(MailSendException.class, () -> send(mcf, m), fault.name());
            assertEquals("OutcomeUnknown", e.getErrorCode(), fault.name());
            assertEquals(0, SANDBOX.get().graphFaults().pending(), fault.name());
            assertTrue(SANDBOX.get().outbox().withSubject("not retried " + fault).isEmpty(), fault.name());
        }
        MimeMessage after = message("after the faults");
        after.setText("x");
        send(mcf, after);
        only("after the faults");
    }

    @Test
    void onlyARequestThatProvablyNeverReachedGraphIsSentAgain() {
        assertTrue(GraphRequests.provablyNotSent(new java.net.ConnectException("Connection refused")));
        assertTrue(GraphRequests.provablyNotSent(new java.io.IOException(new java.net.ConnectException("refused"))));
        assertTrue(GraphRequests.provablyNotSent(new java.net.http.HttpConnectTimeoutException("connect timed out")));
        assertFalse(GraphRequests.provablyNotSent(new java.net.http.HttpTimeoutException("request timed out")));
        assertFalse(GraphRequests.provablyNotSent(new java.io.IOException("HTTP/1.1 header parser received no bytes")));
        assertFalse(GraphRequests.provablyNotSent(new java.net.SocketException("Connection reset")));
        java.net.URI base = java.net.URI.create("https://graph.microsoft.com/v1.0/users/a%40b/");
        assertFalse(GraphRequests.repeatable("POST", base.resolve("sendMail")));
        assertFalse(GraphRequests.repeatable("POST", base.resolve("messages/AAA/send")));
        assertFalse(GraphRequests.repeatable("POST", base.resolve("messages")));
        assertFalse(GraphRequests.repeatable("POST", base.resolve("messages/AAA/attachments")));
        assertTrue(GraphRequests.repeatable("POST", base.resolve("messages/AAA/attachments/createUploadSession")));
        assertTrue(GraphRequests.repeatable("DELETE", base.resolve("messages/AAA")));
        assertTrue(GraphRequests.repeatable("GET", base.resolve("messages/AAA")));
    }

    @Test
    void aSharedMailboxCanBeTheSendingMailbox() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setFromAddress(SandboxDefaults.SHARED_MAILBOX);
        mcf.setFromName("Contoso Support");
        MimeMessage m = message("as the shared mailbox");
        m.setText("x");
        send(mcf, m);
        DeliveredMessage got = only("as the shared mailbox");
        assertEquals(SandboxDefaults.SHARED_MAILBOX, got.mailbox());
        assertEquals(SandboxDefaults.SHARED_MAILBOX, got.from());
        assertEquals("Contoso Support", got.fromName());
        assertNull(got.sender());
    }

    @Test
    void aMessageOverTheMailboxSendLimitIsExplained() throws Exception {
        SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow()
                .addMailbox("small@contoso.test", "Small").maxSendSize(100_000);
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setFromAddress("small@contoso.test");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("x");
        MimeMessage m = message("over the send limit");
        m.setContent(new MimeMultipart(text, attachment(random(200_000, 11), "a.bin")));
        MailSendException e = assertThrows(MailSendException.class, () -> send(mcf, m));
        assertEquals("ErrorMessageSizeExceeded", e.getErrorCode());
        assertTrue(e.getMessage().contains("MaxSendSize"), e.getMessage());
    }

    @Test
    void entraAndGraphAreReachedThroughTheConfiguredProxy() throws Exception {
        try (org.m365mail.testing.ConnectProxy proxy = new org.m365mail.testing.ConnectProxy()) {
            MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
            mcf.setHttpProxy("127.0.0.1:" + proxy.port());
            MimeMessage m = message("through the proxy");
            m.setText("x");
            send(mcf, m);
            only("through the proxy");
            String login = SANDBOX.get().authorityUrl().replace("https://", "");
            String graph = SANDBOX.get().graphUrl().replace("https://", "");
            assertTrue(proxy.tunnels().contains(login), "token request tunnelled: " + proxy.tunnels());
            assertTrue(proxy.tunnels().contains(graph), "Graph request tunnelled: " + proxy.tunnels());
        }
    }

    @Test
    void retriesStopAtSendTimeoutWithAClearError() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setSendTimeoutSeconds(1);
        for (int i = 0; i < 20; i++) {
            SANDBOX.get().graphFaults().add(GraphFaults.Fault.THROTTLED);
        }
        MimeMessage m = message("throttled for good");
        m.setText("x");
        MailSendException e = assertThrows(MailSendException.class, () -> send(mcf, m));
        assertEquals("TooManyRequests", e.getErrorCode());
        assertTrue(e.getMessage().contains("sendTimeoutSeconds=1"), e.getMessage());
        assertTrue(e.getMessage().contains(m.getHeader("Message-ID")[0]), "names the message: " + e.getMessage());
        assertTrue(SANDBOX.get().outbox().withSubject("throttled for good").isEmpty());
    }

    @Test
    void noMoreThanFourRequestsAtOnceForOneMailbox() throws Exception {
        try (M365Sandbox slow = M365Sandbox.builder().workDir(Path.of("target/sandbox-graph-slow"))
                .graphLatency(Duration.ofMillis(80)).start()) {
            MailConnectionFactory factory = (MailConnectionFactory) SandboxFactories.factory(slow, "GRAPH")
                    .createConnectionFactory();
            SandboxFactories.sendInParallel(factory, 12, 36, "parallel");
            assertEquals(36, slow.outbox().messages().size());
            assertEquals(0, slow.graphThrottledResponses(), "never over Graph's concurrency limit");
            assertTrue(slow.mostGraphRequestsAtOnce() <= 4, "at most four at once");
            assertTrue(slow.mostGraphRequestsAtOnce() >= 2, "but not one at a time");
        }
    }

    @Test
    void accessPoliciesAndUnlicensedMailboxesAreExplained() throws Exception {
        SandboxDirectory.Tenant tenant = SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow();
        SandboxDirectory.App app = tenant.app(SandboxDefaults.CLIENT_ID).orElseThrow();
        SandboxDirectory.Mailbox mailbox = tenant.mailbox(SandboxDefaults.SENDER).orElseThrow();
        MimeMessage m = message("policy");
        m.setText("x");
        try {
            mailbox.blockApp(app);
            MailSendException e = assertThrows(MailSendException.class, () -> send(m));
            assertEquals("ErrorAccessDenied", e.getErrorCode());
            assertTrue(e.getMessage().contains("application access policy"), e.getMessage());
        } finally {
            mailbox.unblockApp(app);
        }
        try {
            mailbox.restApiEnabled(false);
            MailSendException e = assertThrows(MailSendException.class, () -> send(m));
            assertEquals("MailboxNotEnabledForRESTAPI", e.getErrorCode());
            assertTrue(e.getMessage().contains("Exchange Online licence"), e.getMessage());
        } finally {
            mailbox.restApiEnabled(true);
        }
        MimeMessage bad = message("bad recipient");
        bad.setText("x");
        bad.setRecipients(Message.RecipientType.CC, "not-an-address@nowhere");
        MailSendException e = assertThrows(MailSendException.class, () -> send(bad));
        assertEquals("ErrorInvalidRecipients", e.getErrorCode());
        assertNull(SANDBOX.get().outbox().withSubject("bad recipient").stream().findFirst().orElse(null));
    }

    private static MimeBodyPart attachment(byte[] data, String name) throws Exception {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(data, "application/octet-stream")));
        part.setFileName(name);
        return part;
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static String sha256(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void largeAttachmentsGoThroughADraftAndUploadSessions() throws Exception {
        byte[] big = random(10_500_000, 5);
        byte[] medium = random(3_200_000, 6);
        byte[] small = random(40_000, 7);
        MimeBodyPart text = new MimeBodyPart();
        text.setText("three attachments");
        MimeMessage m = message("large attachments");
        m.setContent(new MimeMultipart(text, attachment(big, "big.bin"), attachment(medium, "medium.bin"),
                attachment(small, "small.bin")));
        m.setRecipients(Message.RecipientType.BCC, "audit@contoso.test");
        SentMessage sent = send(m);
        DeliveredMessage got = only("large attachments");
        assertEquals("GRAPH_DRAFT", got.route());
        assertEquals(sent.messageId(), got.messageId());
        assertEquals(List.of("audit@contoso.test"), got.bcc());
        assertEquals("three attachments", got.textBody());
        assertEquals(3, got.attachments().size());
        java.util.Map<String, String> digests = new java.util.HashMap<>();
        got.attachments().forEach(a -> digests.put(a.name(), a.sha256()));
        assertEquals(sha256(big), digests.get("big.bin"));
        assertEquals(sha256(medium), digests.get("medium.bin"));
        assertEquals(sha256(small), digests.get("small.bin"));
        assertEquals(0, SANDBOX.get().graphDrafts(), "the draft became the sent message");
    }

    @Test
    void manySmallAttachmentsOverTheRequestLimitAlsoGoAsADraft() throws Exception {
        MimeBodyPart text = new MimeBodyPart();
        text.setText("many parts");
        MimeMessage m = message("many small");
        m.setContent(new MimeMultipart(text, attachment(random(1_900_000, 1), "a.bin"),
                attachment(random(1_900_000, 2), "b.bin"), attachment(random(1_900_000, 3), "c.bin")));
        send(m);
        DeliveredMessage got = only("many small");
        assertEquals("GRAPH_DRAFT", got.route());
        assertEquals(3, got.attachments().size());
    }

    @Test
    void aFailedChunkIsSentAgainFromTheOffsetTheSessionReports() throws Exception {
        byte[] big = random(9_000_000, 9);
        MimeBodyPart text = new MimeBodyPart();
        text.setText("resumed");
        MimeMessage m = message("resumed upload");
        m.setContent(new MimeMultipart(text, attachment(big, "big.bin")));
        SANDBOX.get().graphFaults().add(GraphFaults.Fault.UPLOAD_CHUNK_FAILS);
        send(m);
        assertEquals(sha256(big), only("resumed upload").attachments().get(0).sha256());
    }

    @Test
    void aLostAnswerWhileBuildingTheDraftIsANotSentMessageAndOneWhileSendingItIsUnknown() throws Exception {
        MimeBodyPart text = new MimeBodyPart();
        text.setText("draft faults");
        // The draft's creation: its answer lost, the message was not sent (sending it again is safe).
        MimeMessage first = message("draft answer lost");
        first.setContent(new MimeMultipart(text, attachment(random(3_300_000, 11), "big.bin")));
        SANDBOX.get().graphFaults().add(GraphFaults.Fault.ANSWER_LOST_AFTER_ACCEPTING);
        MailSendException e = assertThrows(MailSendException.class, () -> send(first));
        assertEquals("DraftNotConfirmed", e.getErrorCode());
        assertTrue(e.getMessage().contains("not sent"), e.getMessage());
        assertTrue(SANDBOX.get().outbox().withSubject("draft answer lost").isEmpty());
        SANDBOX.get().graphFaults().clear();

        // The draft's send: its answer lost, the outcome is unknown and it is not sent again.
        MimeMessage second = message("draft send answer lost");
        MimeBodyPart text2 = new MimeBodyPart();
        text2.setText("draft faults");
        second.setContent(new MimeMultipart(text2, attachment(random(3_300_000, 12), "big.bin")));
        // Draft, upload session (the chunk PUTs go to the upload URL, past the fault queue), then the send.
        SANDBOX.get().graphFaults().add(GraphFaults.Fault.SLOW).add(GraphFaults.Fault.SLOW)
                .add(GraphFaults.Fault.ANSWER_LOST_AFTER_ACCEPTING);
        MailSendException unknown = assertThrows(MailSendException.class, () -> send(second));
        assertEquals("OutcomeUnknown", unknown.getErrorCode(), unknown.getMessage());
        assertEquals(1, SANDBOX.get().outbox().withSubject("draft send answer lost").size(), "sent exactly once");
    }

    @Test
    void anUploadSessionThatExpiresIsReplacedAndTheAttachmentArrivesWhole() throws Exception {
        byte[] big = random(9_000_000, 13);
        MimeBodyPart text = new MimeBodyPart();
        text.setText("new session");
        MimeMessage m = message("expired upload session");
        m.setContent(new MimeMultipart(text, attachment(big, "big.bin")));
        SANDBOX.get().graphFaults().add(GraphFaults.Fault.UPLOAD_SESSION_EXPIRES);
        int drafts = SANDBOX.get().graphDrafts();
        send(m);
        assertEquals(0, SANDBOX.get().graphFaults().pending(), "the session did expire");
        DeliveredMessage got = only("expired upload session");
        assertEquals(1, got.attachments().size());
        assertEquals(sha256(big), got.attachments().get(0).sha256());
        assertEquals(drafts, SANDBOX.get().graphDrafts(), "the draft became the sent message");
    }

    @Test
    void withoutMailReadWriteTheErrorSaysSoAndNothingIsLeftBehind() throws Exception {
        SandboxDirectory.App app = SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow()
                .app(SandboxDefaults.CLIENT_ID).orElseThrow();
        MimeBodyPart text = new MimeBodyPart();
        text.setText("x");
        MimeMessage m = message("needs read write");
        m.setContent(new MimeMultipart(text, attachment(random(3_500_000, 4), "big.bin")));
        app.revoke(SandboxDirectory.Resource.GRAPH, "Mail.ReadWrite");
        try {
            MailSendException e = assertThrows(MailSendException.class, () -> send(m));
            assertTrue(e.getMessage().contains("Mail.ReadWrite"), e.getMessage());
        } finally {
            app.grant(SandboxDirectory.Resource.GRAPH, "Mail.ReadWrite");
        }
        assertTrue(SANDBOX.get().outbox().withSubject("needs read write").isEmpty());
        assertEquals(0, SANDBOX.get().graphDrafts());
    }

    /**
     * The upload address Graph hands out is where the attachment goes: one that is not https, or not on a Microsoft
     * host of the cloud (here: not on this machine, where the stand-in's graphUrl is), is refused, and the draft
     * deleted.
     */
    @Test
    void anUploadAddressOffMicrosoftsHostsGetsNoAttachment() throws Exception {
        int port = URI.create(SANDBOX.get().graphUrl()).getPort();
        for (String base : new String[]{"https://uploads.attacker.invalid:" + port, "http://localhost:" + port}) {
            MimeBodyPart text = new MimeBodyPart();
            text.setText("x");
            MimeMessage m = message("upload to " + base);
            m.setContent(new MimeMultipart(text, attachment(random(3_200_000, 5), "big.bin")));
            SANDBOX.get().uploadUrlBase(base);
            try {
                MailSendException e = assertThrows(MailSendException.class, () -> send(m));
                assertEquals("UntrustedUploadUrl", e.getErrorCode(), e.getMessage());
                assertTrue(e.getMessage().contains("was not sent"), e.getMessage());
            } finally {
                SANDBOX.get().uploadUrlBase(null);
            }
            assertEquals(0, SANDBOX.get().graphDrafts(), "the draft was deleted");
            assertTrue(SANDBOX.get().outbox().withSubject("upload to " + base).isEmpty());
        }
    }

    @Test
    void aFailureAfterTheDraftWasCreatedDeletesTheDraft() throws Exception {
        Path huge = Path.of("target/huge-sparse.bin");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(151L * 1024 * 1024);
        }
        MimeBodyPart text = new MimeBodyPart();
        text.setText("x");
        MimeBodyPart file = new MimeBodyPart();
        file.attachFile(huge.toFile());
        MimeMessage m = message("too large for graph");
        m.setContent(new MimeMultipart(text, attachment(random(3_100_000, 8), "fine.bin"), file));
        // A mailbox whose MaxSendSize was raised past Graph's 150 MB per attachment.
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setMaxMessageBytes(400L * 1024 * 1024);
        MailSendException e = assertThrows(MailSendException.class, () -> send(mcf, m));
        assertEquals("AttachmentTooLarge", e.getErrorCode());
        assertEquals(0, SANDBOX.get().graphDrafts(), "no orphan draft");
        assertTrue(SANDBOX.get().outbox().withSubject("too large for graph").isEmpty());
        java.nio.file.Files.deleteIfExists(huge);
    }

    @Test
    void aCloudWithoutUploadSessionsRefusesLargeAttachmentsBeforeSending() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setCloud("US_GOV");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("x");
        MimeMessage m = message("gov large");
        m.setContent(new MimeMultipart(text, attachment(random(3_500_000, 3), "big.bin")));
        long graphRequests = SANDBOX.get().graphRequests();
        MailSendException e = assertThrows(MailSendException.class, () -> send(mcf, m));
        assertEquals("UploadSessionsUnavailable", e.getErrorCode());
        assertTrue(e.getMessage().contains("US_GOV"), e.getMessage());
        assertEquals(graphRequests, SANDBOX.get().graphRequests(), "refused before any Graph request");
    }
}
