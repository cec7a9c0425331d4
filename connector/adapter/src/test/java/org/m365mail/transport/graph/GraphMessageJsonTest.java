package org.m365mail.transport.graph;

import jakarta.activation.DataHandler;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON the Graph transport writes, without a server: importance from {@code Importance} and {@code X-Priority},
 * attachment names and types when a part lacks them, header values that cannot be decoded, and the upload session's
 * {@code AttachmentItem} of inline and attached parts.
 */
class GraphMessageJsonTest {

    private static MimeMessage message(String... headers) throws MessagingException {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setRecipients(Message.RecipientType.TO, "to@contoso.test");
        m.setSubject("json");
        m.setText("x");
        for (int i = 0; i < headers.length; i += 2) {
            m.setHeader(headers[i], headers[i + 1]);
        }
        return m;
    }

    private static JsonObject parse(byte[] json) {
        try (JsonReader reader = Json.createReader(new ByteArrayInputStream(json))) {
            return reader.readObject();
        }
    }

    private static MimeBodyPart part(String contentId, String fileName, String disposition) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(new byte[]{1, 2, 3}, "image/png")));
        part.setHeader("Content-Type", "Image/PNG; x-quality=high");
        if (contentId != null) {
            part.setContentID(contentId);
        }
        if (fileName != null) {
            part.setFileName(fileName);
        }
        if (disposition != null) {
            part.setDisposition(disposition);
        }
        return part;
    }

    @Test
    void importanceComesFromTheImportanceHeaderElseFromXPriorityAsOutlookReadsThem() throws Exception {
        assertEquals("high", GraphMessageJson.importance(message("Importance", " High ")));
        assertEquals("low", GraphMessageJson.importance(message("Importance", "LOW")));
        assertEquals("high", GraphMessageJson.importance(message("Importance", "normal", "X-Priority", "2")),
                "Importance: normal says nothing X-Priority does not");
        assertEquals("low", GraphMessageJson.importance(message("Importance", "urgent", "X-Priority", "4")));
        assertEquals("normal", GraphMessageJson.importance(message("Importance", "urgent")));
        assertEquals("high", GraphMessageJson.importance(message("X-Priority", "1 (Highest)")));
        assertEquals("high", GraphMessageJson.importance(message("X-Priority", "2")));
        assertEquals("normal", GraphMessageJson.importance(message("X-Priority", "3 (Normal)")));
        assertEquals("low", GraphMessageJson.importance(message("X-Priority", "4")));
        assertEquals("low", GraphMessageJson.importance(message("X-Priority", " 5 (Lowest)")));
        assertEquals("normal", GraphMessageJson.importance(message("X-Priority", "  ")));
        assertEquals("normal", GraphMessageJson.importance(message()));
    }

    @Test
    void anAttachmentWithoutAFileNameIsNamedByItsContentIdElseAttachment() throws Exception {
        GraphMessageJson json = new GraphMessageJson();
        JsonObject byId = parse(json.attachmentBody(part("<logo@contoso>", null, MimeBodyPart.INLINE)));
        assertEquals("logo@contoso", byId.getString("name"));
        assertEquals("logo@contoso", byId.getString("contentId"));
        assertTrue(byId.getBoolean("isInline"));
        assertEquals("image/png", byId.getString("contentType"), "the type without its parameters");
        JsonObject nameless = parse(json.attachmentBody(part(null, null, MimeBodyPart.ATTACHMENT)));
        assertEquals("attachment", nameless.getString("name"));
        assertFalse(nameless.containsKey("contentId"));
        assertFalse(nameless.getBoolean("isInline"));
        JsonObject named = parse(json.attachmentBody(part("<c@contoso>", "=?UTF-8?Q?K=C3=A4se.png?=", null)));
        assertEquals("Käse.png", named.getString("name"), "the file name, decoded");
    }

    @Test
    void aPartWithoutAContentTypeIsSentAsOctetStream() throws Exception {
        MimeBodyPart untyped = new MimeBodyPart() {
            @Override
            public String getContentType() {
                return null;
            }
        };
        untyped.setDataHandler(new DataHandler(new ByteArrayDataSource(new byte[]{4, 5}, "application/x-any")));
        untyped.setFileName("data");
        JsonObject attachment = parse(new GraphMessageJson().attachmentBody(untyped));
        assertEquals("application/octet-stream", attachment.getString("contentType"));
    }

    @Test
    void aHeaderValueInAnUnknownCharsetIsSentAsItCame() throws Exception {
        String raw = "=?x-no-such-charset?Q?caf=E9?=";
        MimeMessage m = message("X-Note", raw, "X-Plain", "=?UTF-8?Q?caf=C3=A9?=");
        JsonObject body = parse(new GraphMessageJson().sendMailBody(m, GraphMessageJson.shape(m),
                new InternetAddress("from@contoso.test"), null, "<id@contoso.test>", true));
        var headers = body.getJsonObject("message").getJsonArray("internetMessageHeaders");
        java.util.Map<String, String> values = new java.util.HashMap<>();
        headers.forEach(h -> values.put(h.asJsonObject().getString("name"), h.asJsonObject().getString("value")));
        assertEquals(raw, values.get("X-Note"));
        assertEquals("café", values.get("X-Plain"));
    }

    @Test
    void anUploadSessionSaysWhetherThePartIsInlineAndKeepsItsContentId() throws Exception {
        GraphMessageJson json = new GraphMessageJson();
        JsonObject inline = parse(json.uploadSessionBody(part("<big@contoso>", null, MimeBodyPart.INLINE), 5_000_000))
                .getJsonObject("AttachmentItem");
        assertEquals("file", inline.getString("attachmentType"));
        assertEquals("big@contoso", inline.getString("name"));
        assertEquals(5_000_000, inline.getJsonNumber("size").longValue());
        assertEquals("image/png", inline.getString("contentType"));
        assertTrue(inline.getBoolean("isInline"));
        assertEquals("big@contoso", inline.getString("contentId"));
        JsonObject attached = parse(json.uploadSessionBody(part("<f@contoso>", "f.png", MimeBodyPart.ATTACHMENT), 9))
                .getJsonObject("AttachmentItem");
        assertFalse(attached.getBoolean("isInline"), "Content-Disposition: attachment, whatever its Content-ID");
        assertEquals("f@contoso", attached.getString("contentId"));
        assertEquals("f.png", attached.getString("name"));
        JsonObject plain = parse(json.uploadSessionBody(part(null, "p.png", null), 9)).getJsonObject("AttachmentItem");
        assertFalse(plain.getBoolean("isInline"));
        assertFalse(plain.containsKey("contentId"));
    }
}
