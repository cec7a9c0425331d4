package org.m365mail.console;

import jakarta.inject.Inject;
import jakarta.resource.ResourceException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.admin.MailboxConsent;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.logging.LogText;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Connect mailbox and Reset, for connection factories with {@code authentication=DELEGATED}: the mailbox's user signs
 * in at Microsoft and consents once; Reset forgets the consent.
 *
 * <ul>
 *   <li>Connect and Reset are {@code POST}s with the CSRF token.
 *   <li>A sign-in's {@code state} is kept in the administrator's session that started it; the callback is taken only
 *       with a state of this session, so another person's browser cannot complete (or plant) a sign-in here.
 *   <li>Entra sends the browser back to the factory's configured {@code consentRedirectUri}, which must be this
 *       console's {@code /consent/callback}; the console never builds it from the request's {@code Host} header.
 *   <li>The connector stores the consent only when the account that signed in is the factory's {@code username}.
 * </ul>
 */
@WebServlet(urlPatterns = {"/consent", "/consent/connect", "/consent/callback", "/consent/reset"})
public class ConsentServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(ConsentServlet.class.getName());
    private static final String PENDING = "m365mail.consent.pending";
    private static final int MAX_PENDING = 16;

    @Inject
    private transient FactoryDirectory directory;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        switch (request.getServletPath()) {
            case "/consent/callback" -> callback(request, response);
            case "/consent" -> page(request, response, 200, request.getParameter("jndiName"),
                    request.getParameter("connected") != null ? "Mailbox connected." : null, null);
            default -> response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String jndiName = request.getParameter("jndiName");
        Optional<MailboxConsent> consent;
        try {
            consent = consent(jndiName);
        } catch (ResourceException e) {
            page(request, response, 400, jndiName, null, e.getMessage());
            return;
        }
        if (consent.isEmpty()) {
            page(request, response, 404, null, null, unknown(jndiName));
            return;
        }
        try {
            switch (request.getServletPath()) {
                case "/consent/connect" -> {
                    MailboxConsent.SignIn signIn = consent.get().begin();
                    pending(request.getSession(true)).put(signIn.state(), jndiName);
                    LOG.info(() -> "M365MAIL-5005 " + LogText.of(request.getRemoteUser()) + " started connecting "
                            + "the mailbox of " + LogText.of(jndiName));
                    response.setStatus(HttpServletResponse.SC_SEE_OTHER);
                    response.setHeader("Location", signIn.address().toString());
                }
                case "/consent/reset" -> {
                    consent.get().reset();
                    LOG.info(() -> "M365MAIL-5007 " + LogText.of(request.getRemoteUser()) + " reset the consent of "
                            + LogText.of(jndiName));
                    page(request, response, 200, jndiName, "The consent was reset. Sends fail until the mailbox is "
                            + "connected again.", null);
                }
                default -> response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            }
        } catch (ResourceException e) {
            page(request, response, 502, jndiName, null, e.getMessage());
        }
    }

    private void callback(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String state = request.getParameter("state");
        HttpSession session = request.getSession(false);
        String jndiName = session == null || state == null ? null : pending(session).remove(state);
        if (jndiName == null) {
            page(request, response, 400, null, null, "This sign-in did not start in this browser session or "
                    + "took too long: press Connect mailbox again.");
            return;
        }
        if (request.getParameter("error") != null) {
            String description = String.valueOf(request.getParameter("error_description"));
            LOG.warning(() -> "M365MAIL-5003 Connecting the mailbox of " + LogText.of(jndiName) + " failed at "
                    + "Microsoft: " + LogText.of(description));
            page(request, response, 400, jndiName, null, "Microsoft 365 did not grant the consent: " + description);
            return;
        }
        try {
            MailboxConsent consent = consent(jndiName).orElseThrow(() -> new ResourceException(unknown(jndiName)));
            String account = consent.complete(request.getParameter("code"), state);
            LOG.info(() -> "M365MAIL-5008 " + LogText.of(request.getRemoteUser()) + " connected the mailbox of "
                    + LogText.of(jndiName) + " as " + LogText.of(account));
        } catch (ResourceException e) {
            LOG.warning(() -> "M365MAIL-5011 Connecting the mailbox of " + LogText.of(jndiName) + " failed: "
                    + LogText.of(e.getMessage()));
            page(request, response, 400, jndiName, null, e.getMessage());
            return;
        }
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", request.getContextPath() + "/consent?connected=1&jndiName="
                + URLEncoder.encode(jndiName, StandardCharsets.UTF_8));
    }

    /** Sign-ins this session started, by state, the oldest dropped past {@value #MAX_PENDING}. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> pending(HttpSession session) {
        synchronized (session) {
            Map<String, String> pending = (Map<String, String>) session.getAttribute(PENDING);
            if (pending == null) {
                pending = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                        return size() > MAX_PENDING;
                    }
                });
                session.setAttribute(PENDING, pending);
            }
            return pending;
        }
    }

    /** The consent of the factory the server has under {@code jndiName}; empty when there is none by that name. */
    private Optional<MailboxConsent> consent(String jndiName) throws ResourceException {
        Optional<MailConnectionFactory> factory = directory.find(jndiName);
        if (factory.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(FactoryAdministration.of(factory.get()).consent().orElseThrow(() -> new ResourceException(
                "The connection factory '" + jndiName + "' does not use authentication DELEGATED: it has no mailbox "
                        + "consent to connect or reset")));
    }

    private String unknown(String jndiName) {
        return "No connection factory of this connector is named '" + jndiName + "' on this server; choose one of "
                + directory.factories().keySet();
    }

    private void page(HttpServletRequest request, HttpServletResponse response, int status, String jndiName,
                      String ok, String error) throws IOException {
        ConsolePage page = new ConsolePage(request);
        page.message("ok", ok).message("err", error);
        Map<String, MailConnectionFactory> delegated = new LinkedHashMap<>();
        for (Map.Entry<String, MailConnectionFactory> e : directory.factories().entrySet()) {
            try {
                if (FactoryAdministration.of(e.getValue()).consent().isPresent()) {
                    delegated.put(e.getKey(), e.getValue());
                }
            } catch (ResourceException ignored) {
                // a factory whose settings are wrong shows its problem on the start page
            }
        }
        MailConnectionFactory chosen = jndiName == null ? null : delegated.get(jndiName);
        if (chosen == null) {
            if (delegated.isEmpty()) {
                page.html("<p>No connection factory on this server uses authentication DELEGATED.</p>");
            } else {
                StringBuilder list = new StringBuilder("<p>Factories that send as a user who consented:</p><ul>");
                for (String name : delegated.keySet()) {
                    list.append("<li><a href='").append(page.path("/consent?jndiName="
                            + URLEncoder.encode(name, StandardCharsets.UTF_8))).append("'>")
                            .append(ConsolePage.escape(name)).append("</a></li>");
                }
                page.html(list.append("</ul>").toString());
            }
            page.write(response, status, "Mailbox consent");
            return;
        }
        String connection;
        String redirect;
        try {
            MailboxConsent consent = FactoryAdministration.of(chosen).consent().orElseThrow();
            connection = consent.isConnected() ? "Connected: mail is sent as " + consent.username() + "."
                    : "Not connected: " + consent.username() + " has not signed in yet.";
            redirect = consent.redirectUri() == null ? "not set: set consentRedirectUri on the pool to this console's "
                    + request.getContextPath() + "/consent/callback address" : consent.redirectUri().toString();
        } catch (ResourceException e) {
            connection = "Unavailable: " + e.getMessage();
            redirect = "";
        }
        String name = ConsolePage.escape(jndiName);
        page.html("<p>Connection factory <b>" + name + "</b>. <span id='status'>" + ConsolePage.escape(connection)
                + "</span></p><p class='muted'>Entra sends the browser back to: " + ConsolePage.escape(redirect)
                + "</p>");
        page.html("<form class='inline' method='post' action='" + page.path("/consent/connect") + "'>"
                + page.csrfField() + "<input type='hidden' name='jndiName' value='" + name + "'>"
                + "<button type='submit' id='connect'>Connect mailbox</button></form> "
                + "<form class='inline' method='post' action='" + page.path("/consent/reset") + "'>"
                + page.csrfField() + "<input type='hidden' name='jndiName' value='" + name + "'>"
                + "<button type='submit' id='reset'>Reset</button></form>");
        page.write(response, status, "Mailbox consent");
    }
}
