package org.m365mail.testing;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.naming.spi.InitialContextFactory;
import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A naming tree standing in for the server's, for code that looks things up with {@code new InitialContext()}: while
 * {@link #install}'s scope is open, a lookup finds what was bound; other names are not found. JNDI makes this factory
 * by its class name (the {@code java.naming.factory.initial} system property), so what is bound is kept statically,
 * for one test at a time, and cleared when the scope closes.
 */
public final class TestNaming implements InitialContextFactory {

    private static final String FACTORY = "java.naming.factory.initial";
    /** What is bound, by name; a value of {@link #NULL} is a name bound to {@code null}. */
    private static final Map<String, Object> BOUND = new ConcurrentHashMap<>();
    private static final Object NULL = new Object();

    /** Makes an empty tree that of {@code new InitialContext()} until the returned scope is closed. */
    public static AutoCloseable install() {
        return install(Map.of());
    }

    /** Makes {@code bound} the tree of {@code new InitialContext()} until the returned scope is closed. */
    public static AutoCloseable install(Map<String, ?> bound) {
        String before = System.getProperty(FACTORY);
        BOUND.clear();
        bound.forEach(TestNaming::bind);
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

    /** Binds {@code value} (which may be {@code null}) under {@code name} in the installed tree. */
    public static void bind(String name, Object value) {
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
