package org.m365mail.it.ear;

import jakarta.annotation.Resource;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;

import java.io.IOException;

/** An application that sends through the resource an administrator made in Payara's admin console. */
@WebServlet("/send")
public class AdminConsoleServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Resource(lookup = "mail/AdminConsole")
    MailConnectionFactory mail;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; charset=UTF-8");
        try {
            MimeMessage message = new MimeMessage((Session) null);
            message.setRecipients(Message.RecipientType.TO, request.getParameter("to"));
            message.setSubject(request.getParameter("subject"), "UTF-8");
            message.setText("Sent through a pool made in the admin console", "UTF-8");
            try (MailConnection connection = mail.getConnection()) {
                response.getWriter().print(connection.send(message).messageId());
            }
        } catch (Exception e) {
            response.setStatus(500);
            for (Throwable t = e; t != null; t = t.getCause()) {
                response.getWriter().println(t.getClass().getName() + ": " + t.getMessage());
            }
        }
    }
}
