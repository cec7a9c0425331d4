package org.m365mail.config;

import java.beans.Introspector;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Values that reached the connector as the administrator wrote them because the server could not resolve them: a
 * password alias ({@code ${ALIAS=name}}) that does not exist, an environment variable ({@code ${ENV=NAME}}) or a
 * MicroProfile Config property ({@code ${MPCONFIG=name}}) that is not set. Payara logs only a warning for these and
 * hands the text over unchanged; used as a secret it would fail at Entra much later, with a message that does not say
 * why. Here it is refused when the pool is made or pinged, naming the property and the reference. Open Liberty's
 * encoded values ({@code {aes}…}, {@code {xor}…}) are the same trap: Liberty decodes them only for properties whose name
 * contains "password" and hands the rest over encoded.
 */
final class AliasRules {

    /** Payara's reference forms; GlassFish's command line needs the {@code =} escaped, so {@code \=} is read too. */
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(ALIAS|ENV|MPCONFIG)\\\\?=([^}]*)}");

    /** Liberty's encodings that {@code securityUtility encode} writes; {@code {hash}} cannot be decoded at all. */
    private static final Pattern ENCODED = Pattern.compile("^\\s*\\{(aes|xor|hash)}", Pattern.CASE_INSENSITIVE);

    private AliasRules() {
    }

    static void check(MailProperties p, Problems problems) {
        Method[] getters = MailProperties.class.getMethods();
        Arrays.sort(getters, Comparator.comparing(Method::getName));
        for (Method getter : getters) {
            if (getter.getReturnType() != String.class || !getter.getName().startsWith("get")
                    || getter.getParameterCount() != 0) {
                continue;
            }
            String value;
            try {
                value = (String) getter.invoke(p);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (value == null) {
                continue;
            }
            String property = Introspector.decapitalize(getter.getName().substring(3));
            Matcher m = REFERENCE.matcher(value);
            if (m.find()) {
                problems.add(problem(property, m.group(1), m.group(2).trim()));
            }
            Matcher encoded = ENCODED.matcher(value);
            if (encoded.find()) {
                problems.add(encoded(property, encoded.group(1).toLowerCase(java.util.Locale.ROOT)));
            }
        }
    }

    private static String encoded(String property, String encoding) {
        String fix = property.toLowerCase(java.util.Locale.ROOT).contains("password")
                ? "check that the server has the key it was encoded with (wlp.aes.encryption.key)"
                : "Open Liberty decodes such values only for properties whose name contains password"
                        + ("clientSecret".equals(property) ? ": give the client secret as applicationPassword instead"
                                : ": give this value as plain text, or as a variable");
        return property + " holds a value encoded with {" + encoding + "} that reached the connector undecoded: " + fix
                + ("hash".equals(encoding) ? " ({hash} is one-way and cannot be used for a value the connector sends)"
                        : "");
    }

    private static String problem(String property, String kind, String name) {
        return switch (kind) {
            case "ALIAS" -> property + " names the password alias '" + name + "', which this server does not have "
                    + "(the text ${ALIAS=" + name + "} reached the connector unresolved): create it with asadmin "
                    + "create-password-alias " + name + ", or correct the alias's name, then ping the pool again";
            case "ENV" -> property + " names the environment variable " + name + ", which is not set for the server's "
                    + "process (the text ${ENV=" + name + "} reached the connector unresolved): set it and restart "
                    + "the server, or give the value another way";
            default -> property + " names the MicroProfile Config property " + name + ", which the server does not "
                    + "have (the text ${MPCONFIG=" + name + "} reached the connector unresolved): set it, or give "
                    + "the value another way";
        };
    }
}
