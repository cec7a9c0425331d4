package org.m365mail.it;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP client of the console as a browser or script uses it: its own cookies (the session, which holds the CSRF
 * token), and, when given, a user's credentials sent with every request (BASIC, the console's sign-in).
 */
final class ConsoleClient {

    /** The console, on the host name its delegated pools' consentRedirectUri names. */
    static final URI CONSOLE = URI.create("http://localhost:" + System.getProperty("micro.a.http.port")
            + "/m365-mail-console/");
    static final String ADMIN = "console-admin";
    static final String STAFF = "console-staff";
    static final String PASSWORD = "it-console-password";
    private static final Pattern CSRF = Pattern.compile("\"csrfToken\":\"([^\"]+)\"");
    private static final Pattern FORM_CSRF = Pattern.compile("name='csrf' value='([^']+)'");

    private final HttpClient http;
    private final String authorization;

    private ConsoleClient(String user, HttpClient.Builder builder) {
        this.http = builder.cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
        this.authorization = user == null ? null : "Basic " + Base64.getEncoder().encodeToString((user + ":"
                + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    static ConsoleClient anonymous() {
        return new ConsoleClient(null, HttpClient.newBuilder());
    }

    static ConsoleClient signedInAs(String user) {
        return new ConsoleClient(user, HttpClient.newBuilder());
    }

    /** Signed in, and able to follow the console to the stand-in's sign-in page over its TLS. */
    static ConsoleClient signedInAs(String user, javax.net.ssl.SSLContext tls) {
        return new ConsoleClient(user, HttpClient.newBuilder().sslContext(tls));
    }

    HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(resolve(path)).GET());
    }

    /** Follows an absolute address (Entra's sign-in page, a redirect back) with this client's cookies. */
    HttpResponse<String> get(URI absolute) throws Exception {
        return send(HttpRequest.newBuilder(absolute).GET());
    }

    /** A form post; {@code csrf} is added as the form field when not {@code null}. */
    HttpResponse<String> post(String path, String csrf, String... pairs) throws Exception {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            form.append(form.length() == 0 ? "" : "&").append(enc(pairs[i])).append('=').append(enc(pairs[i + 1]));
        }
        if (csrf != null) {
            form.append(form.length() == 0 ? "" : "&").append("csrf=").append(enc(csrf));
        }
        return send(HttpRequest.newBuilder(resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())));
    }

    /** A form post to an absolute address (Entra's sign-in form). */
    HttpResponse<String> postTo(URI absolute, String form) throws Exception {
        return send(HttpRequest.newBuilder(absolute).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    /** The session's CSRF token, as an API client gets it. */
    String csrf() throws Exception {
        HttpResponse<String> response = get("api/factories");
        Matcher m = CSRF.matcher(response.body());
        if (response.statusCode() != 200 || !m.find()) {
            throw new AssertionError("no CSRF token: " + response.statusCode() + " " + response.body());
        }
        return m.group(1);
    }

    /** The CSRF token in a page's forms. */
    static String formCsrf(String page) {
        Matcher m = FORM_CSRF.matcher(page);
        if (!m.find()) {
            throw new AssertionError("no form with a CSRF token in: " + page);
        }
        return m.group(1);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        if (authorization != null && request.build().uri().getPort() == CONSOLE.getPort()) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI resolve(String path) {
        return CONSOLE.resolve(path);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
