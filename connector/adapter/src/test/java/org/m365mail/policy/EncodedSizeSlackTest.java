package org.m365mail.policy;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Properties;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The size bound of a part whose encoding is known is its encoded size plus a margin for its headers: the margin
 * does not grow with the part, so a large attachment is not counted as larger than it is (which would encode every
 * large message just to measure it).
 */
class EncodedSizeSlackTest {

    private static final Session SESSION = Session.getInstance(new Properties());

    /** An attachment of {@code bytes} with {@code encoding}, as saveChanges leaves it inside a message. */
    private static MimeBodyPart attachment(byte[] bytes, String encoding) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(bytes, "application/octet-stream")));
        part.setFileName("data.bin");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("see attached");
        MimeMessage m = new MimeMessage(SESSION);
        m.setFrom("sender@contoso.test");
        m.setRecipients(Message.RecipientType.TO, "someone@contoso.test");
        m.setContent(new MimeMultipart(text, part));
        m.saveChanges();
        part.setHeader("Content-Transfer-Encoding", encoding);
        return part;
    }

    private static long exact(MimeBodyPart part) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        part.writeTo(out);
        return out.size();
    }

    /** How far the bound is above the exact size. */
    private static long slack(MimeBodyPart part) throws Exception {
        long bound = EncodedSizeBound.of(part);
        long exact = exact(part);
        assertTrue(bound >= exact, "bound " + bound + " below the exact " + exact);
        return bound - exact;
    }

    private static byte[] random(int n) {
        byte[] bytes = new byte[n];
        new Random(n).nextBytes(bytes);
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 56, 57, 58, 3_000, 57_000, 300_001})
    void aBase64PartIsBoundedByItsEncodedSizeAndAFixedMargin(int n) throws Exception {
        long small = slack(attachment(random(1), "base64"));
        long slack = slack(attachment(random(n), "base64"));
        assertTrue(Math.abs(slack - small) <= 12, n + " bytes: margin " + slack + " against " + small + " for 1");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 25, 73, 74, 3_000, 60_000})
    void aQuotedPrintablePartOfTheWorstBytesIsBoundedByItsEncodedSizeAndAFixedMargin(int n) throws Exception {
        // Bytes quoted-printable writes as three characters each, the most it can take.
        byte[] worst = new byte[n];
        Arrays.fill(worst, (byte) 0xE9);
        byte[] one = {(byte) 0xE9};
        long small = slack(attachment(one, "quoted-printable"));
        long slack = slack(attachment(worst, "quoted-printable"));
        assertTrue(Math.abs(slack - small) <= 12 + n / 25, n + " bytes: margin " + slack + " against " + small);
    }

    @ParameterizedTest
    @ValueSource(strings = {"7bit", "8bit", "binary", "BASE64", " Quoted-Printable "})
    void everyEncodingNameIsBoundedAndCaseDoesNotMatter(String encoding) throws Exception {
        byte[] text = "line one\nline two\n".repeat(200).getBytes();
        long slack = slack(attachment(text, encoding));
        assertTrue(slack < 3L * text.length, encoding + ": margin " + slack);
    }

    /** The bound of an attachment of {@code n} bytes before saveChanges, and its exact size after. */
    private static long[] unsaved(int n) throws Exception {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(random(n), "application/octet-stream")));
        MimeMessage m = new MimeMessage(SESSION);
        m.setFrom("sender@contoso.test");
        m.setRecipients(Message.RecipientType.TO, "someone@contoso.test");
        m.setContent(new MimeMultipart(part));
        long bound = EncodedSizeBound.of(part);
        m.saveChanges();
        return new long[]{bound, exact(part)};
    }

    @ParameterizedTest
    @ValueSource(ints = {57, 5_000, 100_000})
    void aPartNotYetSavedGrowsItsBoundForWhicheverEncodingSavingChooses(int n) throws Exception {
        // Before saveChanges a part names no transfer encoding: its content's bound must hold for the worst one.
        long[] one = unsaved(1);
        long[] many = unsaved(n);
        long boundGrowth = many[0] - one[0];
        long exactGrowth = many[1] - one[1];
        assertTrue(boundGrowth >= exactGrowth, "bound grew " + boundGrowth + ", the exact size " + exactGrowth);
        assertTrue(boundGrowth <= 4 * exactGrowth + 64, "bound grew " + boundGrowth + ", the exact size "
                + exactGrowth);
    }

    @org.junit.jupiter.api.Test
    void aParsedMessageGivenNewContentIsBoundedByTheNewContent() throws Exception {
        MimeMessage original = new MimeMessage(SESSION);
        original.setFrom("sender@contoso.test");
        original.setRecipients(Message.RecipientType.TO, "someone@contoso.test");
        original.setText("short");
        original.saveChanges();
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        original.writeTo(encoded);
        MimeMessage parsed = new MimeMessage(SESSION, new java.io.ByteArrayInputStream(encoded.toByteArray()));
        // The parsed bytes are stale once the application replaces the text: the new text is what is sent.
        parsed.setText("replaced ".repeat(20_000));
        parsed.saveChanges();
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        parsed.writeTo(sent);
        long bound = EncodedSizeBound.of(parsed);
        assertTrue(bound >= sent.size(), "bound " + bound + " below the exact " + sent.size());
    }

    @org.junit.jupiter.api.Test
    void manyPartsWithoutHeadersAreBoundedWithTheirBoundaries() throws Exception {
        // Parts of one character and no headers: their boundary lines are most of the message.
        MimeBodyPart[] parts = new MimeBodyPart[20];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = new MimeBodyPart();
            parts[i].setText("x");
        }
        MimeMessage m = new MimeMessage(SESSION);
        m.setContent(new MimeMultipart(parts));
        m.saveChanges();
        for (MimeBodyPart part : parts) {
            part.removeHeader("Content-Type");
            part.removeHeader("Content-Transfer-Encoding");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        long bound = EncodedSizeBound.of(m);
        assertTrue(bound >= out.size(), "bound " + bound + " below the exact " + out.size());
        assertTrue(EncodedSizeBound.of(parts[0]) >= 0, "one character has a bound");
    }

    @org.junit.jupiter.api.Test
    void anEmptyTextHasABoundAndALongHeaderCountsInFull() throws Exception {
        MimeBodyPart empty = new MimeBodyPart();
        empty.setText("");
        long bound = EncodedSizeBound.of(empty);
        assertTrue(bound >= exact(empty), "an empty body is measured without encoding: " + bound);

        MimeBodyPart headed = new MimeBodyPart();
        headed.setText("x");
        headed.setHeader("X-Long", "v".repeat(3_000));
        assertTrue(EncodedSizeBound.of(headed) >= exact(headed), "a header of 3000 characters");
    }
}
