package org.m365mail.transport.graph;

import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a Jakarta Mail message as the JSON body of Graph's {@code sendMail}:
 * {@code {"message":{subject, body, toRecipients, ccRecipients, bccRecipients, replyTo, from, attachments,
 * internetMessageHeaders, internetMessageId}, "saveToSentItems":...}}
 * (https://learn.microsoft.com/en-us/graph/api/user-sendmail, https://learn.microsoft.com/en-us/graph/api/resources/message).
 *
 * <p>The body is the message's HTML part when it has one, else its text part; other parts become file attachments,
 * inline ones (related parts, {@code Content-Disposition: inline} with a Content-ID) keep {@code isInline} and
 * {@code contentId} so that {@code cid:} references in the HTML still resolve.
 */
final class GraphMessageJson {

    private final JsonGeneratorFactory generators = JsonProvider.provider().createGeneratorFactory(Map.of());

    /** What the walk of a message found: its bodies and parts, and what JSON cannot carry. */
    static final class Shape {
        final Content content = new Content();
        /** Standard headers Graph's JSON has no place for: In-Reply-To, References, Auto-Submitted (RFC 3834). */
        boolean hasMimeOnlyHeaders;

        /** Text and HTML alternatives: JSON carries one body, MIME both. */
        boolean hasAlternatives() {
            return content.text != null && content.html != null;
        }
    }

    static Shape shape(Message message) throws MessagingException, IOException {
        Shape shape = new Shape();
        shape.content.collect(message);
        shape.hasMimeOnlyHeaders = message.getHeader("In-Reply-To") != null || message.getHeader("References") != null
                || message.getHeader("Auto-Submitted") != null;
        return shape;
    }

    /**
     * @param message         the message
     * @param shape           its walked shape
     * @param from            the From address (the mailbox, or one it may send as or on behalf of)
     * @param sender          the Sender when From is another mailbox (Send on Behalf), else {@code null}
     * @param messageId       the Message-ID to give the message
     * @param saveToSentItems whether Graph keeps a copy in Sent Items
     */
    byte[] sendMailBody(Message message, Shape shape, InternetAddress from, InternetAddress sender, String messageId,
                        boolean saveToSentItems) throws MessagingException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (JsonGenerator json = generators.createGenerator(out)) {
            json.writeStartObject().writeStartObject("message");
            writeMessage(json, message, shape, from, sender, messageId, true);
            json.writeEnd();
            json.write("saveToSentItems", saveToSentItems);
            json.writeEnd();
        }
        return out.toByteArray();
    }

    /** The message resource for a draft ({@code POST /users/{id}/messages}), attachments left to separate requests. */
    byte[] draftBody(Message message, Shape shape, InternetAddress from, InternetAddress sender, String messageId)
            throws MessagingException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (JsonGenerator json = generators.createGenerator(out)) {
            json.writeStartObject();
            writeMessage(json, message, shape, from, sender, messageId, false);
            json.writeEnd();
        }
        return out.toByteArray();
    }

    /** One file attachment ({@code POST /users/{id}/messages/{id}/attachments}). */
    byte[] attachmentBody(Part part) throws MessagingException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (JsonGenerator json = generators.createGenerator(out)) {
            attachment(json, part);
        }
        return out.toByteArray();
    }

    /** An upload session for one large attachment ({@code createUploadSession}). */
    byte[] uploadSessionBody(Part part, long size) throws MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator json = generators.createGenerator(out)) {
            String contentId = contentId(part);
            json.writeStartObject().writeStartObject("AttachmentItem")
                    .write("attachmentType", "file")
                    .write("name", name(part, contentId))
                    .write("size", size)
                    .write("contentType", baseType(part.getContentType()))
                    .write("isInline", contentId != null && !Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()));
            if (contentId != null) {
                json.write("contentId", contentId);
            }
            json.writeEnd().writeEnd();
        }
        return out.toByteArray();
    }

    private void writeMessage(JsonGenerator json, Message message, Shape shape, InternetAddress from,
                              InternetAddress sender, String messageId, boolean withAttachments)
            throws MessagingException, IOException {
        Content content = shape.content;
        json.write("subject", message.getSubject() == null ? "" : message.getSubject());
        json.writeStartObject("body")
                .write("contentType", content.html != null ? "HTML" : "Text")
                .write("content", content.html != null ? content.html : content.text == null ? "" : content.text)
                .writeEnd();
        recipients(json, "toRecipients", message.getRecipients(Message.RecipientType.TO));
        recipients(json, "ccRecipients", message.getRecipients(Message.RecipientType.CC));
        recipients(json, "bccRecipients", message.getRecipients(Message.RecipientType.BCC));
        if (message.getHeader("Reply-To") != null) {
            recipients(json, "replyTo", message.getReplyTo());
        }
        address(json, "from", from);
        if (sender != null) {
            address(json, "sender", sender);
        }
        json.write("importance", importance(message));
        json.write("internetMessageId", messageId);
        customHeaders(json, message);
        if (withAttachments && !content.attachments.isEmpty()) {
            json.writeStartArray("attachments");
            for (Part part : content.attachments) {
                attachment(json, part);
            }
            json.writeEnd();
        }
    }

    private static void address(JsonGenerator json, String name, InternetAddress a) {
        json.writeStartObject(name).writeStartObject("emailAddress").write("address", a.getAddress());
        if (a.getPersonal() != null) {
            json.write("name", a.getPersonal());
        }
        json.writeEnd().writeEnd();
    }

    /** Graph's importance from the {@code Importance} or {@code X-Priority} header, as Outlook reads them. */
    static String importance(Message message) throws MessagingException {
        String[] importance = message.getHeader("Importance");
        if (importance != null && importance.length > 0) {
            String value = importance[0].trim().toLowerCase(Locale.ROOT);
            if (value.equals("high") || value.equals("low")) {
                return value;
            }
        }
        String[] priority = message.getHeader("X-Priority");
        if (priority != null && priority.length > 0 && !priority[0].isBlank()) {
            char p = priority[0].trim().charAt(0);
            return p == '1' || p == '2' ? "high" : p == '4' || p == '5' ? "low" : "normal";
        }
        return "normal";
    }

    private static void recipients(JsonGenerator json, String name, Address[] addresses) {
        if (addresses == null || addresses.length == 0) {
            return;
        }
        json.writeStartArray(name);
        for (Address address : addresses) {
            InternetAddress a = (InternetAddress) address;
            json.writeStartObject().writeStartObject("emailAddress").write("address", a.getAddress());
            if (a.getPersonal() != null) {
                json.write("name", a.getPersonal());
            }
            json.writeEnd().writeEnd();
        }
        json.writeEnd();
    }

    /** Graph accepts only custom headers whose names start with {@code x-} (message resource, internetMessageHeaders). */
    private static void customHeaders(JsonGenerator json, Message message) throws MessagingException {
        List<jakarta.mail.Header> custom = new ArrayList<>();
        Enumeration<jakarta.mail.Header> headers = message.getAllHeaders();
        while (headers.hasMoreElements()) {
            jakarta.mail.Header h = headers.nextElement();
            String name = h.getName().toLowerCase(Locale.ROOT);
            // X-Priority becomes importance; X-Mailer and the like are Jakarta Mail's own, not the application's.
            if (name.startsWith("x-") && !name.equals("x-priority") && !name.equals("x-mailer")) {
                custom.add(h);
            }
        }
        if (custom.isEmpty()) {
            return;
        }
        json.writeStartArray("internetMessageHeaders");
        for (jakarta.mail.Header h : custom) {
            json.writeStartObject().write("name", h.getName()).write("value", decode(h.getValue())).writeEnd();
        }
        json.writeEnd();
    }

    private static String contentId(Part part) throws MessagingException {
        String[] ids = part.getHeader("Content-ID");
        return ids == null ? null : ids[0].trim().replaceAll("^<|>$", "");
    }

    private static String name(Part part, String contentId) throws MessagingException {
        return part.getFileName() == null ? (contentId != null ? contentId : "attachment") : decode(part.getFileName());
    }

    private static void attachment(JsonGenerator json, Part part) throws MessagingException, IOException {
        String contentId = contentId(part);
        boolean inline = contentId != null && !Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition());
        String name = name(part, contentId);
        json.writeStartObject()
                .write("@odata.type", "#microsoft.graph.fileAttachment")
                .write("name", name)
                .write("contentType", baseType(part.getContentType()))
                .write("isInline", inline);
        if (contentId != null) {
            json.write("contentId", contentId);
        }
        try (InputStream in = part.getInputStream()) {
            json.write("contentBytes", Base64.getEncoder().encodeToString(in.readAllBytes()));
        }
        json.writeEnd();
    }

    private static String baseType(String contentType) {
        if (contentType == null) {
            return "application/octet-stream";
        }
        return contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    }

    private static String decode(String value) {
        try {
            return MimeUtility.decodeText(MimeUtility.unfold(value));
        } catch (UnsupportedEncodingException e) {
            return value;
        }
    }

    /** The body and attachments of a message, found by walking its MIME tree. */
    static final class Content {
        String text;
        String html;
        final List<Part> attachments = new ArrayList<>();

        void collect(Part part) throws MessagingException, IOException {
            Object body = part.getContent();
            if (body instanceof InputStream opened) {
                // The content of a part Jakarta Mail has no handler for (an attachment's file, opened): only its kind
                // is wanted here, and the stream would hold the file open until collected.
                opened.close();
            }
            if (body instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    collect(multipart.getBodyPart(i));
                }
                return;
            }
            boolean isAttachment = Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())
                    || part.getFileName() != null;
            if (!isAttachment && body instanceof String s && part.isMimeType("text/html") && html == null) {
                html = s;
            } else if (!isAttachment && body instanceof String s && part.isMimeType("text/plain") && text == null) {
                text = s;
            } else {
                attachments.add(part);
            }
        }
    }
}
