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
import org.m365mail.testing.TestCertificates;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets never show: everything logged at any level during succeeding and failing sends, every exception text, the
 * factories' {@code toString()} and their serialized form are searched for the secret values.
 */
class SecretsStayHiddenTest {

    private static final String WRONG_SECRET = "wr0ng-Secret~value.9d";
    private static final String CERTIFICATE_PASSWORD = "cert-Pa55word~for.the.pfx";
    private static final String TOKEN_CACHE_KEY = "cluster-cache-key~sixteen+chars";
    private static final String TOKEN_STORE_KEY = "token-store-key~sixteen+chars";
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
        List<String> refreshTokens = new ArrayList<>();
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

            // A certificate with its password, and a cluster cache key (set, though only SharedTokenCacheAbsentTest
            // asks for JCACHE here, for the JVM's one warning).
            Path certificate = TestCertificates.pkcs12(Path.of("target/certs/secrets.p12"), "secrets-test", 365,
                    CERTIFICATE_PASSWORD);
            SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID)
                    .orElseThrow().addCertificate(TestCertificates.certificate(certificate, CERTIFICATE_PASSWORD));
            MailManagedConnectionFactory signed = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
            signed.setClientSecret(null);
            signed.setCertificatePath(certificate.toString());
            signed.setCertificatePassword(CERTIFICATE_PASSWORD);
            signed.setTokenCacheKey(TOKEN_CACHE_KEY);
            String certificateSend = attempt(signed, "with a certificate");
            assertTrue(certificateSend.isEmpty(), certificateSend);
            MailManagedConnectionFactory wrongPassword = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
            wrongPassword.setClientSecret(null);
            wrongPassword.setCertificatePath(certificate.toString());
            wrongPassword.setCertificatePassword("wr0ng-" + CERTIFICATE_PASSWORD);
            seen.append(signed).append(new String(serialized(signed), StandardCharsets.ISO_8859_1));
            seen.append(assertThrows(jakarta.resource.ResourceException.class, wrongPassword::settings).getMessage());

            // A delegated consent: its refresh tokens (the one stored, and the one Entra rotates it to) and the key
            // of the store that keeps them.
            Path store = Path.of("target/secrets-consents.json");
            java.nio.file.Files.deleteIfExists(store);
            MailManagedConnectionFactory delegated = SandboxFactories.factory(SANDBOX.get(), "SMTP");
            delegated.setAuthentication("DELEGATED");
            delegated.setFromAddress(SandboxDefaults.USER);
            delegated.setTokenStoreFile(store.toString());
            delegated.setTokenStoreKey(TOKEN_STORE_KEY);
            String storeKey = org.m365mail.auth.MsalDelegatedTokens.storeKey(delegated.settings());
            org.m365mail.auth.EncryptedFileRefreshTokenStore tokens = new org.m365mail.auth
                    .EncryptedFileRefreshTokenStore(store, org.m365mail.config.Secret.of(TOKEN_STORE_KEY));
            String consent = SANDBOX.get().consent(SandboxDefaults.USER, "https://outlook.office.com/SMTP.Send");
            tokens.save(storeKey, consent);
            refreshTokens.add(consent);
            String delegatedSend = attempt(delegated, "delegated");
            assertTrue(delegatedSend.isEmpty(), delegatedSend);
            String rotated = tokens.load(storeKey).orElseThrow();
            assertFalse(rotated.equals(consent), "Entra rotated the refresh token");
            refreshTokens.add(rotated);
            seen.append(delegated).append(new String(serialized(delegated), StandardCharsets.ISO_8859_1));
            MailManagedConnectionFactory wrongKey = SandboxFactories.factory(SANDBOX.get(), "SMTP");
            wrongKey.setAuthentication("DELEGATED");
            wrongKey.setFromAddress(SandboxDefaults.USER);
            wrongKey.setTokenStoreFile(store.toString());
            wrongKey.setTokenStoreKey("wr0ng-" + TOKEN_STORE_KEY);
            String unreadable = attempt(wrongKey, "wrong store key");
            assertTrue(unreadable.contains("TokenStoreUnreadable") || unreadable.contains("cannot be decrypted"),
                    unreadable);
            seen.append(unreadable);
            seen.append(java.nio.file.Files.readString(store));
            seen.append(log.text);
        }
        assertTrue(seen.length() > 1000, "something was logged and thrown to search");
        List<String> secrets = new ArrayList<>(List.of(SandboxDefaults.CLIENT_SECRET, WRONG_SECRET,
                SandboxDefaults.USER_PASSWORD, "pr0xy-pass", CERTIFICATE_PASSWORD, TOKEN_CACHE_KEY, TOKEN_STORE_KEY));
        secrets.addAll(refreshTokens);
        assertEquals(9, secrets.size());
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
        // Payara resolves the alias before the connector sees it; one that reaches the connector unresolved is
        // refused, naming the alias (a name, not a secret), and never sent to Entra as the secret.
        jakarta.resource.ResourceException e = assertThrows(jakarta.resource.ResourceException.class,
                () -> mcf.createConnectionFactory());
        assertTrue(e.getMessage().contains("clientSecret names the password alias 'm365-client-secret'"),
                e.getMessage());
        assertEquals(0, SANDBOX.get().tokenRequests().entries().size(), "nothing reached Entra");
    }
}
