package org.m365mail.it;

import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.m365mail.api.SentMessage;

import java.io.IOException;

/** Lets the test, running outside the server, ask the EJB to send, and see what it answered. */
@WebServlet("/send")
public class SendServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @EJB
    MailSenderBean sender;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; charset=UTF-8");
        try {
            SentMessage sent = sender.send(request.getParameter("factory"), request.getParameter("from"),
                    request.getParameter("to"),
                    request.getParameter("subject"), request.getParameter("text"),
                    Integer.parseInt(request.getParameter("attachmentSize")),
                    Long.parseLong(request.getParameter("seed")));
            response.getWriter().print(sent.messageId() + "\n" + sent.transport() + "\n" + sent.serviceReference());
        } catch (Exception e) {
            response.setStatus(500);
            StringBuilder causes = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                causes.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
            }
            response.getWriter().print(causes);
        }
    }
}
