package org.m365mail.config;

import java.util.regex.Pattern;

/**
 * Which names the connector looks up. A lookup of a URL name ({@code ldap://…}, {@code rmi://…}, {@code iiop:…},
 * {@code dns:…}) makes the server connect out (the class of bug behind Log4Shell), so only the server's own names are
 * looked up, and from the connector's own threads only those an application's context is not needed for.
 */
public final class JndiNames {

    /** A plain name ({@code mail/Alerts}, {@code jdbc/mailTokens}) or a {@code java:global/} one. */
    private static final Pattern GLOBAL = Pattern.compile("(java:global/)?[A-Za-z0-9_][A-Za-z0-9_.\\-/]*");
    /** A name without a scheme, or in the {@code java:} namespace. */
    private static final Pattern SERVERS = Pattern.compile("(java:[a-z]+/)?[A-Za-z0-9_][A-Za-z0-9_.\\-/#]*");

    private JndiNames() {
    }

    /**
     * Whether {@code name} can be looked up from the connector's own threads: a plain or {@code java:global/} name;
     * not {@code java:app/}, {@code java:module/}, {@code java:comp/} (they exist only inside an application) and no
     * URL.
     */
    public static boolean isGlobal(String name) {
        return name != null && GLOBAL.matcher(name).matches();
    }

    /** Whether {@code name} is one of the server's own names: no URL scheme, at most the {@code java:} namespace. */
    public static boolean isServers(String name) {
        return name != null && SERVERS.matcher(name).matches();
    }

    /** What an administrator reads when a property names something else: {@code property} and the value it had. */
    static String problem(String property, String value, String what) {
        return property + " must be the JNDI name of " + what + " as the server knows it, such as a plain name or a "
                + "java:global/ one (was '" + value + "'); application names (java:app/, java:module/, java:comp/) "
                + "and URLs are not looked up";
    }
}
