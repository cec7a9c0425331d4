package org.m365mail.it;

import jakarta.mail.Message;
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
import java.io.IOException;
import java.util.Set;

/** Sends one plain message through one of the server's operations-test factories, for the test outside the server. */
@WebServlet("/send")
public class OperationsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** The factories this test uses; nothing else is looked up. */
    private static final Set<String> FACTORIES = Set.of("mail/HealthCheck", "mail/Metrics");

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; charset=UTF-8");
        String name = request.getParameter("factory");
        if (!FACTORIES.contains(name)) {
            response.sendError(404);
            return;
        }
        try {
            MailConnectionFactory factory = (MailConnectionFactory) new InitialContext().lookup(name);
            MimeMessage message = new MimeMessage((Session) null);
            message.setRecipients(Message.RecipientType.TO, request.getParameter("to"));
            message.setSubject(request.getParameter("subject"), "UTF-8");
            message.setText("Sent by OperationsIT", "UTF-8");
            try (MailConnection connection = factory.getConnection()) {
                SentMessage sent = connection.send(message);
                response.getWriter().print(sent.messageId());
            }
        } catch (Exception e) {
            response.setStatus(500);
            response.getWriter().print(e.getClass().getName() + ": " + e.getMessage());
        }
    }
}
