package org.m365mail.console;

import jakarta.resource.ResourceException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailboxConsent;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Connect mailbox / Reset for a connection factory with {@code authentication=DELEGATED}: the mailbox's user signs in
 * at Microsoft and consents once; Reset forgets the consent. The redirect URI to register on the app registration
 * (Authentication, platform Web) is this console's {@code /consent/callback}.
 */
@WebServlet(urlPatterns = {"/consent", "/consent/connect", "/consent/callback", "/consent/reset"})
public class ConsentServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(ConsentServlet.class.getName());

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String jndiName = jndiName(request);
        try {
            switch (request.getServletPath()) {
                case "/consent/connect" -> {
                    MailboxConsent consent = consent(jndiName);
                    URI signIn = consent.begin(callback(request));
                    request.getSession(true).setAttribute("consent.jndiName", jndiName);
                    response.sendRedirect(signIn.toString());
                }
                case "/consent/callback" -> callback(request, response);
                default -> page(request, response, jndiName, null, null);
            }
        } catch (NamingException | ResourceException e) {
            LOG.log(Level.WARNING, "M365MAIL-5003 Consent for " + jndiName + " failed: " + e.getMessage());
            page(request, response, jndiName, null, e instanceof NamingException
                    ? "No connection factory is bound at '" + jndiName + "'." : e.getMessage());
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String jndiName = jndiName(request);
        try {
            consent(jndiName).reset();
            page(request, response, jndiName, "The consent was reset. Sends fail until the mailbox is connected again.",
                    null);
        } catch (NamingException | ResourceException e) {
            page(request, response, jndiName, null, e.getMessage());
        }
    }

    private void callback(HttpServletRequest request, HttpServletResponse response)
            throws IOException, NamingException, ResourceException {
        HttpSession session = request.getSession(false);
        String jndiName = session == null ? null : (String) session.getAttribute("consent.jndiName");
        if (jndiName == null) {
            page(request, response, TestMailServlet.DEFAULT_JNDI_NAME, null,
                    "This sign-in did not start here or took too long: press Connect mailbox again.");
            return;
        }
        if (request.getParameter("error") != null) {
            page(request, response, jndiName, null, "Microsoft 365 did not grant the consent: "
                    + request.getParameter("error_description"));
            return;
        }
        consent(jndiName).complete(callback(request), request.getParameter("code"), request.getParameter("state"));
        response.sendRedirect(request.getContextPath() + "/consent?connected=1&jndiName="
                + URLEncoder.encode(jndiName, StandardCharsets.UTF_8));
    }

    private static URI callback(HttpServletRequest request) {
        String base = request.getRequestURL().toString();
        return URI.create(base.substring(0, base.indexOf(request.getContextPath() + "/consent"))
                + request.getContextPath() + "/consent/callback");
    }

    private static MailboxConsent consent(String jndiName) throws NamingException, ResourceException {
        return ((MailConnectionFactory) new InitialContext().lookup(jndiName)).getConsent();
    }

    private static String jndiName(HttpServletRequest request) {
        String v = request.getParameter("jndiName");
        return v == null || v.isBlank() ? TestMailServlet.DEFAULT_JNDI_NAME : v.trim();
    }

    private static void page(HttpServletRequest request, HttpServletResponse response, String jndiName, String ok,
                             String error) throws IOException {
        String status;
        try {
            MailboxConsent consent = consent(jndiName);
            status = consent.isConnected() ? "Connected: mail is sent as " + consent.username() + "."
                    : "Not connected: " + consent.username() + " has not signed in yet.";
        } catch (NamingException | ResourceException e) {
            status = "Unavailable.";
        }
        if (ok == null && request.getParameter("connected") != null) {
            ok = "Mailbox connected.";
        }
        response.setContentType("text/html; charset=UTF-8");
        try (PrintWriter out = response.getWriter()) {
            String e = TestMailServlet.escape(jndiName);
            out.println("<!doctype html><html><head><meta charset='utf-8'><title>Connect mailbox</title><style>"
                    + "body{font-family:sans-serif;margin:2em;max-width:50em}.ok{color:#060}.err{color:#a00}</style>"
                    + "</head><body><h1>Microsoft 365 mail connector</h1><h2>Delegated mailbox</h2>");
            out.println("<p>Connection factory <b>" + e + "</b>. <span id='status'>" + TestMailServlet.escape(status)
                    + "</span></p>");
            if (ok != null) {
                out.println("<p class='ok' id='message'>" + TestMailServlet.escape(ok) + "</p>");
            }
            if (error != null) {
                out.println("<p class='err' id='message'>" + TestMailServlet.escape(error) + "</p>");
            }
            out.println("<p><a id='connect' href='" + TestMailServlet.escape(request.getContextPath())
                    + "/consent/connect?jndiName=" + URLEncoder.encode(jndiName, StandardCharsets.UTF_8)
                    + "'>Connect mailbox</a></p><form method='post' action='" + TestMailServlet.escape(
                    request.getContextPath()) + "/consent/reset'><input type='hidden' name='jndiName' value='" + e
                    + "'><button id='reset'>Reset</button></form><p><a href='" + TestMailServlet.escape(
                    request.getContextPath()) + "/'>Send a test message</a></p></body></html>");
        }
    }
}
