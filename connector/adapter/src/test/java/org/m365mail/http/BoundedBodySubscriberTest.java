package org.m365mail.http;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The body subscriber as the JDK's client drives it, without a socket: what it asks for, how it decodes, where it
 * cuts and that it gives the connection up once cut.
 */
class BoundedBodySubscriberTest {

    /** What the subscriber asked of its subscription. */
    private static final class RecordingSubscription implements Flow.Subscription {
        final List<Long> requested = new ArrayList<>();
        int cancelled;

        @Override
        public void request(long n) {
            requested.add(n);
        }

        @Override
        public void cancel() {
            cancelled++;
        }
    }

    private final RecordingSubscription subscription = new RecordingSubscription();

    private HttpResponse.BodySubscriber<String> subscriber(int limit, String contentType) {
        Map<String, List<String>> headers = contentType == null ? Map.of() : Map.of("Content-Type",
                List.of(contentType));
        HttpResponse.ResponseInfo info = new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
                return 200;
            }

            @Override
            public HttpHeaders headers() {
                return HttpHeaders.of(headers, (name, value) -> true);
            }

            @Override
            public HttpClient.Version version() {
                return HttpClient.Version.HTTP_1_1;
            }
        };
        HttpResponse.BodySubscriber<String> s = BoundedBody.ofString(limit).apply(info);
        s.onSubscribe(subscription);
        return s;
    }

    private static String body(HttpResponse.BodySubscriber<String> s) throws Exception {
        return s.getBody().toCompletableFuture().get();
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void itAsksForTheWholeBodyAtOnce() {
        subscriber(100, null);
        assertEquals(List.of(Long.MAX_VALUE), subscription.requested);
    }

    @Test
    void aBodyInSeveralPartsUnderTheBoundIsReadWholeAndTheConnectionKept() throws Exception {
        HttpResponse.BodySubscriber<String> s = subscriber(10_000, "application/json");
        String big = "y".repeat(3000);
        s.onNext(List.of(bytes("{\"a\":"), bytes("\"" + big)));
        s.onNext(List.of(bytes("\"}")));
        s.onComplete();
        assertEquals("{\"a\":\"" + big + "\"}", body(s), "grown past its first buffer without losing a byte");
        assertEquals(0, subscription.cancelled);
    }

    @Test
    void aBodyOfExactlyTheBoundIsNotTruncated() throws Exception {
        HttpResponse.BodySubscriber<String> s = subscriber(8, null);
        s.onNext(List.of(bytes("1234"), bytes("5678")));
        s.onComplete();
        assertEquals("12345678", body(s));
        assertEquals(0, subscription.cancelled);
    }

    @Test
    void oneByteMoreThanTheBoundIsCutAndTheConnectionGivenUp() throws Exception {
        HttpResponse.BodySubscriber<String> s = subscriber(8, null);
        s.onNext(List.of(bytes("1234"), bytes("56789")));
        assertEquals("12345678" + BoundedBody.TRUNCATED, body(s));
        assertEquals(1, subscription.cancelled, "the rest is not read");
        s.onNext(List.of(bytes("more")));
        s.onComplete();
        assertEquals("12345678" + BoundedBody.TRUNCATED, body(s), "what comes after the cut changes nothing");
        assertEquals(1, subscription.cancelled);
    }

    @Test
    void theAnswersCharsetDecodesTheBody() throws Exception {
        HttpResponse.BodySubscriber<String> s = subscriber(100, "text/plain; charset=ISO-8859-1");
        s.onNext(List.of(ByteBuffer.wrap("Grüße".getBytes(StandardCharsets.ISO_8859_1))));
        s.onComplete();
        assertEquals("Grüße", body(s));
    }

    @Test
    void aQuotedCharsetInAnyCaseIsUnderstood() throws Exception {
        HttpResponse.BodySubscriber<String> s = subscriber(100, "text/plain;CHARSET=\"utf-16be\"");
        s.onNext(List.of(ByteBuffer.wrap("Grüße".getBytes(StandardCharsets.UTF_16BE))));
        s.onComplete();
        assertEquals("Grüße", body(s));
    }

    @Test
    void withoutACharsetTheBodyIsUtf8() throws Exception {
        HttpResponse.BodySubscriber<String> s = subscriber(100, "application/json");
        s.onNext(List.of(bytes("Grüße")));
        s.onComplete();
        assertEquals("Grüße", body(s));
    }

    @Test
    void anUnknownCharsetFallsBackToUtf8() throws Exception {
        HttpResponse.BodySubscriber<String> s = subscriber(100, "text/plain; charset=x-no-such-charset");
        s.onNext(List.of(bytes("Grüße")));
        s.onComplete();
        assertEquals("Grüße", body(s));
    }

    @Test
    void aFailedReadFailsTheBody() {
        HttpResponse.BodySubscriber<String> s = subscriber(100, null);
        s.onNext(List.of(bytes("half")));
        s.onError(new IOException("connection reset"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> body(s));
        assertInstanceOf(IOException.class, e.getCause());
    }
}
