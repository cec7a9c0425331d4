package org.m365mail.console;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.resource.ResourceException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.SentMessage;
import org.m365mail.logging.LogText;

import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * {@code POST api/test-mail} (form fields {@code jndiName}, {@code to}, {@code subject}, {@code body}): sends a test
 * message through a factory, as an application would, and answers whether Microsoft 365 accepted it; when not, with
 * the connector's message (which names what to fix) and the advice for that kind of failure.
 */
@Path("test-mail")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class TestMailResource {

    private static final Logger LOG = Logger.getLogger(TestMailResource.class.getName());
    static final String DEFAULT_SUBJECT = "Test message from the Microsoft 365 mail connector";

    @Inject
    FactoryDirectory directory;

    @Context
    HttpServletRequest request;

    @POST
    public Response send() {
        // Read from the servlet request: the CSRF filter has read the form already.
        String jndiName = value("jndiName", "");
        String to = value("to", "");
        String subject = value("subject", DEFAULT_SUBJECT);
        String body = value("body", "This test message was sent at " + Instant.now() + " through the Microsoft 365 "
                + "mail connector.");
        Optional<MailConnectionFactory> factory = directory.find(jndiName);
        if (factory.isEmpty()) {
            refused(jndiName, "unknown factory");
            return ApiReplies.unknownFactory(jndiName, directory);
        }
        MimeMessage message;
        try {
            if (to.isBlank()) {
                throw new MessagingException("Enter a recipient address (to)");
            }
            message = new MimeMessage((Session) null);
            message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to, true));
            message.setSubject(subject, "UTF-8");
            message.setText(body, "UTF-8");
        } catch (MessagingException e) {
            refused(jndiName, e.getMessage());
            return ApiReplies.status(400, Json.createObjectBuilder().add("sent", false)
                    .add("error", "The recipient or text is not valid: " + e.getMessage()).build());
        }
        try (MailConnection connection = factory.get().getConnection()) {
            SentMessage sent = connection.send(message);
            LOG.info(() -> "M365MAIL-5001 Test mail sent by " + LogText.of(request.getRemoteUser()) + " through "
                    + LogText.of(jndiName) + " to " + LogText.of(to) + ": " + sent);
            return ApiReplies.ok(Json.createObjectBuilder().add("sent", true)
                    .add("messageId", String.valueOf(sent.messageId()))
                    .add("transport", sent.transport())
                    .add("serviceReference", String.valueOf(sent.serviceReference())).build());
        } catch (ResourceException e) {
            refused(jndiName, e.getMessage());
            // The connector's messages name the setting to fix and never carry a secret.
            var answer = Json.createObjectBuilder().add("sent", false)
                    .add("error", e.getClass().getSimpleName() + ": " + e.getMessage()
                            + (e.getErrorCode() == null ? "" : " [" + e.getErrorCode() + "]"));
            advice(factory.get(), e).ifPresent(a -> answer.add("advice", a));
            return ApiReplies.status(502, answer.build());
        }
    }

    /** What to do about a failed send: the connector's advice for its kind of failure. */
    private static Optional<String> advice(MailConnectionFactory factory, ResourceException e) {
        try {
            return FactoryAdministration.of(factory).adviceFor(e);
        } catch (ResourceException notOurs) {
            return Optional.empty();
        }
    }

    private void refused(String jndiName, String why) {
        LOG.warning(() -> "M365MAIL-5002 Test mail by " + LogText.of(request.getRemoteUser()) + " through "
                + LogText.of(jndiName) + " refused: " + LogText.of(why));
    }

    private String value(String name, String fallback) {
        String v = request.getParameter(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }
}
