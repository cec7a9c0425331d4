package org.m365mail.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;

import java.io.IOException;
import java.util.List;

/**
 * A page listing what the stand-in delivered (and {@code /messages.json} for scripts), so a person trying the
 * demo sees the mail arrive.
 */
final class OutboxViewer implements HttpHandler {

    private final Outbox outbox;
    private final TokenRequestLog tokens;

    OutboxViewer(Outbox outbox, TokenRequestLog tokens) {
        this.outbox = outbox;
        this.tokens = tokens;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            List<DeliveredMessage> messages = outbox.messages();
            if (exchange.getRequestURI().getPath().equals("/messages.json")) {
                JsonArrayBuilder array = Json.createArrayBuilder();
                for (DeliveredMessage m : messages) {
                    JsonArrayBuilder to = Json.createArrayBuilder();
                    m.allRecipients().forEach(to::add);
                    array.add(Json.createObjectBuilder()
                            .add("channel", m.channel()).add("route", String.valueOf(m.route()))
                            .add("mailbox", m.mailbox())
                            .add("subject", String.valueOf(m.subject())).add("recipients", to)
                            .add("attachments", m.attachments().size())
                            .add("messageId", String.valueOf(m.messageId()))
                            .add("receivedAt", m.receivedAt().toString()));
                }
                HttpReplies.json(exchange, 200, Json.createObjectBuilder().add("messages", array)
                        .add("tokenRequests", tokens.total()).build().toString());
                return;
            }
            StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'>"
                    + "<meta http-equiv='refresh' content='5'><title>Microsoft 365 sandbox outbox</title>"
                    + "<style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 10px;text-align:left;"
                    + "border-bottom:1px solid #ddd}</style></head><body><h1>Microsoft 365 sandbox: outbox</h1>")
                    .append("<p>").append(messages.size()).append(" message(s) delivered; ")
                    .append(tokens.total()).append(" token request(s). This page refreshes every 5 s.</p>")
                    .append("<table><tr><th>Received</th><th>Route</th><th>From mailbox</th><th>To</th>"
                            + "<th>Subject</th><th>Body</th><th>Attachments</th></tr>");
            for (int i = messages.size() - 1; i >= 0; i--) {
                DeliveredMessage m = messages.get(i);
                String body = m.textBody() != null ? m.textBody() : String.valueOf(m.htmlBody());
                html.append("<tr><td>").append(java.time.format.DateTimeFormatter.ISO_LOCAL_TIME.format(
                        m.receivedAt().atOffset(java.time.ZoneOffset.UTC).toLocalTime().withNano(0))).append(" UTC")
                        .append("</td><td>").append(m.route() == null ? m.channel() : m.route())
                        .append("</td><td>").append(escape(m.mailbox())).append("</td><td>")
                        .append(escape(String.join(", ", m.allRecipients()))).append("</td><td>")
                        .append(escape(m.subject())).append("</td><td>")
                        .append(escape(body.length() > 200 ? body.substring(0, 200) + "…" : body))
                        .append("</td><td>").append(m.attachments().size()).append("</td></tr>");
            }
            html.append("</table></body></html>");
            HttpReplies.html(exchange, 200, html.toString());
        }
    }

    private static String escape(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
