package org.m365mail.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * One page of the console: the frame (title, navigation, who is signed in), the page's own HTML, and the CSRF token
 * for its forms. Every value that came from outside is {@linkplain #escape escaped} where it is written.
 */
final class ConsolePage {

    private final HttpServletRequest request;
    private final StringBuilder body = new StringBuilder();

    ConsolePage(HttpServletRequest request) {
        this.request = request;
    }

    /** Escapes text for HTML content and attribute values. */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '\'' -> b.append("&#39;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Adds HTML written by the console itself (escape every outside value in it). */
    ConsolePage html(String html) {
        body.append(html).append('\n');
        return this;
    }

    /** A message for the administrator, escaped. */
    ConsolePage message(String cssClass, String text) {
        if (text != null) {
            body.append("<p class='").append(cssClass).append("' id='message' role='status'>").append(escape(text))
                    .append("</p>\n");
        }
        return this;
    }

    /** The hidden field that carries the session's CSRF token in a form. */
    String csrfField() {
        return "<input type='hidden' name='" + CsrfProtection.FIELD + "' value='"
                + escape(CsrfProtection.token(request)) + "'>";
    }

    /** A path inside the console, for links and form actions. */
    String path(String relative) {
        return escape(request.getContextPath() + relative);
    }

    void write(HttpServletResponse response, int status, String title) throws IOException {
        response.setStatus(status);
        response.setContentType("text/html; charset=UTF-8");
        response.setCharacterEncoding("UTF-8");
        try (PrintWriter out = response.getWriter()) {
            out.println("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>" + escape(title)
                    + " · Microsoft 365 mail connector</title><link rel='stylesheet' href='" + path("/console.css")
                    + "'></head><body><header><h1>Microsoft 365 mail connector</h1><nav aria-label='Console'><a href='"
                    + path("/") + "'>Connection factories</a><a href='" + path("/assistant.html") + "'>Setup "
                    + "assistant</a><a href='" + path("/consent") + "' aria-current='page'>Mailbox consent</a>"
                    + "<span class='muted'> Signed in as " + escape(request.getRemoteUser())
                    + "</span></nav></header><main><h2>"
                    + escape(title) + "</h2>");
            out.print(body);
            out.println("</main></body></html>");
        }
    }
}
