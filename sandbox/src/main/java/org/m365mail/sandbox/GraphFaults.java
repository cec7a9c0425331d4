package org.m365mail.sandbox;

/** Answers a test asks the stand-in's Graph to give instead of the real one, once each, in order. */
public final class GraphFaults extends FaultQueue<GraphFaults.Fault, GraphFaults> {

    /** A one-shot fault. */
    public enum Fault {
        /** {@code 429 TooManyRequests} with {@code Retry-After: 0.2} (Graph sends fractional seconds). */
        THROTTLED,
        /** {@code 503 ServiceUnavailable} with {@code Retry-After: 0.2}. */
        UNAVAILABLE,
        /** {@code 500 InternalServerError} without Retry-After. */
        SERVER_ERROR,
        /** No answer for two seconds, then {@code 504}, the message not taken: a client's read timeout fires first. */
        HANG,
        /** The request is served as usual, 300 ms late (within a client's read timeout): a slow Graph, nothing lost. */
        SLOW,
        /**
         * The message is taken (sent, or the draft step done), then the connection closes without an answer: a
         * client cannot tell this from {@link #DROPPED_BEFORE_READING}, and must not send it again.
         */
        ANSWER_LOST_AFTER_ACCEPTING,
        /** The message is taken and its answer comes two seconds late, after a client's read timeout. */
        ANSWER_LATE_AFTER_ACCEPTING,
        /** The connection closes after the request's headers, before its body is read: nothing is taken. */
        DROPPED_BEFORE_READING,
        /** {@code 504 GatewayTimeout} at once, the message not taken (the client cannot know that). */
        GATEWAY_TIMEOUT,
        /** The next attachment chunk is stored only in part and answered {@code 500}: the client must resume. */
        UPLOAD_CHUNK_FAILS,
        /**
         * The upload session expires under the next chunk after the first: {@code 404 ItemNotFound}, the bytes so far
         * gone. The client must open a new session ("The complete file must be uploaded before this expiration time
         * is reached", https://learn.microsoft.com/en-us/graph/api/resources/uploadsession).
         */
        UPLOAD_SESSION_EXPIRES
    }

    /** The next fault for a Graph request; upload faults wait for an upload. */
    Fault next() {
        Fault head = peek();
        return head == null || isUploadFault(head) ? null : poll();
    }

    private static boolean isUploadFault(Fault fault) {
        return fault == Fault.UPLOAD_CHUNK_FAILS || fault == Fault.UPLOAD_SESSION_EXPIRES;
    }

    boolean takeUploadFault() {
        return takeIfNext(Fault.UPLOAD_CHUNK_FAILS);
    }

    /** Whether the session expires under this chunk: not the first of a session, so that some bytes are lost. */
    boolean takeSessionExpiry(boolean firstChunk) {
        return !firstChunk && takeIfNext(Fault.UPLOAD_SESSION_EXPIRES);
    }
}
