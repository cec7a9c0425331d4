package org.m365mail.transport.graph;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.GraphFaults;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The draft-and-upload-session route chunk by chunk: how a failed, unanswered or lost chunk is resumed (from the
 * offset the session reports, out of the chunk buffer, without reading the attachment again), when a session is
 * replaced and when the send gives up, and that a draft is never left behind when an attachment cannot be read.
 * Upload URLs lead through an {@link UploadHost} that records each request and meets the troubles a test queues.
 */
class LargeMessageUploadTest {

    private static final ConnectorRuntime RUNTIME = new ConnectorRuntime("large-upload-test");
    /** Two full chunks and a part of a third. */
    private static final long THREE_CHUNKS = 2L * LargeMessageUpload.CHUNK + 4321;
    private static final Path FILES = Path.of("target/large-upload-test");

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-large-upload");

    private UploadHost host;

    @BeforeEach
    void routeUploadsThroughTheHost() throws Exception {
        host = new UploadHost(SANDBOX.get());
        SANDBOX.get().uploadUrlBase(host.base());
    }

    @AfterEach
    void stopTheHost() {
        SANDBOX.get().uploadUrlBase(null);
        host.close();
    }

    @AfterAll
    static void stopThreadsAndRemoveFiles() throws Exception {
        RUNTIME.close();
        if (Files.isDirectory(FILES)) {
            try (var files = Files.list(FILES)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static MailManagedConnectionFactory factory() {
        return SandboxFactories.factory(SANDBOX.get(), "GRAPH");
    }

    private static DirectGraph graph(Consumer<MailManagedConnectionFactory> settings) throws Exception {
        MailManagedConnectionFactory mcf = factory();
        settings.accept(mcf);
        return new DirectGraph(RUNTIME, mcf);
    }

    private static DirectGraph graph() throws Exception {
        return graph(mcf -> { });
    }

    /** A file of {@code size} random bytes (the same for the same name); its SHA-256. */
    private static String file(String name, long size) throws Exception {
        Files.createDirectories(FILES);
        return LargeAttachmentHeapTest.randomFile(FILES.resolve(name), size);
    }

    private static CountingFileSource source(String name) {
        return new CountingFileSource(FILES.resolve(name).toFile());
    }

    private static MimeMessage message(String subject, CountingFileSource... attachments) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setRecipients(Message.RecipientType.TO, SandboxDefaults.RECIPIENT);
        m.setSubject(subject);
        MimeBodyPart text = new MimeBodyPart();
        text.setText("see attached");
        MimeMultipart content = new MimeMultipart(text);
        for (CountingFileSource a : attachments) {
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(a));
            part.setFileName(a.getFile().getName());
            content.addBodyPart(part);
        }
        m.setContent(content);
        return m;
    }

    private static DeliveredMessage only(String subject) {
        List<DeliveredMessage> got = SANDBOX.get().outbox().withSubject(subject);
        assertEquals(1, got.size(), "delivered exactly once: " + subject);
        return got.get(0);
    }

    /** How often a send that meets no trouble opens the attachment: once to upload it, and what reading it takes. */
    private int opensOfATroubleFreeSend(String name) throws Exception {
        CountingFileSource clean = source(name);
        graph().transport.send(message("trouble-free " + name, clean));
        assertEquals(clean.opened.get(), clean.closed.get(), "every stream on the attachment closed");
        return clean.opened.get();
    }

    /** The PUTs were one upload session's, each starting where the one before ended, up to the last byte. */
    private void assertOneSessionContiguousTo(long size) {
        List<UploadHost.Seen> puts = host.seen("PUT");
        assertEquals(1, puts.stream().map(UploadHost.Seen::session).distinct().count(), "one session: " + puts);
        assertEquals(0, puts.get(0).start());
        assertEquals(size - 1, puts.get(puts.size() - 1).end(), puts.toString());
    }

    @Test
    void aChunkStoredInPartIsCompletedFromTheBufferWithoutReadingTheAttachmentAgain() throws Exception {
        String sha = file("part-stored.bin", THREE_CHUNKS);
        int cleanOpens = opensOfATroubleFreeSend("part-stored.bin");
        SANDBOX.get().graphFaults().add(GraphFaults.Fault.UPLOAD_CHUNK_FAILS); // half the first chunk kept, then 500
        CountingFileSource attachment = source("part-stored.bin");
        DirectGraph graph = graph();
        graph.transport.send(message("part stored", attachment));

        assertEquals(sha, only("part stored").attachments().get(0).sha256());
        List<UploadHost.Seen> puts = host.seen("PUT").subList(host.seen("PUT").size() - 4, host.seen("PUT").size());
        UploadHost.Seen failed = puts.get(0);
        UploadHost.Seen rest = puts.get(1);
        assertTrue(rest.start() > failed.start() && rest.start() < failed.end(), "resumed inside the chunk: " + puts);
        assertEquals(failed.end(), rest.end(), "only the rest of the failed chunk went again: " + puts);
        assertEquals(rest.end() + 1, puts.get(2).start(), puts.toString());
        assertEquals(LargeMessageUpload.CHUNK, puts.get(2).end() - puts.get(2).start() + 1, "a whole chunk next");
        assertEquals(THREE_CHUNKS - 1, puts.get(3).end());
        assertEquals(1, puts.stream().map(UploadHost.Seen::session).distinct().count(), "one session: " + puts);
        assertEquals(1, graph.retries.get(), "the failed chunk counts as a retry");
        assertEquals(cleanOpens, attachment.opened.get(), "the attachment was not read again");
        assertEquals(attachment.opened.get(), attachment.closed.get(), "every stream on the attachment closed");
    }

    @Test
    void aChunkNothingOfWhichWasStoredIsSentAgainWholeFromTheBuffer() throws Exception {
        String sha = file("nothing-stored.bin", THREE_CHUNKS);
        int cleanOpens = opensOfATroubleFreeSend("nothing-stored.bin");
        int before = host.seen("PUT").size();
        host.puts(UploadHost.Trouble.NONE, UploadHost.Trouble.UNAVAILABLE);
        CountingFileSource attachment = source("nothing-stored.bin");
        graph().transport.send(message("nothing stored", attachment));

        assertEquals(sha, only("nothing stored").attachments().get(0).sha256());
        List<UploadHost.Seen> puts = host.seen("PUT").subList(before, host.seen("PUT").size());
        assertEquals(4, puts.size(), puts.toString());
        assertEquals(puts.get(1).range(), puts.get(2).range(), "the refused chunk went again whole");
        assertEquals(cleanOpens, attachment.opened.get(), "the attachment was not read again");
        assertEquals(attachment.opened.get(), attachment.closed.get(), "every stream on the attachment closed");
    }

    @Test
    void aChunkStoredWhoseAnswerWasLostIsNotSentAgain() throws Exception {
        String sha = file("answer-lost.bin", THREE_CHUNKS);
        host.puts(UploadHost.Trouble.ANSWER_LOST);
        graph().transport.send(message("chunk answer lost", source("answer-lost.bin")));

        assertEquals(sha, only("chunk answer lost").attachments().get(0).sha256());
        List<UploadHost.Seen> puts = host.seen("PUT");
        assertEquals(3, puts.size(), "no chunk twice: " + puts);
        assertEquals(1, host.seen("GET").size(), "where to go on was asked once");
        assertOneSessionContiguousTo(THREE_CHUNKS);
    }

    /**
     * When the session's status cannot be had (an error, an answer without nextExpectedRanges, one that is not JSON),
     * the chunk goes again from where it started: the bytes before it were confirmed.
     */
    @Test
    void whenTheSessionCannotSayWhereItStandsTheChunkGoesAgainFromItsStart() throws Exception {
        String sha = file("no-status.bin", THREE_CHUNKS);
        UploadHost.Trouble[] answers = {UploadHost.Trouble.UNAVAILABLE, UploadHost.Trouble.NO_RANGES,
                UploadHost.Trouble.GARBLED};
        for (UploadHost.Trouble answer : answers) {
            int before = host.seen("PUT").size();
            host.puts(UploadHost.Trouble.NONE, UploadHost.Trouble.UNAVAILABLE).gets(answer);
            graph().transport.send(message("no status " + answer, source("no-status.bin")));

            assertEquals(sha, only("no status " + answer).attachments().get(0).sha256(), answer.name());
            List<UploadHost.Seen> puts = host.seen("PUT").subList(before, host.seen("PUT").size());
            assertEquals(4, puts.size(), answer + ": " + puts);
            assertEquals(puts.get(1).range(), puts.get(2).range(), answer + ": the chunk went again from its start");
        }
    }

    @Test
    void aSessionFoundGoneWhileResumingIsReplacedAndNotUsedAgain() throws Exception {
        String sha = file("session-gone.bin", THREE_CHUNKS);
        host.puts(UploadHost.Trouble.NONE, UploadHost.Trouble.UNAVAILABLE).gets(UploadHost.Trouble.SESSION_GONE);
        graph().transport.send(message("session gone", source("session-gone.bin")));

        assertEquals(sha, only("session gone").attachments().get(0).sha256());
        List<UploadHost.Seen> seen = host.seen();
        String first = seen.get(0).session();
        int gone = seen.indexOf(seen.stream().filter(s -> s.trouble() == UploadHost.Trouble.SESSION_GONE)
                .findFirst().orElseThrow());
        assertTrue(seen.subList(gone + 1, seen.size()).stream().noneMatch(s -> s.session().equals(first)),
                "nothing more to the vanished session: " + seen);
        List<UploadHost.Seen> after = seen.subList(gone + 1, seen.size());
        assertEquals(0, after.get(0).start(), "the new session takes the attachment from its start");
        assertEquals(THREE_CHUNKS - 1, after.get(after.size() - 1).end());
        assertEquals(0, SANDBOX.get().graphDrafts(), "the draft became the sent message");
    }

    @Test
    void anUploadSessionThatExpiresThreeTimesEndsTheSendAndDeletesTheDraft() throws Exception {
        file("expires.bin", LargeMessageUpload.CHUNK + 1000L);
        for (int i = 0; i < LargeMessageUpload.MAX_SESSIONS; i++) {
            SANDBOX.get().graphFaults().add(GraphFaults.Fault.UPLOAD_SESSION_EXPIRES);
        }
        MimeMessage m = message("expires thrice", source("expires.bin"));
        MailSendException e = assertThrows(MailSendException.class, () -> graph().transport.send(m));
        assertEquals("UploadFailed", e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("expired " + LargeMessageUpload.MAX_SESSIONS + " times"), e.getMessage());
        assertEquals(0, SANDBOX.get().graphFaults().pending(), "every session expired");
        assertEquals(LargeMessageUpload.MAX_SESSIONS,
                host.seen("PUT").stream().map(UploadHost.Seen::session).distinct().count());
        assertEquals(0, SANDBOX.get().graphDrafts(), "the draft was deleted");
        assertTrue(SANDBOX.get().outbox().withSubject("expires thrice").isEmpty());
    }

    @Test
    void chunksThatNeverGetAnAnswerFailTheSendAtSendTimeoutSayingSo() throws Exception {
        file("unanswered.bin", LargeMessageUpload.CHUNK + 1000L);
        for (int i = 0; i < 20; i++) {
            host.puts(UploadHost.Trouble.DROPPED);
        }
        MimeMessage m = message("unanswered", source("unanswered.bin"));
        DirectGraph graph = graph(mcf -> mcf.setSendTimeoutSeconds(2));
        MailSendException e = assertThrows(MailSendException.class, () -> graph.transport.send(m));
        assertEquals("UploadFailed", e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("(no answer at byte 0 of " + (LargeMessageUpload.CHUNK + 1000L) + ")"),
                e.getMessage());
        assertTrue(e.getMessage().contains("sendTimeoutSeconds=2"), e.getMessage());
        assertTrue(graph.retries.get() >= 1, "retried before giving up");
        assertEquals(0, SANDBOX.get().graphDrafts(), "the draft was deleted");
    }

    @Test
    void anAttachmentThatEndsEarlierThanItsSizeFailsAsChangedAndDeletesTheDraft() throws Exception {
        file("shrinks.bin", THREE_CHUNKS);
        CountingFileSource attachment = source("shrinks.bin").breakAfter(LargeMessageUpload.CHUNK + 100L,
                CountingFileSource.Breakage.ENDS);
        MimeMessage m = message("shrinks", attachment);
        DirectGraph graph = graph(mcf -> mcf.setSendTimeoutSeconds(3));
        MailSendException e = assertThrows(MailSendException.class, () -> graph.transport.send(m));
        assertEquals("AttachmentChanged", e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("ended after " + (LargeMessageUpload.CHUNK + 100L) + " of " + THREE_CHUNKS),
                e.getMessage());
        assertEquals(0, SANDBOX.get().graphDrafts(), "the draft was deleted");
        assertEquals(attachment.opened.get(), attachment.closed.get(), "every stream on the attachment closed");
    }

    @Test
    void anAttachmentThatCannotBeReadWhileUploadingLeavesNoDraft() throws Exception {
        file("unreadable.bin", THREE_CHUNKS);
        MimeMessage io = message("unreadable", source("unreadable.bin").breakAfter(LargeMessageUpload.CHUNK + 100L,
                CountingFileSource.Breakage.IO_EXCEPTION));
        MailSendException e = assertThrows(MailSendException.class, () -> graph().transport.send(io));
        assertTrue(e.getMessage().startsWith("Cannot read an attachment of message"), e.getMessage());
        assertTrue(e.getMessage().contains("the disk went away"), e.getMessage());
        assertEquals(0, SANDBOX.get().graphDrafts(), "the draft was deleted");

        MimeMessage failing = message("store failed", source("unreadable.bin").breakAfter(
                LargeMessageUpload.CHUNK + 100L, CountingFileSource.Breakage.RUNTIME_EXCEPTION));
        java.io.UncheckedIOException thrown = assertThrows(java.io.UncheckedIOException.class,
                () -> graph().transport.send(failing));
        assertTrue(thrown.getMessage().contains("the attachment's store failed"), thrown.getMessage());
        assertEquals(0, SANDBOX.get().graphDrafts(), "the draft was deleted");
        assertTrue(SANDBOX.get().outbox().messages().isEmpty());
    }

    /**
     * Graph takes attachments up to 150 MB (inclusive) through upload sessions. The upload address is made one the
     * connector refuses, so that the 150 MB (a sparse file) need not travel: getting that far proves the size passed.
     */
    @Test
    void anAttachmentOfExactly150MegabytesIsTakenAndOneByteMoreIsNot() throws Exception {
        Files.createDirectories(FILES);
        int port = URI.create(SANDBOX.get().graphUrl()).getPort();
        SANDBOX.get().uploadUrlBase("https://uploads.elsewhere.invalid:" + port);
        for (long size : new long[]{LargeMessageUpload.MAX_ATTACHMENT, LargeMessageUpload.MAX_ATTACHMENT + 1}) {
            Path sparse = FILES.resolve("sparse-" + size + ".bin");
            try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
                f.setLength(size);
            }
            try {
                MimeMessage m = message("sparse " + size, new CountingFileSource(sparse.toFile()));
                DirectGraph graph = graph(mcf -> mcf.setMaxMessageBytes(400L * 1024 * 1024));
                MailSendException e = assertThrows(MailSendException.class, () -> graph.transport.send(m));
                assertEquals(size > LargeMessageUpload.MAX_ATTACHMENT ? "AttachmentTooLarge" : "UntrustedUploadUrl",
                        e.getErrorCode(), size + ": " + e.getMessage());
                assertEquals(0, SANDBOX.get().graphDrafts(), "the draft was deleted");
            } finally {
                Files.deleteIfExists(sparse);
            }
        }
    }

    /**
     * An attachment of exactly 3 MB goes through an upload session, read once as it is streamed: never loaded whole
     * for a JSON request first. The send returns the message's id.
     */
    @Test
    void anAttachmentOfExactlyThreeMegabytesIsStreamedThroughAnUploadSession() throws Exception {
        String sha = file("three-mb.bin", LargeMessageUpload.LARGE);
        CountingFileSource attachment = source("three-mb.bin");
        SentMessage sent = graph().transport.send(message("three megabytes", attachment));

        DeliveredMessage got = only("three megabytes");
        assertEquals("GRAPH_DRAFT", got.route());
        assertEquals(sha, got.attachments().get(0).sha256());
        assertEquals(got.messageId(), sent.messageId());
        assertEquals(1, host.seen("PUT").size(), "one chunk");
        assertTrue(attachment.bytesRead.get() < 2 * LargeMessageUpload.LARGE,
                "read once, not loaded for a request first: " + attachment.bytesRead.get() + " bytes read");
    }

    @Test
    void smallAttachmentsOverTheRequestLimitGoAsADraftAndTheSendReturnsItsId() throws Exception {
        file("small-a.bin", 1_500_000);
        file("small-b.bin", 1_500_000);
        file("small-c.bin", 1_500_000);
        SentMessage sent = graph().transport.send(message("small ones", source("small-a.bin"), source("small-b.bin"),
                source("small-c.bin")));
        DeliveredMessage got = only("small ones");
        assertEquals("GRAPH_DRAFT", got.route());
        assertEquals(3, got.attachments().size());
        assertEquals(got.messageId(), sent.messageId());
        assertEquals("GRAPH", sent.transport());
        assertTrue(host.seen().isEmpty(), "no upload session for attachments under 3 MB");
    }

    @Test
    void largeInlineImagesKeepTheirContentIdAndInlineFlagThroughUploadSessions() throws Exception {
        String sha = file("inline.bin", LargeMessageUpload.LARGE + 10);
        file("with-id.bin", LargeMessageUpload.LARGE + 20);
        MimeBodyPart html = new MimeBodyPart();
        html.setContent("<p><img src=\"cid:chart@contoso\"></p>", "text/html; charset=UTF-8");
        MimeBodyPart image = new MimeBodyPart();
        image.setDataHandler(new DataHandler(source("inline.bin")));
        image.setContentID("<chart@contoso>");
        image.setDisposition(MimeBodyPart.INLINE);
        MimeBodyPart attached = new MimeBodyPart();
        attached.setDataHandler(new DataHandler(source("with-id.bin")));
        attached.setFileName("with-id.bin");
        attached.setContentID("<file@contoso>");
        attached.setDisposition(MimeBodyPart.ATTACHMENT);
        MimeBodyPart related = new MimeBodyPart();
        related.setContent(new MimeMultipart("related", html, image));
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setRecipients(Message.RecipientType.TO, SandboxDefaults.RECIPIENT);
        m.setSubject("large inline");
        m.setContent(new MimeMultipart(related, attached));
        graph().transport.send(m);

        DeliveredMessage got = only("large inline");
        assertEquals(2, got.attachments().size());
        DeliveredMessage.Attachment inline = got.attachments().stream().filter(a -> "chart@contoso".equals(a.contentId()))
                .findFirst().orElseThrow();
        assertTrue(inline.inline());
        assertEquals("chart@contoso", inline.name(), "no file name: named by its Content-ID");
        assertEquals(sha, inline.sha256());
        DeliveredMessage.Attachment file = got.attachments().stream().filter(a -> "with-id.bin".equals(a.name()))
                .findFirst().orElseThrow();
        assertFalse(file.inline(), "Content-Disposition: attachment, whatever its Content-ID");
        assertEquals("file@contoso", file.contentId());
    }

    private static String sha256Of(Path file, long bytes) throws Exception {
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        try (java.io.InputStream in = Files.newInputStream(file)) {
            digest.update(in.readNBytes((int) bytes));
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void aFileThatGrowsWhileItIsSentGoesWithTheBytesItHadWhenMeasured() throws Exception {
        file("grows.bin", THREE_CHUNKS);
        long measured = THREE_CHUNKS - 1000;
        graph().transport.send(message("grows", source("grows.bin").sizedAs(measured)));
        DeliveredMessage.Attachment got = only("grows").attachments().get(0);
        assertEquals(measured, got.size());
        assertEquals(sha256Of(FILES.resolve("grows.bin"), measured), got.sha256());
    }

    @Test
    void aSessionThatReportsFewerBytesThanItConfirmedGetsThemAgainFromTheAttachment() throws Exception {
        String sha = file("earlier.bin", THREE_CHUNKS);
        host.puts(UploadHost.Trouble.NONE, UploadHost.Trouble.UNAVAILABLE).gets(UploadHost.Trouble.REPORTS_EARLIER);
        CountingFileSource attachment = source("earlier.bin");
        graph().transport.send(message("reported earlier", attachment));

        assertEquals(sha, only("reported earlier").attachments().get(0).sha256());
        List<UploadHost.Seen> puts = host.seen("PUT");
        assertEquals(puts.get(1).start() / 2, puts.get(2).start(), "went back to where the session said: " + puts);
        assertEquals(attachment.opened.get(), attachment.closed.get(), "every stream on the attachment closed");
    }

    @Test
    void anUploadAddressWithoutAHostIsNamedWhenRefused() throws Exception {
        file("no-host.bin", LargeMessageUpload.LARGE + 1);
        SANDBOX.get().uploadUrlBase("mailto:uploads");
        MimeMessage m = message("no host", source("no-host.bin"));
        MailSendException e = assertThrows(MailSendException.class, () -> graph().transport.send(m));
        assertEquals("UntrustedUploadUrl", e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("upload address on mailto:uploads/upload/"), e.getMessage());
        assertEquals(0, SANDBOX.get().graphDrafts(), "the draft was deleted");
    }
}
