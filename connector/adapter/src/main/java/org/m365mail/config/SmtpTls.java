package org.m365mail.config;

/** How the SMTP connection is protected. */
public enum SmtpTls {
    /** Plain connect, then STARTTLS before anything else; the connection fails if the server does not offer it. */
    STARTTLS,
    /** TLS from the first byte (SMTPS, usually port 465). */
    IMPLICIT,
    /**
     * No TLS at all. Accepted only when {@code smtpHost} is this machine (127.0.0.1, ::1, localhost): for test servers,
     * never for a real one, since the password or token would cross the network readable.
     */
    PLAINTEXT_LOOPBACK_ONLY
}
