package org.m365mail.sandbox;

import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Header;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/** Reads an RFC 5322 message into the parts a recipient sees (bodies, attachments, headers). */
final class MimeMessageReader {

    private static final Session SESSION = Session.getInstance(new Properties());

    final MimeMessage message;
    String text;
    String html;
    final List<DeliveredMessage.Attachment> attachments = new ArrayList<>();

    MimeMessageReader(byte[] raw) throws MessagingException, IOException {
        this.message = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
        walk(message);
    }

    List<String> addresses(Message.RecipientType type) throws MessagingException {
        return addresses(message.getRecipients(type));
    }

    List<String> replyTo() throws MessagingException {
        return message.getHeader("Reply-To") == null ? List.of() : addresses(message.getReplyTo());
    }

    InternetAddress from() throws MessagingException {
        Address[] from = message.getFrom();
        return from == null || from.length == 0 ? null : (InternetAddress) from[0];
    }

    /** A header's first value, unfolded and decoded, or {@code null}. */
    String header(String name) throws MessagingException {
        String value = message.getHeader(name, null);
        return value == null ? null : decode(MimeUtility.unfold(value));
    }

    /** Importance from {@code Importance} or {@code X-Priority}, as Exchange reads them. */
    String importance() throws MessagingException {
        String importance = header("Importance");
        if (importance != null) {
            return importance.trim().toLowerCase(Locale.ROOT);
        }
        String priority = header("X-Priority");
        if (priority != null && !priority.isBlank()) {
            char p = priority.trim().charAt(0);
            return p == '1' || p == '2' ? "high" : p == '4' || p == '5' ? "low" : "normal";
        }
        return "normal";
    }

    String sender() throws MessagingException {
        Address sender = message.getSender();
        return sender == null ? null : ((InternetAddress) sender).getAddress();
    }

    /** The message as delivered over {@code channel} by {@code route}. */
    DeliveredMessage delivered(String channel, String route, String mailbox, String envelopeFrom, List<String> bcc,
                               boolean saveToSentItems, String requestId, byte[] raw) throws MessagingException {
        InternetAddress from = from();
        return new DeliveredMessage(channel, mailbox, envelopeFrom, from == null ? null : from.getAddress(),
                from == null ? null : from.getPersonal(), message.getSubject(), addresses(Message.RecipientType.TO),
                addresses(Message.RecipientType.CC), bcc, replyTo(), text, html, List.copyOf(attachments),
                customHeaders(), message.getMessageID(), saveToSentItems, requestId, raw, java.time.Instant.now(),
                sender(), importance(), header("In-Reply-To"), header("References"), route);
    }

    /** The headers tests look at: custom ({@code X-}) ones and {@code Auto-Submitted}. */
    Map<String, String> customHeaders() throws MessagingException {
        Map<String, String> headers = new LinkedHashMap<>();
        Enumeration<Header> all = message.getAllHeaders();
        while (all.hasMoreElements()) {
            Header h = all.nextElement();
            String name = h.getName().toLowerCase(Locale.ROOT);
            // X- headers, and RFC 3834's Auto-Submitted, which Exchange delivers and out-of-office rules read.
            if (name.startsWith("x-") || name.equals("auto-submitted")) {
                headers.put(h.getName(), decode(h.getValue()));
            }
        }
        return headers;
    }

    static List<String> addresses(Address[] addresses) {
        if (addresses == null) {
            return List.of();
        }
        return Arrays.stream(addresses).map(a -> ((InternetAddress) a).getAddress()).toList();
    }

    private void walk(Part part) throws MessagingException, IOException {
        String disposition = part.getDisposition();
        boolean attachment = Part.ATTACHMENT.equalsIgnoreCase(disposition) || part.getFileName() != null;
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                walk(child);
            }
        } else if (!attachment && part.isMimeType("text/plain") && text == null) {
            text = (String) part.getContent();
        } else if (!attachment && part.isMimeType("text/html") && html == null) {
            html = (String) part.getContent();
        } else {
            String[] ids = part.getHeader("Content-ID");
            String contentId = ids == null ? null : ids[0].replaceAll("^<|>$", "");
            String name = part.getFileName() == null ? null : decode(part.getFileName());
            String type = part.getContentType() == null ? "application/octet-stream"
                    : part.getContentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
            byte[] bytes = part.getInputStream().readAllBytes();
            attachments.add(DeliveredMessage.Attachment.of(name, type, bytes,
                    Part.INLINE.equalsIgnoreCase(disposition), contentId));
        }
    }

    private static String decode(String value) {
        try {
            return MimeUtility.decodeText(value);
        } catch (UnsupportedEncodingException e) {
            return value;
        }
    }
}
