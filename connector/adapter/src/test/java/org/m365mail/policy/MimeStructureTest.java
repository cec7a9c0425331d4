package org.m365mail.policy;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MimeStructureTest {

    private static final Session SESSION = Session.getInstance(new Properties());

    private static MimeMessage message() throws MessagingException {
        MimeMessage m = new MimeMessage(SESSION);
        m.setFrom("sender@contoso.test");
        m.setRecipients(Message.RecipientType.TO, "someone@contoso.test");
        m.setSubject("structure");
        return m;
    }

    /** A message whose body is {@code levels} multiparts nested in one another around one text part. */
    private static MimeMessage nested(int levels) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setText("innermost");
        MimeMultipart multipart = new MimeMultipart(part);
        for (int i = 1; i < levels; i++) {
            MimeBodyPart wrapper = new MimeBodyPart();
            wrapper.setContent(multipart);
            multipart = new MimeMultipart(wrapper);
        }
        MimeMessage m = message();
        m.setContent(multipart);
        return m;
    }

    @Test
    void textAndOrdinaryMultipartsPass() throws Exception {
        MimeMessage text = message();
        text.setText("just text");
        assertDoesNotThrow(() -> MimeStructure.check(text));
        assertDoesNotThrow(() -> MimeStructure.check(nested(3)));
    }

    @Test
    void aMultipartWithNoPartsIsRefusedAndNamesItsType() throws Exception {
        MimeMessage m = message();
        m.setContent(new MimeMultipart("alternative"));
        MailSendException e = assertThrows(MailSendException.class, () -> MimeStructure.check(m));
        assertEquals("MalformedMessage", e.getErrorCode());
        assertTrue(e.getMessage().contains("(multipart/alternative) with no parts"), e.getMessage());
    }

    @Test
    void anEmptyMultipartNestedInsideAnotherIsFoundToo() throws Exception {
        MimeBodyPart text = new MimeBodyPart();
        text.setText("body");
        MimeBodyPart empty = new MimeBodyPart();
        empty.setContent(new MimeMultipart("related"));
        MimeMessage m = message();
        m.setContent(new MimeMultipart(text, empty));
        MailSendException e = assertThrows(MailSendException.class, () -> MimeStructure.check(m));
        assertTrue(e.getMessage().contains("multipart/related"), e.getMessage());
    }

    @Test
    void sixteenLevelsOfMultipartsPassSeventeenAreRefused() throws Exception {
        assertDoesNotThrow(() -> MimeStructure.check(nested(MimeStructure.MAX_DEPTH)));
        MailSendException e = assertThrows(MailSendException.class,
                () -> MimeStructure.check(nested(MimeStructure.MAX_DEPTH + 1)));
        assertEquals("MalformedMessage", e.getErrorCode());
        assertTrue(e.getMessage().contains("more than 16 deep"), e.getMessage());
    }

    @Test
    void aMultipartTypeIsRecognisedWhateverItsCase() throws Exception {
        // Parsed from its bytes (a part whose type is written in capitals), with no part in it: still refused.
        MimeMessage m = message();
        m.setDataHandler(new DataHandler(new ByteArrayDataSource(
                "--b1--\r\n".getBytes(StandardCharsets.US_ASCII), "MULTIPART/MIXED; boundary=b1")));
        assertThrows(MailSendException.class, () -> MimeStructure.check(m));
    }

    @Test
    void aMultipartTypeWithoutMultipartContentIsLeftToTheSizeCheck() throws Exception {
        MimeMessage m = message();
        m.setContent("not a multipart object", "multipart/mixed");
        assertDoesNotThrow(() -> MimeStructure.check(m));
    }

    @Test
    void aMultipartThatCannotBeParsedCannotBeSent() throws Exception {
        MimeMessage m = message();
        m.setDataHandler(new DataHandler(new ByteArrayDataSource(
                "no boundary anywhere\r\n".getBytes(StandardCharsets.US_ASCII), "multipart/mixed; boundary=b1")));
        MailSendException e = assertThrows(MailSendException.class, () -> MimeStructure.check(m));
        assertEquals("MalformedMessage", e.getErrorCode());
        assertTrue(e.getMessage().startsWith("Cannot read the message's MIME structure")
                || e.getMessage().contains("with no parts"), e.getMessage());
    }
}
