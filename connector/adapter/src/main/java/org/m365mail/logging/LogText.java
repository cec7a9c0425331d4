package org.m365mail.logging;

/**
 * Makes a value that came from outside (a header an application set, a name in a request) safe to put in a log line:
 * line breaks and other control characters become {@code _}, so that no value can start a forged log line, and a
 * value longer than a log line should be is cut.
 */
public final class LogText {

    private static final int MAX_LENGTH = 300;

    private LogText() {
    }

    /** @return {@code value} with control characters replaced and at most 300 characters, or {@code "null"} */
    public static String of(Object value) {
        return clean(value, MAX_LENGTH);
    }

    /**
     * @return {@code value} with control characters replaced, however long: for a text the connector composed whose
     *         every word must reach the log (an alert that could not be mailed)
     */
    public static String whole(Object value) {
        return clean(value, Integer.MAX_VALUE);
    }

    private static String clean(Object value, int maxLength) {
        if (value == null) {
            return "null";
        }
        String text = value.toString();
        int length = Math.min(text.length(), maxLength);
        StringBuilder clean = new StringBuilder(length + 3);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            // C0, DEL, C1, and the Unicode line and paragraph separators all end a line in some log viewer.
            clean.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '_' : c);
        }
        if (text.length() > length) {
            clean.append("...");
        }
        return clean.toString();
    }
}
