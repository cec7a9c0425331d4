package org.m365mail.http;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads an HTTP answer's body as text, but no more than a bound: an answer from a misbehaving or hostile endpoint (a
 * proxy, a wrong {@code graphUrl}) cannot fill the server's heap. Past the bound the rest is not read, the connection
 * is given up, and the text ends with {@value #TRUNCATED}, so a parser fails on it instead of reading half a document.
 */
public final class BoundedBody implements HttpResponse.BodySubscriber<String> {

    /** Entra's token answers and errors are a few kilobytes. */
    public static final int ENTRA_LIMIT = 1024 * 1024;
    /** Graph echoes a draft message, body included, which may be up to a request's 4 MB. */
    public static final int GRAPH_LIMIT = 8 * 1024 * 1024;
    static final String TRUNCATED = "...[truncated]";

    private final int limit;
    private final Charset charset;
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private byte[] bytes = new byte[1024];
    private int length;
    private Flow.Subscription subscription;

    private BoundedBody(int limit, Charset charset) {
        this.limit = limit;
        this.charset = charset;
    }

    /** A body handler that reads at most {@code limit} bytes, decoded with the answer's charset (UTF-8 if none). */
    public static HttpResponse.BodyHandler<String> ofString(int limit) {
        return info -> new BoundedBody(limit, charsetOf(info.headers().firstValue("Content-Type").orElse("")));
    }

    private static Charset charsetOf(String contentType) {
        for (String parameter : contentType.split(";")) {
            String p = parameter.trim();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                try {
                    return Charset.forName(p.substring(8).replace("\"", "").trim());
                } catch (RuntimeException unknown) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    @Override
    public CompletionStage<String> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer buffer : buffers) {
            int take = Math.min(buffer.remaining(), limit - length);
            if (length + take > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.min(limit, Math.max(bytes.length * 2, length + take)));
            }
            buffer.get(bytes, length, take);
            length += take;
            if (buffer.hasRemaining()) {
                subscription.cancel();
                result.complete(new String(bytes, 0, length, charset) + TRUNCATED);
                return;
            }
        }
    }

    @Override
    public void onError(Throwable failure) {
        result.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
        result.complete(new String(bytes, 0, length, charset));
    }
}
