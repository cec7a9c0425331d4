package org.m365mail.sandbox;

/**
 * Faults a test asks the stand-in's token endpoint to answer with, once each, in order: what Entra ID answers when it
 * is overloaded or failing. Its error bodies follow RFC 6749 §5.2 and Entra's own ({@code error},
 * {@code error_description} with an AADSTS code, {@code error_codes}, {@code trace_id}, {@code correlation_id}).
 */
public final class TokenFaults extends FaultQueue<TokenFaults.Fault, TokenFaults> {

    /** A one-shot fault. */
    public enum Fault {
        /** {@code 503} with {@code temporarily_unavailable} and {@code Retry-After: 1}. */
        UNAVAILABLE,
        /** {@code 500} with {@code server_error}. */
        SERVER_ERROR,
        /** The usual answer, two seconds late: past a client's read timeout of less. */
        SLOW
    }

    Fault next() {
        return poll();
    }
}
