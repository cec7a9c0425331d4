package org.m365mail.it;

import jakarta.ejb.EJB;
import jakarta.ejb.EJBException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.m365mail.api.OutboxCounts;
import org.m365mail.api.SentMessage;

import java.io.IOException;

/** Drives {@link OrderBean} for TransactionalSendIT: POST action, factory, subject; the answer is plain text. */
@WebServlet("/tx")
public class TransactionServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @EJB
    OrderBean orders;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; charset=UTF-8");
        String action = request.getParameter("action");
        String factory = request.getParameter("factory");
        String subject = request.getParameter("subject");
        try {
            orders.prepare();
            switch (action) {
                case "commit", "rollback-only", "exception" -> {
                    try {
                        SentMessage sent = orders.placeOrder(factory, subject, action);
                        response.getWriter().print(sent.status() + "\n" + sent.messageId() + "\n"
                                + orders.orderSaved(subject));
                    } catch (EJBException rolledBack) {
                        response.getWriter().print("ROLLED_BACK\n-\n" + orders.orderSaved(subject));
                    }
                }
                case "outside" -> {
                    SentMessage sent = orders.sendOutside(factory, subject);
                    response.getWriter().print(sent.status() + "\n" + sent.messageId() + "\n"
                            + sent.serviceReference());
                }
                case "async" -> response.getWriter().print(orders.sendAsync(factory, subject));
                case "counts" -> {
                    OutboxCounts counts = orders.outboxCounts();
                    response.getWriter().print(counts.waiting() + " " + counts.delivered() + " " + counts.failed());
                }
                default -> response.setStatus(400);
            }
        } catch (Exception e) {
            response.setStatus(500);
            response.getWriter().print(e);
        }
    }
}
