package org.m365mail.console;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.resource.ResourceException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.m365mail.admin.CredentialExpiry;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.admin.MetricsSnapshot;
import org.m365mail.admin.PoolStatus;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.SentMessage;
import org.m365mail.logging.LogText;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The console's start page: the server's connection factories of this connector, and a test message through one of
 * them. {@code GET api/factories} lists them (and gives an API client its CSRF token); {@code POST api/test-mail}
 * sends a test message and answers in JSON.
 */
@WebServlet(urlPatterns = {"", "/test-mail", "/api/factories", "/api/test-mail"})
public class TestMailServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(TestMailServlet.class.getName());
    private static final String DEFAULT_SUBJECT = "Test message from the Microsoft 365 mail connector";

    private final transient FactoryDirectory directory = new FactoryDirectory();

    /** What a request asked to send, and where. */
    private record TestMail(String jndiName, String to, String subject, String body) {
    }

    /** A refusal with the HTTP status it is answered with. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if ("/api/factories".equals(request.getServletPath())) {
            json(response, 200, Json.createObjectBuilder()
                    .add("csrfToken", CsrfProtection.token(request))
                    .add("factories", factoryList())
                    .build());
            return;
        }
        page(request, response, 200, null, null, null);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean api = request.getServletPath().startsWith("/api");
        if (request.getServletPath().equals("") || request.getServletPath().equals("/api/factories")) {
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        TestMail mail = new TestMail(value(request, "jndiName", ""), value(request, "to", ""),
                value(request, "subject", DEFAULT_SUBJECT), value(request, "body", "This test message was sent at "
                + Instant.now() + " through the Microsoft 365 mail connector."));
        try {
            SentMessage sent = send(mail);
            LOG.info(() -> "M365MAIL-5001 Test mail sent by " + LogText.of(request.getRemoteUser()) + " through "
                    + LogText.of(mail.jndiName()) + " to " + LogText.of(mail.to()) + ": " + sent);
            if (api) {
                json(response, 200, Json.createObjectBuilder().add("sent", true)
                        .add("messageId", String.valueOf(sent.messageId()))
                        .add("transport", sent.transport())
                        .add("serviceReference", String.valueOf(sent.serviceReference())).build());
            } else {
                page(request, response, 200, mail, "Sent: Microsoft 365 accepted message " + sent.messageId()
                        + " via " + sent.transport() + " (" + sent.serviceReference() + ").", null);
            }
        } catch (Refused e) {
            LOG.log(Level.WARNING, () -> "M365MAIL-5002 Test mail by " + LogText.of(request.getRemoteUser())
                    + " through " + LogText.of(mail.jndiName()) + " refused: " + LogText.of(e.getMessage()));
            if (api) {
                json(response, e.status, Json.createObjectBuilder().add("sent", false)
                        .add("error", e.getMessage()).build());
            } else {
                page(request, response, e.status, mail, null, "Not sent. " + e.getMessage());
            }
        }
    }

    private SentMessage send(TestMail mail) throws Refused {
        MailConnectionFactory factory = directory.find(mail.jndiName()).orElseThrow(() -> new Refused(404,
                "No connection factory of this connector is named '" + mail.jndiName() + "' on this server; choose "
                        + "one of " + directory.factories().keySet() + " (create one with asadmin "
                        + "create-connector-resource --poolname <pool> <name>)"));
        if (mail.to().isBlank()) {
            throw new Refused(400, "Enter a recipient address (to)");
        }
        try {
            MimeMessage message = new MimeMessage((Session) null);
            message.setRecipients(Message.RecipientType.TO, mail.to());
            message.setSubject(mail.subject(), "UTF-8");
            message.setText(mail.body(), "UTF-8");
            try (MailConnection connection = factory.getConnection()) {
                return connection.send(message);
            }
        } catch (MessagingException e) {
            throw new Refused(400, "The recipient or text is not valid: " + e.getMessage());
        } catch (ResourceException e) {
            // The connector's messages name the setting to fix and never carry a secret.
            throw new Refused(502, e.getClass().getSimpleName() + ": " + e.getMessage()
                    + (e.getErrorCode() == null ? "" : " [" + e.getErrorCode() + "]"));
        }
    }

    private JsonArrayBuilder factoryList() {
        JsonArrayBuilder list = Json.createArrayBuilder();
        for (Map.Entry<String, MailConnectionFactory> e : directory.factories().entrySet()) {
            JsonObjectBuilder item = Json.createObjectBuilder().add("jndiName", e.getKey());
            describe(e.getValue(), item);
            list.add(item);
        }
        return list;
    }

    private static void describe(MailConnectionFactory factory, JsonObjectBuilder item) {
        try {
            FactoryAdministration admin = FactoryAdministration.of(factory);
            item.add("transport", admin.transport()).add("authentication", admin.authentication())
                    .add("fromAddress", admin.fromAddress());
            PoolStatus status = admin.status();
            item.add("state", status.unused() ? "UNUSED" : status.state());
            if (status.reason() != null) {
                item.add("reason", status.reason());
            }
            JsonArrayBuilder expiries = Json.createArrayBuilder();
            for (CredentialExpiry e : status.expiries()) {
                expiries.add(Json.createObjectBuilder().add("credential", e.credential())
                        .add("expires", e.expires().toString()).add("warning", e.warning()));
            }
            MetricsSnapshot counts = admin.metrics();
            item.add("expiries", expiries).add("sent", counts.sent()).add("failed", counts.failedTotal());
        } catch (ResourceException e) {
            item.add("problem", String.valueOf(e.getMessage()));
        }
    }

    private void page(HttpServletRequest request, HttpServletResponse response, int status, TestMail mail, String ok,
                      String error) throws IOException {
        ConsolePage page = new ConsolePage(request);
        Map<String, MailConnectionFactory> factories = directory.factories();
        page.message("ok", ok).message("err", error);
        if (factories.isEmpty()) {
            page.html("<p>This server has no connection factory of the connector yet. Create a pool and a resource "
                    + "(asadmin create-connector-connection-pool … and create-connector-resource), then reload.</p>");
        } else {
            StringBuilder table = new StringBuilder("<table><caption class='muted'>Connection factories on this "
                    + "server</caption><tr><th scope='col'>JNDI name</th><th scope='col'>Transport</th>"
                    + "<th scope='col'>Sends as</th><th scope='col'>Authentication</th><th scope='col'>Ready</th>"
                    + "<th scope='col'>Credentials expire</th><th scope='col'>Sent / failed</th></tr>");
            StringBuilder options = new StringBuilder();
            for (Map.Entry<String, MailConnectionFactory> e : factories.entrySet()) {
                String name = ConsolePage.escape(e.getKey());
                String[] cells = cells(e.getValue());
                table.append("<tr><td>").append(name).append("</td>");
                for (String cell : cells) {
                    table.append("<td>").append(cell).append("</td>");
                }
                table.append("</tr>");
                boolean selected = mail != null && e.getKey().equals(mail.jndiName());
                options.append("<option value='").append(name).append(selected ? "' selected>" : "'>").append(name)
                        .append("</option>");
            }
            page.html(table.append("</table>").toString());
            page.html("<h3>Send a test message</h3><form method='post' action='" + page.path("/test-mail") + "'>"
                    + page.csrfField()
                    + "<label for='jndiName'>Connection factory</label><select id='jndiName' name='jndiName'>"
                    + options + "</select>"
                    + "<label for='to'>To</label><input id='to' name='to' type='email' required value='"
                    + ConsolePage.escape(mail == null ? "" : mail.to()) + "'>"
                    + "<label for='subject'>Subject</label><input id='subject' name='subject' value='"
                    + ConsolePage.escape(DEFAULT_SUBJECT) + "'>"
                    + "<label for='body'>Text</label><textarea id='body' name='body' rows='4'>Hello from the "
                    + "Microsoft 365 mail connector.</textarea>"
                    + "<button type='submit' id='send'>Send test message</button></form>");
        }
        page.write(response, status, "Test mail");
    }

    /** The table's cells for a factory, escaped: how it sends, whether it can, its credentials' expiry, counts. */
    private static String[] cells(MailConnectionFactory factory) {
        try {
            FactoryAdministration admin = FactoryAdministration.of(factory);
            PoolStatus status = admin.status();
            String ready = status.unused() ? "<span class='muted'>not used yet (send a test message)</span>"
                    : status.up() ? "<span class='ok-state'>UP</span>"
                    : "<span class='err'>DOWN: " + ConsolePage.escape(status.reason()) + "</span>";
            Instant now = Instant.now();
            StringBuilder expiries = new StringBuilder();
            for (CredentialExpiry e : status.expiries()) {
                long days = e.daysLeft(now);
                expiries.append(e.warning() ? "<span class='err'>" : "<span>")
                        .append(ConsolePage.escape(e.credential())).append(": ")
                        .append(days < 0 ? "expired " : "in " + days + " days, ")
                        .append(ConsolePage.escape(e.expires().toString().substring(0, 10))).append("</span><br>");
            }
            MetricsSnapshot counts = admin.metrics();
            return new String[]{ConsolePage.escape(admin.transport()), ConsolePage.escape(admin.fromAddress()),
                    ConsolePage.escape(admin.authentication()), ready,
                    expiries.length() == 0 ? "<span class='muted'>not known</span>" : expiries.toString(),
                    counts.sent() + " / " + counts.failedTotal()};
        } catch (ResourceException e) {
            String problem = "<span class='err'>" + ConsolePage.escape(e.getMessage()) + "</span>";
            return new String[]{problem, "", "", "", "", ""};
        }
    }

    private static void json(HttpServletResponse response, int status, JsonObject body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.getOutputStream().write(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String value(HttpServletRequest request, String name, String fallback) {
        String v = request.getParameter(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }
}
