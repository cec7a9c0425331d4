package org.m365mail.alert;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.naming.spi.InitialContextFactory;
import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A naming tree for tests of the alert fallback, standing in for the server's: {@code new InitialContext()} finds
 * what {@link #bind} put there while {@link #install()}'s scope is open; other names are not found.
 */
public final class TestNaming implements InitialContextFactory {

    private static final String FACTORY = "java.naming.factory.initial";
    /** What is bound, by name; a value of {@link #NULL} is a name bound to {@code null}. */
    private static final Map<String, Object> BOUND = new ConcurrentHashMap<>();
    private static final Object NULL = new Object();

    /** Makes this the naming tree of {@code new InitialContext()} until the returned scope is closed. */
    static AutoCloseable install() {
        String before = System.getProperty(FACTORY);
        System.setProperty(FACTORY, TestNaming.class.getName());
        return () -> {
            BOUND.clear();
            if (before == null) {
                System.clearProperty(FACTORY);
            } else {
                System.setProperty(FACTORY, before);
            }
        };
    }

    static void bind(String name, Object value) {
        BOUND.put(name, value == null ? NULL : value);
    }

    @Override
    public Context getInitialContext(Hashtable<?, ?> environment) {
        return (Context) Proxy.newProxyInstance(TestNaming.class.getClassLoader(), new Class<?>[]{Context.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "lookup" -> {
                        Object found = BOUND.get(String.valueOf(args[0]));
                        if (found == null) {
                            throw new NameNotFoundException(args[0] + " not bound");
                        }
                        yield found == NULL ? null : found;
                    }
                    case "close" -> null;
                    default -> throw new NamingException(method.getName() + " is not supported here");
                });
    }
}
