package org.m365mail.sandbox;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Entra ID's authorization endpoint for the authorization code flow with PKCE
 * (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow): {@code GET
 * {authority}/{tenant}/oauth2/v2.0/authorize} shows a sign-in and consent page; signing in redirects to the app's
 * registered redirect URI with {@code code} and {@code state}. The code is redeemed once, within 10 minutes, at the
 * token endpoint with the {@code code_verifier} whose S256 hash is the {@code code_challenge}.
 */
final class EntraAuthorizeEndpoint {

    static final Duration CODE_LIFETIME = Duration.ofMinutes(10);

    /** An issued authorization code and what it was issued for. */
    record Code(String tenantId, String clientId, String user, List<String> scopes, boolean openId,
                String redirectUri, String challenge, Instant expires) {
    }

    private final SandboxDirectory directory;
    private final TokenIssuer issuer;
    private final Map<String, Code> codes = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    EntraAuthorizeEndpoint(SandboxDirectory directory, TokenIssuer issuer) {
        this.directory = directory;
        this.issuer = issuer;
    }

    void handle(HttpExchange exchange, String tenantSegment) throws IOException {
        Map<String, String> query = HttpReplies.form(Optional.ofNullable(exchange.getRequestURI().getRawQuery())
                .orElse("").getBytes(StandardCharsets.UTF_8));
        Map<String, String> form = "POST".equals(exchange.getRequestMethod())
                ? HttpReplies.form(exchange.getRequestBody().readAllBytes()) : Map.of();
        Map<String, String> p = new java.util.HashMap<>(query);
        p.putAll(form);
        Optional<SandboxDirectory.Tenant> tenant = directory.tenant(tenantSegment);
        Optional<SandboxDirectory.App> app = tenant.flatMap(t -> t.app(p.getOrDefault("client_id", "")));
        if (tenant.isEmpty() || app.isEmpty()) {
            page(exchange, 400, "<p>AADSTS700016: Application with identifier '" + escape(p.get("client_id"))
                    + "' was not found in the directory '" + escape(tenantSegment) + "'.</p>");
            return;
        }
        String redirectUri = p.getOrDefault("redirect_uri", "");
        if (!app.get().redirectUris().contains(redirectUri)) {
            page(exchange, 400, "<p>AADSTS50011: The redirect URI '" + escape(redirectUri) + "' specified in the "
                    + "request does not match the redirect URIs configured for the application '"
                    + escape(app.get().clientId()) + "'.</p>");
            return;
        }
        if (!"code".equals(p.get("response_type")) || !"S256".equals(p.get("code_challenge_method"))
                || p.getOrDefault("code_challenge", "").isBlank()) {
            reply(exchange, p, redirectUri, "error=invalid_request&error_description="
                    + enc("AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization "
                    + "code redemption.") + "&state=" + enc(p.getOrDefault("state", "")));
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            signInPage(exchange, p, null);
            return;
        }
        if ("cancel".equals(p.get("action"))) {
            reply(exchange, p, redirectUri, "error=access_denied&error_description="
                    + enc("AADSTS65004: User declined to consent to access the app.") + "&state="
                    + enc(p.getOrDefault("state", "")));
            return;
        }
        String user = p.getOrDefault("login", "");
        Optional<SandboxDirectory.Mailbox> mailbox = tenant.get().mailbox(user);
        if (mailbox.isEmpty() || !mailbox.get().passwordMatches(p.get("passwd"))) {
            signInPage(exchange, p, "AADSTS50126: Error validating credentials due to invalid username or password.");
            return;
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String code = "0.AXcode" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        List<String> requested = Arrays.asList(p.getOrDefault("scope", "").split("\\s+"));
        List<String> scopes = requested.stream().filter(s -> !s.isBlank() && !Set3.OIDC.contains(s)).toList();
        codes.put(code, new Code(tenant.get().id(), app.get().clientId(), mailbox.get().address(), scopes,
                requested.contains("openid"), redirectUri, p.get("code_challenge"), issuer.now().plus(CODE_LIFETIME)));
        reply(exchange, p, redirectUri, "code=" + enc(code) + "&state=" + enc(p.getOrDefault("state", ""))
                + "&session_state=" + enc(java.util.UUID.randomUUID().toString()));
    }

    /** Redeems a code once; empty when unknown, used, expired, for another app or redirect URI. */
    Optional<Code> redeem(String code, String clientId, String redirectUri) {
        Code found = code == null ? null : codes.remove(code);
        if (found == null || found.expires().isBefore(issuer.now()) || !found.clientId().equalsIgnoreCase(clientId)
                || !found.redirectUri().equals(redirectUri)) {
            return Optional.empty();
        }
        return Optional.of(found);
    }

    /** Whether {@code verifier} is the one whose S256 hash the code's challenge was. */
    static boolean verifies(Code code, String verifier) {
        if (verifier == null) {
            return false;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash).equals(code.challenge());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void signInPage(HttpExchange exchange, Map<String, String> p, String error) throws IOException {
        StringBuilder hidden = new StringBuilder();
        for (String name : List.of("client_id", "response_type", "redirect_uri", "scope", "state", "code_challenge",
                "code_challenge_method", "response_mode", "prompt", "login_hint")) {
            if (p.containsKey(name)) {
                hidden.append("<input type='hidden' name='").append(name).append("' value='")
                        .append(escape(p.get(name))).append("'>");
            }
        }
        page(exchange, 200, "<h1>Sign in</h1><p>Microsoft 365 sandbox: the app asks to " + escape(p.get("scope"))
                + " for you.</p>" + (error == null ? "" : "<p id='error' style='color:#a00'>" + escape(error) + "</p>")
                + "<form method='post'>" + hidden + "<p><label>Email <input id='login' name='login' value='"
                + escape(p.getOrDefault("login_hint", "")) + "'></label></p><p><label>Password <input id='passwd' "
                + "name='passwd' type='password'></label></p><p><button id='accept' name='action' value='accept'>"
                + "Sign in and accept</button> <button id='cancel' name='action' value='cancel'>Cancel</button></p>"
                + "</form>");
    }

    /**
     * Sends the answer back to the application the way it asked (response_mode): by default (query) a redirect with
     * the answer in the query string; with form_post, a page that POSTs it to the redirect URI as a form, as Entra does.
     * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
     */
    private static void reply(HttpExchange exchange, Map<String, String> p, String redirectUri, String query)
            throws IOException {
        if (!"form_post".equals(p.get("response_mode"))) {
            redirect(exchange, redirectUri, query);
            return;
        }
        StringBuilder fields = new StringBuilder();
        HttpReplies.form(query.getBytes(StandardCharsets.UTF_8)).forEach((name, value) -> fields
                .append("<input type='hidden' name='").append(escape(name)).append("' value='").append(escape(value))
                .append("'>"));
        HttpReplies.html(exchange, 200, "<!doctype html><html><head><meta charset='utf-8'><title>Working...</title>"
                + "</head><body onload='document.forms[0].submit()'><form method='post' action='"
                + escape(redirectUri) + "'>" + fields + "<noscript><button>Continue</button></noscript></form>"
                + "</body></html>");
    }

    private static void redirect(HttpExchange exchange, String redirectUri, String query) throws IOException {
        exchange.getResponseHeaders().set("Location", redirectUri + (URI.create(redirectUri).getQuery() == null
                ? "?" : "&") + query);
        HttpReplies.empty(exchange, 302);
    }

    private static void page(HttpExchange exchange, int status, String body) throws IOException {
        HttpReplies.html(exchange, status, "<!doctype html><html><head><meta charset='utf-8'><title>Sign in to your "
                + "account</title></head><body style='font-family:sans-serif;margin:2em'>" + body + "</body></html>");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("'", "&#39;").replace("\"", "&quot;");
    }

    /** Scopes Entra adds to any sign-in and that name no resource. */
    private static final class Set3 {
        static final java.util.Set<String> OIDC = java.util.Set.of("openid", "profile", "offline_access", "email");
    }
}
