package org.m365mail.it;

import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * For the JDBC token store test: GET shows the stored (sealed) row of a consent as the database holds it; POST sends
 * through a factory inside a transaction that is then rolled back.
 */
@WebServlet("/token-store")
public class TokenStoreServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Resource(lookup = "jdbc/mailTokens")
    DataSource database;

    @EJB
    MailSenderBean sender;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; charset=UTF-8");
        try (Connection c = database.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT SEALED_TOKEN, SAVED_AT_MILLIS FROM M365MAIL_REFRESH_TOKENS WHERE STORE_KEY = ?")) {
            select.setString(1, request.getParameter("key"));
            try (ResultSet rs = select.executeQuery()) {
                response.getWriter().print(rs.next() ? rs.getString(1) + "\n" + rs.getLong(2) : "none");
            }
        } catch (Exception e) {
            response.setStatus(500);
            response.getWriter().print(e);
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; charset=UTF-8");
        try {
            sender.sendThenFail(request.getParameter("factory"), request.getParameter("to"),
                    request.getParameter("subject"));
            response.setStatus(500);
            response.getWriter().print("the bean did not fail");
        } catch (jakarta.ejb.EJBException e) {
            // A system exception from the bean: the container rolled its transaction back.
            response.getWriter().print("rolled back: " + (e.getCause() == null ? e : e.getCause()).getMessage());
        } catch (Exception e) {
            response.setStatus(500);
            response.getWriter().print(e);
        }
    }
}
