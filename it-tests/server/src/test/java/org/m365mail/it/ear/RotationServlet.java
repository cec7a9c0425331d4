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
import org.m365mail.api.SentMessage;

import java.io.IOException;

/**
 * An application as most are written: its connection factories injected once, by {@code @Resource}, and used for
 * every send, while the administrator rotates the pools' credentials underneath.
 */
@WebServlet("/send")
public class RotationServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Resource(lookup = "mail/Rotation")
    MailConnectionFactory secretPool;

    @Resource(lookup = "mail/RotationCertificate")
    MailConnectionFactory certificatePool;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; charset=UTF-8");
        MailConnectionFactory factory = "certificate".equals(request.getParameter("pool")) ? certificatePool
                : secretPool;
        try {
            MimeMessage message = new MimeMessage((Session) null);
            message.setRecipients(Message.RecipientType.TO, request.getParameter("to"));
            message.setSubject(request.getParameter("subject"), "UTF-8");
            message.setText("Sent while credentials rotate", "UTF-8");
            try (MailConnection connection = factory.getConnection()) {
                SentMessage sent = connection.send(message);
                response.getWriter().print(sent.messageId());
            }
        } catch (Exception e) {
            response.setStatus(500);
            for (Throwable t = e; t != null; t = t.getCause()) {
                response.getWriter().println(t.getClass().getName() + ": " + t.getMessage());
            }
        }
    }
}
