package org.m365mail.config;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.resource.spi.InvalidPropertyException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What is wrong with a factory's properties, collected across every concern so that an administrator fixes the pool in
 * one round rather than one error at a time; and the small readings every concern needs.
 */
final class Problems {

    private final List<String> found = new ArrayList<>();

    /** @param problem names the property and says what to put there */
    void add(String problem) {
        found.add(problem);
    }

    /** @throws InvalidPropertyException naming every problem found, if any */
    void throwIfAny() throws InvalidPropertyException {
        if (!found.isEmpty()) {
            throw new InvalidPropertyException((found.size() == 1 ? "Invalid mail connector configuration: "
                    : "Invalid mail connector configuration (" + found.size() + " problems): ")
                    + String.join("; ", found));
        }
    }

    /** The value without surrounding blanks, or {@code null} when there is none. */
    static String trim(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /**
     * The plain e-mail addresses of a comma-separated list, each once (any case); a problem naming {@code property}
     * for each entry that is not one.
     */
    List<InternetAddress> addresses(String property, String list) {
        List<InternetAddress> found = new ArrayList<>();
        String value = trim(list);
        if (value == null) {
            return List.of();
        }
        for (String entry : value.split("[,;\\s]+")) {
            if (entry.isBlank()) {
                continue;
            }
            try {
                InternetAddress a = new InternetAddress(entry.trim(), true);
                if (a.getPersonal() != null || !a.getAddress().contains("@")) {
                    throw new AddressException("not a bare address");
                }
                if (found.stream().noneMatch(x -> x.getAddress().equalsIgnoreCase(a.getAddress()))) {
                    found.add(a);
                }
            } catch (AddressException e) {
                add(property + " must list plain e-mail addresses separated by commas (was '" + entry.trim() + "')");
            }
        }
        return List.copyOf(found);
    }

    /** {@code value}, or {@code fallback} when unset; a problem when below {@code minimum}. */
    int atLeast(String property, Integer value, int fallback, int minimum) {
        int v = value == null ? fallback : value;
        if (v < minimum) {
            add(property + " must be at least " + minimum + " (was " + v + ")");
        }
        return v;
    }

    /** The constant {@code value} names (any case), {@code fallback} when unset; a problem naming the choices. */
    <E extends Enum<E>> E choice(String property, String value, Class<E> type, E fallback) {
        String v = trim(value);
        if (v == null) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E constant : type.getEnumConstants()) {
                names.add(constant.name());
            }
            String choices = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
            add(property + " must be " + choices + " (was '" + v + "')");
            return fallback;
        }
    }
}
