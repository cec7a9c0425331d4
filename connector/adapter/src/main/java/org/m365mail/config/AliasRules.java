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
 * why. Here it is refused when the pool is made or pinged, naming the property and the reference.
 */
final class AliasRules {

    /** Payara's reference forms; GlassFish's command line needs the {@code =} escaped, so {@code \=} is read too. */
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(ALIAS|ENV|MPCONFIG)\\\\?=([^}]*)}");

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
            Matcher m = REFERENCE.matcher(value);
            if (m.find()) {
                problems.add(problem(Introspector.decapitalize(getter.getName().substring(3)), m.group(1),
                        m.group(2).trim()));
            }
        }
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
