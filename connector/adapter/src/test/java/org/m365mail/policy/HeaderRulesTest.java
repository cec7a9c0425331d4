package org.m365mail.policy;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.m365mail.api.MailSendException;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The header rules on plain messages, no transport involved: what is header injection, what is a control character,
 * what is a header name and what is an address.
 */
class HeaderRulesTest {

    private static final Session SESSION = Session.getInstance(new Properties());

    private static MimeMessage message() throws MessagingException {
        MimeMessage m = new MimeMessage(SESSION);
        m.setFrom("sender@contoso.test");
        m.setRecipients(Message.RecipientType.TO, "someone@contoso.test");
        m.setSubject("a subject");
        m.setText("text");
        return m;
    }

    private static MailSendException refused(MimeMessage m) {
        return assertThrows(MailSendException.class, () -> HeaderRules.check(m));
    }

    @Test
    void anOrdinaryMessagePasses() throws Exception {
        MimeMessage m = message();
        m.setRecipients(Message.RecipientType.CC, "Jane Doe <jane@contoso.test>, bob@contoso.test");
        m.setReplyTo(new InternetAddress[]{new InternetAddress("help@contoso.test", "Help ~ Desk")});
        m.setHeader("X-Tab", "a\tb ~ end");
        assertDoesNotThrow(() -> HeaderRules.check(m));
    }

    @Test
    void foldingWithASpaceOrATabIsNoLineBreak() throws Exception {
        MimeMessage spaced = message();
        spaced.setHeader("X-Folded", "first part\r\n second part");
        assertDoesNotThrow(() -> HeaderRules.check(spaced));
        MimeMessage tabbed = message();
        tabbed.setHeader("X-Folded", "first part\r\n\tsecond part\r\n third");
        assertDoesNotThrow(() -> HeaderRules.check(tabbed));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello\r\nBcc: victim@example.com", "hello\nBcc: victim@example.com", "hello\rworld",
        "ends with a break\r\n", "ends with CR\r", "CRLF then letter\r\nx", "LF then space\n x"})
    void aLineBreakOutsideFoldingIsHeaderInjection(String subject) throws Exception {
        MimeMessage m = message();
        m.setHeader("Subject", subject);
        MailSendException e = refused(m);
        assertEquals("HeaderInjection", e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("Subject"), "names the header: " + e.getMessage());
        assertFalse(e.getMessage().contains("victim"), "the value is not echoed raw");
    }

    @Test
    void controlCharactersAreRefusedAndNamed() throws Exception {
        MimeMessage nul = message();
        nul.setHeader("X-Ref", "a\u0000b");
        MailSendException e = refused(nul);
        assertEquals("InvalidHeader", e.getErrorCode());
        assertTrue(e.getMessage().contains("U+0000") && e.getMessage().contains("X-Ref"), e.getMessage());

        MimeMessage unitSeparator = message();
        unitSeparator.setHeader("X-Ref", "a\u001Fb");
        assertTrue(refused(unitSeparator).getMessage().contains("U+001F"));

        MimeMessage delete = message();
        delete.setHeader("X-Ref", "a\u007Fb");
        MailSendException del = refused(delete);
        assertEquals("InvalidHeader", del.getErrorCode());
        assertTrue(del.getMessage().contains("U+007F"), del.getMessage());
    }

    @Test
    void printableCharactersUpToTildeAndBeyondAsciiArePlainText() throws Exception {
        MimeMessage m = message();
        // A space (32), a tilde (126) and a character past DEL are no control characters.
        m.setHeader("X-Ref", " ~ \u0080\u00e9 ");
        assertDoesNotThrow(() -> HeaderRules.check(m));
    }

    @ParameterizedTest
    @ValueSource(strings = {"X Bad", "X:Bad", "X-\u007F", "X-\u00e9", "X-\u0001", "X-\tTab"})
    void aHeaderNameOutsidePrintableAsciiIsRefused(String name) throws Exception {
        MimeMessage m = message();
        m.addHeader(name, "value");
        MailSendException e = refused(m);
        assertEquals("InvalidHeader", e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("header name"), e.getMessage());
    }

    @Test
    void headerNamesOfEveryPrintableCharacterPass() throws Exception {
        MimeMessage m = message();
        m.addHeader("!X~", "bounds of printable ASCII");
        assertDoesNotThrow(() -> HeaderRules.check(m));
    }

    @Test
    void aHeaderWithoutANameIsRefused() throws Exception {
        MimeMessage m = message();
        m.addHeader("", "value");
        MailSendException e = refused(m);
        assertEquals("InvalidHeader", e.getErrorCode());
        assertTrue(e.getMessage().contains("without a name"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"From", "Sender", "Reply-To", "To", "Cc", "Bcc"})
    void everyAddressHeaderIsChecked(String header) throws Exception {
        MimeMessage m = message();
        m.setHeader(header, "not an address");
        MailSendException e = refused(m);
        assertEquals("InvalidAddress", e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains(header + " address"), e.getMessage());
    }

    @Test
    void everyAddressOfAListIsChecked() throws Exception {
        MimeMessage m = message();
        m.setHeader("Cc", "good@contoso.test, bad@");
        assertEquals("InvalidAddress", refused(m).getErrorCode());
    }

    @Test
    void aGroupPassesWhenEmptyAndHasItsMembersChecked() throws Exception {
        MimeMessage undisclosed = message();
        undisclosed.setHeader("To", "undisclosed-recipients:;");
        assertDoesNotThrow(() -> HeaderRules.check(undisclosed));

        MimeMessage team = message();
        team.setHeader("To", "team: a@contoso.test, b@contoso.test;");
        assertDoesNotThrow(() -> HeaderRules.check(team));

        MimeMessage badMember = message();
        badMember.setHeader("To", "team: a@contoso.test, nodomain;");
        MailSendException e = refused(badMember);
        assertEquals("InvalidAddress", e.getErrorCode(), e.getMessage());
    }

    @Test
    void aNameThatDecodesToALineBreakIsHeaderInjection() throws Exception {
        // The header itself is clean; the encoded word in the name decodes to CR LF.
        MimeMessage m = message();
        m.setHeader("To", "=?UTF-8?Q?Evil=0D=0ABcc_x?= <a@contoso.test>");
        MailSendException e = refused(m);
        assertEquals("HeaderInjection", e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("a@contoso.test"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"=?UTF-8?Q?Evil=7FName?=", "=?UTF-8?Q?Evil=1FName?=", "=?UTF-8?Q?Evil=00Name?="})
    void aNameThatDecodesToAControlCharacterIsRefused(String name) throws Exception {
        MimeMessage m = message();
        m.setHeader("Reply-To", name + " <a@contoso.test>");
        assertEquals("HeaderInjection", refused(m).getErrorCode());
    }

    @Test
    void aNameWithSpacesAndAccentsPasses() throws Exception {
        MimeMessage m = message();
        m.setHeader("To", "=?UTF-8?Q?Ren=C3=A9e_M=C3=BCller?= <a@contoso.test>");
        assertDoesNotThrow(() -> HeaderRules.check(m));
    }
}
