package org.m365mail.console;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.SentMessage;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The console's test-mail page: pick a connection factory by JNDI name, send a test message, see what Microsoft
 * 365 answered. {@code POST /api/test-mail} does the same for scripts and answers in JSON.
 */
@WebServlet(urlPatterns = {"", "/test-mail", "/api/test-mail"})
public class TestMailServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(TestMailServlet.class.getName());
    static final String DEFAULT_JNDI_NAME = "mail/Office365";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        page(request, response, null, null);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.setCharacterEncoding("UTF-8");
        String jndiName = value(request, "jndiName", DEFAULT_JNDI_NAME);
        String to = value(request, "to", "");
        String subject = value(request, "subject", "Test message from the Microsoft 365 mail connector");
        String body = value(request, "body", "This test message was sent at " + Instant.now()
                + " through the Microsoft 365 mail connector.");
        boolean api = request.getServletPath().startsWith("/api");
        try {
            SentMessage sent = send(jndiName, to, subject, body);
            LOG.info(() -> "M365MAIL-5001 Test mail sent through " + jndiName + ": " + sent);
            if (api) {
                json(response, 200, "{\"sent\":true,\"messageId\":" + quote(sent.messageId()) + ",\"transport\":"
                        + quote(sent.transport()) + ",\"serviceReference\":" + quote(sent.serviceReference()) + "}");
            } else {
                page(request, response, "Sent: Microsoft 365 accepted message " + sent.messageId() + " via "
                        + sent.transport() + " (" + sent.serviceReference() + ").", null);
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "M365MAIL-5002 Test mail through " + jndiName + " failed: " + e.getMessage());
            String error = e instanceof NamingException
                    ? "No connection factory is bound at '" + jndiName + "'. Create it (asadmin "
                    + "create-connector-resource --poolname <pool> " + jndiName + ") or enter the JNDI name of one."
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            if (api) {
                json(response, 500, "{\"sent\":false,\"error\":" + quote(error) + "}");
            } else {
                page(request, response, null, "Not sent. " + error);
            }
        }
    }

    private static SentMessage send(String jndiName, String to, String subject, String body)
            throws NamingException, MessagingException, jakarta.resource.ResourceException {
        if (to.isBlank()) {
            throw new MessagingException("Enter a recipient address");
        }
        MailConnectionFactory factory = (MailConnectionFactory) new InitialContext().lookup(jndiName);
        MimeMessage message = new MimeMessage((Session) null);
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(subject, "UTF-8");
        message.setText(body, "UTF-8");
        try (MailConnection connection = factory.getConnection()) {
            return connection.send(message);
        }
    }

    private static void page(HttpServletRequest request, HttpServletResponse response, String ok, String error)
            throws IOException {
        response.setContentType("text/html; charset=UTF-8");
        response.setCharacterEncoding("UTF-8");
        String jndiName = value(request, "jndiName", DEFAULT_JNDI_NAME);
        try (PrintWriter out = response.getWriter()) {
            out.println("<!doctype html><html><head><meta charset='utf-8'><title>Microsoft 365 mail connector</title>"
                    + "<style>body{font-family:sans-serif;margin:2em;max-width:50em}label{display:block;margin-top:1em}"
                    + "input,textarea{width:100%;padding:4px}.ok{color:#060}.err{color:#a00}</style></head><body>");
            out.println("<h1>Microsoft 365 mail connector</h1><h2>Send a test message</h2>");
            if (ok != null) {
                out.println("<p class='ok'>" + escape(ok) + "</p>");
            }
            if (error != null) {
                out.println("<p class='err'>" + escape(error) + "</p>");
            }
            out.println("<form method='post' action='" + escape(request.getContextPath()) + "/test-mail'>"
                    + "<label>Connection factory (JNDI name)<input name='jndiName' value='" + escape(jndiName) + "'></label>"
                    + "<label>To<input name='to' type='email' value='" + escape(value(request, "to", "")) + "'></label>"
                    + "<label>Subject<input name='subject' value='Test message from the Microsoft 365 mail connector'></label>"
                    + "<label>Text<textarea name='body' rows='4'>Hello from the Microsoft 365 mail connector.</textarea></label>"
                    + "<p><button type='submit'>Send test message</button></p></form></body></html>");
        }
    }

    private static void json(HttpServletResponse response, int status, String body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }

    private static String value(HttpServletRequest request, String name, String fallback) {
        String v = request.getParameter(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
                .replace("\"", "&quot;");
    }
}
