package org.m365mail.config;

import java.io.Serializable;
import java.util.Objects;

/**
 * A configured secret (client secret, password). Its {@link #toString()} never shows the value, so a secret that
 * ends up in a log line or an exception message by accident shows as {@code ****}.
 */
public final class Secret implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /** @return the secret, or {@code null} when {@code value} is null or blank */
    public static Secret of(String value) {
        return value == null || value.isBlank() ? null : new Secret(value);
    }

    /** The value itself, for the one place that must send it. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(value);
    }

    @Override
    public String toString() {
        return "****";
    }
}
