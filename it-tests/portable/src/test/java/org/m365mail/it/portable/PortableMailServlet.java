package org.m365mail.it.portable;

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

/**
 * The application of the portable suite, the same on every server. It finds its connection factories by the
 * portable names of its resource references ({@code java:comp/env/mail/...}, declared in {@code web.xml}); only the
 * references' {@code lookup-name}, the server's global JNDI name, differs per server. The references are also what
 * lets the application see the RAR's classes on GlassFish (and Payara).
 *
 * <p>{@code POST action=send ref=mail/Graph subject=.. text=..} sends one message to {@code to};
 * {@code POST action=ping ref=..} takes a connection and gives it back: the pool checks each connection it makes
 * (properties, a token, its permission, for SMTP the sign-in), which is the connector's ping on any server.
 */
@WebServlet("/mail")
public class PortableMailServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; charset=UTF-8");
        try {
            MailConnectionFactory factory = (MailConnectionFactory) new InitialContext()
                    .lookup("java:comp/env/" + request.getParameter("ref"));
            if ("ping".equals(request.getParameter("action"))) {
                try (MailConnection connection = factory.getConnection()) {
                    response.getWriter().print("OK");
                }
                return;
            }
            MimeMessage message = new MimeMessage((Session) null);
            message.setRecipients(Message.RecipientType.TO, request.getParameter("to"));
            message.setSubject(request.getParameter("subject"), "UTF-8");
            message.setText(request.getParameter("text"), "UTF-8");
            try (MailConnection connection = factory.getConnection()) {
                SentMessage sent = connection.send(message);
                response.getWriter().print(sent.messageId() + "\n" + sent.transport() + "\n" + sent.status());
            }
        } catch (Exception | LinkageError e) {
            response.setStatus(500);
            for (Throwable t = e; t != null; t = t.getCause()) {
                response.getWriter().println(t.getClass().getName() + ": " + t.getMessage());
            }
        }
    }
}
