package org.m365mail;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets never show: everything logged at any level during succeeding and failing sends, every exception text, the
 * factories' {@code toString()} and their serialized form are searched for the secret values.
 */
class SecretsStayHiddenTest {

    private static final String WRONG_SECRET = "wr0ng-Secret~value.9d";
    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-secrets");

    /** Everything any logger says, at every level. */
    private static final class Everything extends Handler implements AutoCloseable {
        final StringBuilder text = new StringBuilder();
        private final List<Logger> loggers = new ArrayList<>();
        private final List<Level> levels = new ArrayList<>();

        Everything(String... names) {
            setLevel(Level.ALL);
            for (String name : names) {
                Logger logger = Logger.getLogger(name);
                loggers.add(logger);
                levels.add(logger.getLevel());
                logger.setLevel(Level.ALL);
                logger.addHandler(this);
            }
        }

        @Override
        public synchronized void publish(LogRecord record) {
            text.append(new SimpleFormatter().format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            for (int i = 0; i < loggers.size(); i++) {
                loggers.get(i).removeHandler(this);
                loggers.get(i).setLevel(levels.get(i));
            }
        }
    }

    private static String attempt(MailManagedConnectionFactory mcf, String subject) throws Exception {
        try (MailConnection c = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
            c.send(SandboxFactories.textMessage(subject, "x"));
            return "";
        } catch (MailSendException e) {
            StringBuilder all = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                all.append(t).append('\n');
            }
            return all.toString();
        }
    }

    @Test
    void noSecretInLogsExceptionsToStringOrSerializedForm() throws Exception {
        List<String> secrets = List.of(SandboxDefaults.CLIENT_SECRET, WRONG_SECRET, SandboxDefaults.USER_PASSWORD,
                "pr0xy-pass");
        StringBuilder seen = new StringBuilder();
        try (Everything log = new Everything("org.m365mail", "jakarta.mail", "org.eclipse.angus", "com.microsoft")) {
            for (String transport : List.of("GRAPH", "SMTP")) {
                MailManagedConnectionFactory good = SandboxFactories.factory(SANDBOX.get(), transport);
                seen.append(attempt(good, "secrets " + transport));
                MailManagedConnectionFactory wrong = SandboxFactories.factory(SANDBOX.get(), transport);
                wrong.setClientSecret(WRONG_SECRET);
                String failure = attempt(wrong, "never " + transport);
                assertTrue(failure.contains("AADSTS7000215"), failure);
                seen.append(failure);
                seen.append(good).append(wrong);
                seen.append(new String(serialized(wrong), StandardCharsets.ISO_8859_1));
            }
            MailManagedConnectionFactory password = SandboxFactories.factory(SANDBOX.get(), "SMTP");
            password.setAuthentication("PASSWORD");
            password.setFromAddress(SandboxDefaults.USER);
            password.setPassword(SandboxDefaults.USER_PASSWORD);
            password.setHttpProxy("svc:pr0xy-pass@127.0.0.1:9");
            seen.append(password).append(new String(serialized(password), StandardCharsets.ISO_8859_1));
            seen.append(attempt(password, "with password"));
            seen.append(log.text);
        }
        assertTrue(seen.length() > 1000, "something was logged and thrown to search");
        for (String secret : secrets) {
            assertFalse(seen.toString().contains(secret), "found a secret in:\n" + seen);
        }
        assertFalse(seen.toString().contains("auth=Bearer"), "no XOAUTH2 string");
        assertFalse(seen.toString().contains("eyJ0eXAi"), "no access token");
    }

    private static byte[] serialized(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    @Test
    void aSecretAsAPasswordAliasIsNotMistakenForTheValue() {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setClientSecret("${ALIAS=m365-client-secret}");
        // Payara resolves the alias before the connector sees it; outside Payara the literal is refused by Entra,
        // and even that literal is never printed.
        MailSendException e = assertThrows(MailSendException.class, () -> {
            try (MailConnection c = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
                c.send(SandboxFactories.textMessage("alias", "x"));
            }
        });
        assertFalse(e.getMessage().contains("m365-client-secret"), e.getMessage());
    }
}
