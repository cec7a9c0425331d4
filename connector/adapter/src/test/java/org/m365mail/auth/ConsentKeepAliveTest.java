package org.m365mail.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.config.MailSettings;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.ManualClock;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;
import org.m365mail.http.ConnectorHttpClient;
import org.m365mail.config.TlsTrust;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A consent that lies unused is refreshed before Entra's 90 days of inactivity end it. */
class ConsentKeepAliveTest {

    private static final String SCOPE = "https://outlook.office.com/SMTP.Send";
    private static final ManualClock CLOCK = new ManualClock();
    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-keep-alive", b -> b.clock(CLOCK));

    @Test
    void anIdleConsentIsRefreshedAndOutlivesNinetyDays() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setAuthentication("DELEGATED");
        mcf.setFromAddress(SandboxDefaults.USER);
        MailSettings settings = mcf.settings();
        InMemoryRefreshTokenStore store = new InMemoryRefreshTokenStore(CLOCK);
        String key = MsalDelegatedTokens.storeKey(settings);
        String consent = SANDBOX.get().consent(SandboxDefaults.USER, SCOPE);
        store.save(key, consent);
        MsalDelegatedTokens tokens = new MsalDelegatedTokens(settings, SCOPE,
                ConnectorHttpClient.build(settings, TlsTrust.context(settings)), store, key, CLOCK);
        ConsentKeepAlive keepAlive = new ConsentKeepAlive(store, key, SandboxDefaults.USER, tokens::request, CLOCK);

        CLOCK.advance(Duration.ofDays(ConsentKeepAlive.IDLE_DAYS - 1));
        int requests = SANDBOX.get().tokenRequests().total();
        assertFalse(keepAlive.check(), "a consent used recently is left alone");
        assertEquals(requests, SANDBOX.get().tokenRequests().total());

        CLOCK.advance(Duration.ofDays(70));
        assertTrue(keepAlive.check(), "idle for 83 days: refreshed");
        assertEquals(requests + 1, SANDBOX.get().tokenRequests().total());
        String renewed = store.load(key).orElseThrow();
        assertFalse(renewed.equals(consent), "the new refresh token is stored");

        // 160 days after the consent, 77 after the keep-alive: without it, this would be AADSTS700082.
        CLOCK.advance(Duration.ofDays(77));
        java.nio.file.Path file = java.nio.file.Files.createTempFile(java.nio.file.Path.of("target"), "kept", ".json");
        java.nio.file.Files.delete(file);
        MailManagedConnectionFactory sender = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        sender.setAuthentication("DELEGATED");
        sender.setFromAddress(SandboxDefaults.USER);
        sender.setTokenStoreFile(file.toString());
        sender.setTokenStoreKey("keep-alive test key, 16+");
        new EncryptedFileRefreshTokenStore(file, org.m365mail.config.Secret.of("keep-alive test key, 16+"))
                .save(key, renewed);
        try (MailConnection c = ((MailConnectionFactory) sender.createConnectionFactory()).getConnection()) {
            c.send(SandboxFactories.textMessage("kept alive", "x"));
        } finally {
            sender.close();
        }
        assertEquals(1, SANDBOX.get().outbox().withSubject("kept alive").size());
    }
}
