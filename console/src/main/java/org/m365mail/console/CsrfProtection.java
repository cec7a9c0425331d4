package org.m365mail.console;

import jakarta.json.Json;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Refuses every state-changing request that does not carry the session's CSRF token: a form field {@value #FIELD} or
 * the header {@value #HEADER}. The browser attaches the administrator's credentials to any request for the console,
 * including one another site makes it send; only the console's own pages and API clients that asked for the token
 * know it.
 *
 * <p>A synchronizer token per session (https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html),
 * compared in constant time. Reads ({@code GET}, {@code HEAD}) change nothing and need none; the one {@code GET} that
 * does change something, the consent callback, is bound to the session by the sign-in's {@code state}.
 */
@WebFilter(filterName = "CsrfProtection")
public class CsrfProtection extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(CsrfProtection.class.getName());
    static final String FIELD = "csrf";
    static final String HEADER = "X-CSRF-Token";
    private static final String ATTRIBUTE = "m365mail.csrf";
    private static final Set<String> SAFE = Set.of("GET", "HEAD");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The session's token, made on first use. */
    static String token(HttpServletRequest request) {
        HttpSession session = request.getSession(true);
        synchronized (session) {
            String token = (String) session.getAttribute(ATTRIBUTE);
            if (token == null) {
                byte[] bytes = new byte[32];
                RANDOM.nextBytes(bytes);
                token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
                session.setAttribute(ATTRIBUTE, token);
            }
            return token;
        }
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (SAFE.contains(request.getMethod()) || carriesToken(request)) {
            chain.doFilter(request, response);
            return;
        }
        LOG.warning("M365MAIL-5004 Refused a " + request.getMethod() + " to the console without a valid CSRF token, "
                + "by " + org.m365mail.logging.LogText.of(request.getRemoteUser()) + " from "
                + request.getRemoteAddr());
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType("application/json");
        response.getOutputStream().write(Json.createObjectBuilder()
                .add("error", "This request carries no valid CSRF token: reload the console's page and try again "
                        + "(API clients: GET api/factories for the token, send it as " + HEADER + ")")
                .build().toString().getBytes(StandardCharsets.UTF_8));
    }

    private static boolean carriesToken(HttpServletRequest request) throws IOException {
        HttpSession session = request.getSession(false);
        String expected = session == null ? null : (String) session.getAttribute(ATTRIBUTE);
        if (expected == null) {
            return false;
        }
        request.setCharacterEncoding("UTF-8");
        String presented = request.getHeader(HEADER);
        if (presented == null) {
            presented = request.getParameter(FIELD);
        }
        return presented != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }
}
