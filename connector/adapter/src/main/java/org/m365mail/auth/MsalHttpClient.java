package org.m365mail.auth;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import org.m365mail.http.BoundedBody;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

/**
 * Lets msal4j send its token requests through the connector's own {@link HttpClient}, so that the token endpoint
 * is reached with the same trust store, proxy (with credentials) and timeouts as Graph.
 */
final class MsalHttpClient implements IHttpClient {

    /** Headers the JDK client sets itself and refuses from callers. */
    private static final java.util.Set<String> RESTRICTED = java.util.Set.of("connection", "content-length", "host",
            "expect", "upgrade");

    private final HttpClient http;
    private final Duration timeout;

    MsalHttpClient(HttpClient http, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
    }

    @Override
    public IHttpResponse send(HttpRequest request) throws Exception {
        java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder(request.url().toURI())
                .timeout(timeout);
        if (request.headers() != null) {
            for (Map.Entry<String, String> header : request.headers().entrySet()) {
                if (!RESTRICTED.contains(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    builder.header(header.getKey(), header.getValue());
                }
            }
        }
        switch (request.httpMethod()) {
            case POST -> builder.POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                    request.body() == null ? "" : request.body()));
            case GET -> builder.GET();
            default -> builder.method(request.httpMethod().name(), java.net.http.HttpRequest.BodyPublishers.noBody());
        }
        java.net.http.HttpResponse<String> response = http.send(builder.build(),
                BoundedBody.ofString(BoundedBody.ENTRA_LIMIT));
        HttpResponse answer = new HttpResponse().statusCode(response.statusCode()).body(response.body());
        answer.addHeaders(response.headers().map());
        return answer;
    }
}
