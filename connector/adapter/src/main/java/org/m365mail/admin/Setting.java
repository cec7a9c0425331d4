package org.m365mail.admin;

/**
 * One property of a connection factory as the console shows it: what it is for, what it is set to and what it would
 * be without a value. A confidential property's value is never given, only whether it is set.
 *
 * @param name         the property's name, as set on the pool
 * @param group        the concern it belongs to ("Sign-in", "Sending", ...)
 * @param description  what it is for and what to put there (the same text the server's tools are given)
 * @param value        the value in effect, {@code null} when unset; for a confidential property {@code "(set)"} or
 *                     {@code null}
 * @param defaultValue the value used when the pool sets none, or {@code null} when there is none
 * @param confidential whether it is a secret (its value is never shown)
 * @param set          whether the pool sets it (a value it sets stays when a later version changes the default)
 */
public record Setting(String name, String group, String description, String value, String defaultValue,
                      boolean confidential, boolean set) {
}
