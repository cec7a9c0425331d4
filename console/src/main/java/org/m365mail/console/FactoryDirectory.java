package org.m365mail.console;

import jakarta.enterprise.context.ApplicationScoped;
import org.m365mail.api.MailConnectionFactory;

import javax.naming.Context;
import javax.naming.InitialContext;
import javax.naming.NameClassPair;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connection factories of this connector that the server has, found by walking the server's own naming tree, so
 * that the console offers only those and no name from a request ever reaches a lookup: a request names a factory, the
 * directory answers with the object it found under that exact name, or with nothing. A name such as
 * {@code ldap://attacker/o=x} is not in the tree, so it is never looked up (a lookup of a URL name makes the server
 * open a connection to it).
 *
 * <p>The walk follows sub-contexts from the root of the server's tree (Payara and GlassFish bind connector resources
 * there: {@code mail/Office365}), skips the server's internal contexts ({@code __SYSTEM} and other names starting with
 * {@code __}), goes at most {@value #MAX_DEPTH} levels deep and looks at most {@value #MAX_ENTRIES} entries. What it
 * found is kept for a few seconds, so a page and the request it sends see the same factories. One per console
 * (application scoped), shared by its pages and API.
 */
@ApplicationScoped
public class FactoryDirectory {

    private static final Logger LOG = Logger.getLogger(FactoryDirectory.class.getName());
    private static final int MAX_DEPTH = 6;
    private static final int MAX_ENTRIES = 2000;
    private static final long KEEP_NANOS = 5_000_000_000L;

    private volatile Map<String, MailConnectionFactory> found;
    private volatile long foundAt;

    /** The factories by JNDI name, sorted by name. */
    public Map<String, MailConnectionFactory> factories() {
        Map<String, MailConnectionFactory> current = found;
        if (current == null || System.nanoTime() - foundAt > KEEP_NANOS) {
            current = walk();
            found = current;
            foundAt = System.nanoTime();
        }
        return current;
    }

    /**
     * The factory the server has under exactly {@code name}, or empty; never a lookup of {@code name} itself.
     */
    public Optional<MailConnectionFactory> find(String name) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        return Optional.ofNullable(factories().get(name));
    }

    private static Map<String, MailConnectionFactory> walk() {
        Map<String, MailConnectionFactory> factories = new TreeMap<>();
        int[] budget = {MAX_ENTRIES};
        try {
            InitialContext root = new InitialContext();
            try {
                walk(root, "", 0, factories, budget);
            } finally {
                root.close();
            }
        } catch (NamingException e) {
            LOG.log(Level.WARNING, "M365MAIL-5006 The server's naming tree cannot be read: " + e);
        }
        return factories;
    }

    private static void walk(Context root, String context, int depth, Map<String, MailConnectionFactory> factories,
                             int[] budget) {
        NamingEnumeration<NameClassPair> entries;
        try {
            entries = root.list(context);
        } catch (NamingException | RuntimeException e) {
            LOG.fine(() -> "M365MAIL-5009 Cannot list " + context + ": " + e);
            return;
        }
        try {
            while (entries.hasMore() && budget[0]-- > 0) {
                NameClassPair entry = entries.next();
                String name = entry.getName();
                // Payara's own names (__SYSTEM), and the aliases it binds for each resource once used (__pm, __nontx).
                if (name.startsWith("__") || name.endsWith("__pm") || name.endsWith("__nontx") || name.contains(":")) {
                    continue;
                }
                String full = context.isEmpty() ? name : context + "/" + name;
                Object bound;
                try {
                    bound = root.lookup(full);
                } catch (NamingException | RuntimeException | LinkageError e) {
                    continue;
                }
                if (bound instanceof MailConnectionFactory factory) {
                    factories.put(full, factory);
                } else if (bound instanceof Context && depth < MAX_DEPTH) {
                    walk(root, full, depth + 1, factories, budget);
                }
            }
        } catch (NamingException | RuntimeException e) {
            LOG.fine(() -> "M365MAIL-5010 Listing " + context + " ended early: " + e);
        } finally {
            try {
                entries.close();
            } catch (NamingException ignored) {
                // nothing held
            }
        }
    }
}
