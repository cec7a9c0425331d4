package org.m365mail.auth;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.spi.InitialContextFactory;
import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A naming tree standing in for the server's: while {@link #install}'s scope is open, {@code new InitialContext()}
 * finds what was bound there; other names are not found.
 */
public final class NamingStandIn implements InitialContextFactory {

    private static final String FACTORY = "java.naming.factory.initial";
    private static final Map<String, Object> BOUND = new ConcurrentHashMap<>();

    /** Makes {@code bound} the naming tree of {@code new InitialContext()} until the returned scope is closed. */
    static AutoCloseable install(Map<String, Object> bound) {
        String before = System.getProperty(FACTORY);
        BOUND.clear();
        BOUND.putAll(bound);
        System.setProperty(FACTORY, NamingStandIn.class.getName());
        return () -> {
            BOUND.clear();
            if (before == null) {
                System.clearProperty(FACTORY);
            } else {
                System.setProperty(FACTORY, before);
            }
        };
    }

    @Override
    public Context getInitialContext(Hashtable<?, ?> environment) {
        return (Context) Proxy.newProxyInstance(NamingStandIn.class.getClassLoader(), new Class<?>[]{Context.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "lookup" -> {
                        Object found = BOUND.get(String.valueOf(args[0]));
                        if (found == null) {
                            throw new NameNotFoundException(args[0] + " not bound");
                        }
                        yield found;
                    }
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
