package org.m365mail.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every request the token endpoint received, so tests can count them. */
public final class TokenRequestLog {

    /**
     * One token request.
     *
     * @param tenant     the {tenant} path segment
     * @param clientId   the client_id sent, or {@code null}
     * @param scope      the scope sent, or {@code null}
     * @param grantType  the grant_type sent
     * @param status     the HTTP status answered
     * @param error      the AADSTS error, or {@code null} on success
     * @param at         when it came
     * @param credential which client credential the request presented ({@link #secretId(String)} or
     *                   {@link #certificateId(X509Certificate)}, or for an assertion whose signature no registered
     *                   certificate verified, {@code "certificate:"} and the thumbprint its header names), or
     *                   {@code null} when it presented none (managed identity, public clients); recorded whatever
     *                   the answer
     */
    public record Entry(String tenant, String clientId, String scope, String grantType, int status, String error,
                        Instant at, String credential) {
        /** Whether the scope asked for the named resource, e.g. {@code https://outlook.office365.com}. */
        public boolean isFor(String resource) {
            return scope != null && scope.contains(resource);
        }
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    /**
     * How the log names a client secret: {@code "secret:"} and the first 12 hex digits of the SHA-256 of its UTF-8
     * bytes. Enough to tell an app's secrets apart (old and new, during a rotation) without the log ever holding
     * one.
     */
    public static String secretId(String secret) {
        Objects.requireNonNull(secret, "secret");
        return "secret:" + HexFormat.of().formatHex(sha256(secret.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
    }

    /**
     * How the log names a certificate credential: {@code "certificate:"} and its {@code x5t#S256} thumbprint, the
     * base64url (no padding) SHA-256 of its DER encoding, as a client assertion's header names it
     * (https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials).
     */
    public static String certificateId(X509Certificate certificate) {
        Objects.requireNonNull(certificate, "certificate");
        try {
            return "certificate:" + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(sha256(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot encode the certificate: " + e.getMessage(), e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }

    void add(Entry entry) {
        entries.add(entry);
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /**
     * The credential of each request, in order, {@code null} kept for requests that presented none, so the list
     * lines up with {@link #entries()}.
     */
    public List<String> credentials() {
        // Stream.toList, not List.copyOf: it keeps the nulls.
        return entries.stream().map(Entry::credential).toList();
    }

    /** How many requests were answered with a token. */
    public long issued() {
        return entries.stream().filter(e -> e.status() == 200).count();
    }

    /** How many requests asked for a token for {@code resource} (any outcome). */
    public long count(String resource) {
        return entries.stream().filter(e -> e.isFor(resource)).count();
    }

    public int total() {
        return entries.size();
    }

    public void clear() {
        entries.clear();
    }
}
