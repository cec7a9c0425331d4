package org.m365mail.policy;

import jakarta.activation.DataHandler;
import jakarta.activation.DataSource;
import jakarta.activation.FileDataSource;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncodedSizeBoundTest {

    private static final Session SESSION = Session.getInstance(new Properties());

    private static MimeMessage message(String subject) throws MessagingException {
        MimeMessage m = new MimeMessage(SESSION);
        m.setFrom("sender@contoso.test");
        m.setRecipients(Message.RecipientType.TO, "someone@contoso.test");
        m.setSubject(subject, "UTF-8");
        return m;
    }

    private static long exact(MimeMessage m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out, new String[]{"Bcc", "Content-Length"});
        return out.size();
    }

    /** The bound is never below the size on the wire, and not absurdly above it. */
    private static void assertBounds(MimeMessage m) throws Exception {
        m.saveChanges();
        long bound = EncodedSizeBound.of(m);
        long exact = exact(m);
        assertTrue(bound >= exact, "bound " + bound + " < exact " + exact);
        assertTrue(bound <= exact * 16 + 8192, "bound " + bound + " far above exact " + exact);
    }

    @Test
    void plainTextInAnyScript() throws Exception {
        MimeMessage ascii = message("ascii");
        ascii.setText("An order confirmation.\nLine two.\n", "UTF-8");
        assertBounds(ascii);
        MimeMessage greek = message("Αποστολή ελληνικών");
        greek.setText("Καλημέρα κόσμε ".repeat(500) + "😀".repeat(100), "UTF-8");
        assertBounds(greek);
        MimeMessage quotedPrintable = message("qp");
        quotedPrintable.setText("é=\t ".repeat(2000) + "\n.\n", "ISO-8859-1");
        assertBounds(quotedPrintable);
    }

    @Test
    void attachmentsFromBytesAndFiles(@TempDir Path dir) throws Exception {
        byte[] random = new byte[300_000];
        new Random(7).nextBytes(random);
        Path file = dir.resolve("report.csv");
        Files.writeString(file, "a,b,c\n1,2,3\n".repeat(20_000), StandardCharsets.UTF_8);
        Path binary = dir.resolve("blob.bin");
        Files.write(binary, random);

        MimeBodyPart text = new MimeBodyPart();
        text.setText("see the attachments");
        MimeBodyPart bytes = new MimeBodyPart();
        bytes.setDataHandler(new DataHandler(new ByteArrayDataSource(random, "application/octet-stream")));
        bytes.setFileName("bytes.bin");
        MimeBodyPart csv = new MimeBodyPart();
        csv.attachFile(file.toFile());
        MimeBodyPart blob = new MimeBodyPart();
        blob.setDataHandler(new DataHandler(new FileDataSource(binary.toFile())));
        MimeMultipart inner = new MimeMultipart("alternative", text, csv);
        MimeBodyPart alternative = new MimeBodyPart();
        alternative.setContent(inner);
        MimeMessage m = message("attachments");
        m.setContent(new MimeMultipart(alternative, bytes, blob));
        assertBounds(m);
    }

    @Test
    void aMessageReadFromItsEncodedForm() throws Exception {
        MimeMessage original = message("parsed");
        MimeBodyPart a = new MimeBodyPart();
        a.setText("text\n".repeat(1000));
        MimeBodyPart b = new MimeBodyPart();
        b.setDataHandler(new DataHandler(new ByteArrayDataSource(new byte[50_000], "application/pdf")));
        original.setContent(new MimeMultipart(a, b));
        original.saveChanges();
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        original.writeTo(encoded);
        MimeMessage parsed = new MimeMessage(SESSION, new ByteArrayInputStream(encoded.toByteArray()));
        assertBounds(parsed);
    }

    @Test
    void aPartWhoseSizeOnlyItsStreamKnowsHasNoBound() throws Exception {
        DataSource stream = new DataSource() {
            @Override
            public InputStream getInputStream() {
                return new ByteArrayInputStream(new byte[1000]);
            }

            @Override
            public OutputStream getOutputStream() throws IOException {
                throw new IOException("read-only");
            }

            @Override
            public String getContentType() {
                return "application/octet-stream";
            }

            @Override
            public String getName() {
                return "stream";
            }
        };
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(stream));
        MimeMessage m = message("stream");
        m.setContent(new MimeMultipart(part));
        m.saveChanges();
        assertEquals(-1, EncodedSizeBound.of(m), "the size check must then count the bytes");
    }
}
