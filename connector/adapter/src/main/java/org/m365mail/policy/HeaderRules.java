package org.m365mail.policy;

import jakarta.mail.Header;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.m365mail.api.MailSendException;
import org.m365mail.logging.LogText;

import java.util.Enumeration;

/**
 * Refuses, before anything is sent, a message whose headers or addresses could change what is sent or where.
 *
 * <ul>
 *   <li><b>Line breaks in a header</b> other than folding (CRLF followed by a space or tab), and NUL or other control
 *       characters: a subject or name taken from a web form with {@code "\r\nBcc: …"} in it would add a header of
 *       its own on SMTP (header injection), and Jakarta Mail's {@code setSubject} passes CR and LF through.
 *   <li><b>Header names</b> outside RFC 5322's printable characters.
 *   <li><b>Addresses</b> in To, Cc, Bcc, Reply-To, From and Sender that are not addresses ({@code user@domain}), or
 *       whose name carries a line break or control character.
 * </ul>
 *
 * Each refusal names the header and what to change; values are shown through {@link LogText} so that a hostile one
 * cannot forge log lines.
 */
final class HeaderRules {

    private static final String[] ADDRESS_HEADERS = {"From", "Sender", "Reply-To", "To", "Cc", "Bcc"};

    private HeaderRules() {
    }

    static void check(Message message) throws MessagingException, MailSendException {
        if (message instanceof MimeMessage mime) {
            Enumeration<Header> headers = mime.getAllHeaders();
            while (headers.hasMoreElements()) {
                Header header = headers.nextElement();
                checkName(header.getName());
                checkValue(header.getName(), header.getValue());
            }
        }
        for (String name : ADDRESS_HEADERS) {
            String[] values = message.getHeader(name);
            if (values == null) {
                continue;
            }
            for (String value : values) {
                InternetAddress[] addresses;
                try {
                    addresses = InternetAddress.parseHeader(value, false);
                } catch (AddressException e) {
                    throw invalid(name, value, "it cannot be read as an address list (" + e.getMessage() + ")");
                }
                for (InternetAddress address : addresses) {
                    if (address.isGroup()) {
                        // "undisclosed-recipients:;" and other groups: their members, if any, are addresses.
                        for (InternetAddress member : address.getGroup(false)) {
                            checkAddress(name, member);
                        }
                    } else {
                        checkAddress(name, address);
                    }
                }
            }
        }
    }

    private static void checkName(String name) throws MailSendException {
        if (name == null || name.isEmpty()) {
            throw new MailSendException("The message has a header without a name. The message was not sent.",
                    "InvalidHeader", null);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126 || c == ':') {
                throw new MailSendException("The message has a header named " + LogText.of(name) + ", which is not "
                        + "a header name (printable ASCII without spaces or colons). The message was not sent.",
                        "InvalidHeader", null);
            }
        }
    }

    private static void checkValue(String name, String value) throws MailSendException {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean folding = c == '\r' && i + 2 < value.length() && value.charAt(i + 1) == '\n'
                    && (value.charAt(i + 2) == ' ' || value.charAt(i + 2) == '\t');
            if (folding) {
                i += 2;
                continue;
            }
            if (c == '\r' || c == '\n') {
                throw new MailSendException("The message's " + LogText.of(name) + " header contains a line break "
                        + "(CR or LF), which could add headers of its own to the message (header injection): remove "
                        + "line breaks from it (a subject or a name taken from user input, for example). The message "
                        + "was not sent.", "HeaderInjection", null);
            }
            if (c < 32 && c != '\t' || c == 127) {
                throw new MailSendException("The message's " + LogText.of(name) + " header contains the control "
                        + "character U+" + String.format("%04X", (int) c) + ": remove it. The message was not sent.",
                        "InvalidHeader", null);
            }
        }
    }

    private static void checkAddress(String header, InternetAddress address) throws MailSendException {
        String email = address.getAddress();
        if (email == null || email.isBlank()) {
            throw invalid(header, String.valueOf(address), "it has no address");
        }
        try {
            address.validate();
        } catch (AddressException e) {
            throw invalid(header, email, e.getMessage());
        }
        int at = email.lastIndexOf('@');
        if (at <= 0 || at == email.length() - 1) {
            throw invalid(header, email, "it needs a domain, as user@example.com");
        }
        String personal = address.getPersonal();
        if (personal != null) {
            for (int i = 0; i < personal.length(); i++) {
                char c = personal.charAt(i);
                if (c < 32 || c == 127) {
                    throw new MailSendException("The name of the " + header + " address " + LogText.of(email)
                            + " contains a line break or control character, which could add headers of its own: "
                            + "remove it. The message was not sent.", "HeaderInjection", null);
                }
            }
        }
    }

    private static MailSendException invalid(String header, String value, String why) {
        return new MailSendException("The message's " + header + " address " + LogText.of(value) + " is not valid: "
                + LogText.of(why) + ". Correct it. The message was not sent.", "InvalidAddress", null);
    }
}
