package org.m365mail.auth;

import org.junit.jupiter.api.Test;
import org.m365mail.admin.MailboxConsent;
import org.m365mail.api.MailSendException;
import org.m365mail.config.MailSettings;
import org.m365mail.config.Secret;
import org.m365mail.testing.ManualClock;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start of a delegated consent, which asks Entra nothing yet: the sign-in address, the pending sign-ins and what
 * a callback that does not belong to one of them is told. (Completing a sign-in is tested against the stand-in.)
 */
class ConsentSignInTest {

    private final ManualClock clock = new ManualClock();
    private final InMemoryRefreshTokenStore store = new InMemoryRefreshTokenStore(clock);
    private final AtomicInteger changes = new AtomicInteger();

    private static MailSettings settings(URI redirect) {
        MailSettings.Network network = new MailSettings.Network(null, 0, null, null, Duration.ofSeconds(7),
                Duration.ofSeconds(30));
        return new MailSettings(null, "Tenant-1", "client-1", Secret.of("secret-value"), "https://127.0.0.1:1", null,
                null, null, null, 0, null, null, null, "User@Contoso.test", null, null, null, null, null, null,
                network, null, null, null, null, null, redirect, null, null, null, null, null, null);
    }

    private DelegatedConsent consent(URI redirect) throws MailSendException {
        return new DelegatedConsent(settings(redirect), "https://graph.microsoft.com/Mail.Send",
                HttpClient.newHttpClient(), store, clock, changes::incrementAndGet);
    }

    private static Map<String, String> query(URI address) {
        Map<String, String> query = new HashMap<>();
        for (String pair : address.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return query;
    }

    @Test
    void theSignInAddressAsksForTheMailboxWithAProofKey() throws Exception {
        URI redirect = URI.create("https://admin.contoso.test/console/consent/callback");
        DelegatedConsent consent = consent(redirect);
        assertEquals("User@Contoso.test", consent.username());
        assertEquals(redirect, consent.redirectUri());
        MailboxConsent.SignIn signIn = consent.begin();
        Map<String, String> query = query(signIn.address());
        assertEquals(signIn.state(), query.get("state"));
        assertEquals(32, signIn.state().length(), "24 random bytes, Base64");
        assertEquals("S256", query.get("code_challenge_method"));
        assertEquals(43, query.get("code_challenge").length(), "a SHA-256 digest, Base64");
        assertEquals("User@Contoso.test", query.get("login_hint"));
        assertEquals(redirect.toString(), query.get("redirect_uri"));
        // The console's callback takes the code by GET; msal4j alone would ask Entra to POST it (form_post).
        assertEquals("query", query.get("response_mode"));
        assertEquals(1, signIn.address().getRawQuery().split("response_mode=", -1).length - 1, "one response_mode");
        assertTrue(query.get("scope").contains("offline_access") && query.get("scope").contains("Mail.Send"),
                query.get("scope"));
        String address = signIn.address().toString();
        assertTrue(address.toLowerCase(java.util.Locale.ROOT).startsWith("https://127.0.0.1:1/tenant-1/"), address);
        assertNotEquals(signIn.state(), consent.begin().state(), "each sign-in its own state");
        assertFalse(MessageDigest.isEqual(new byte[0], Base64.getUrlDecoder().decode(query.get("code_challenge"))));
    }

    @Test
    void withoutARedirectAddressNoSignInCanStart() throws Exception {
        MailSendException e = assertThrows(MailSendException.class, () -> consent(null).begin());
        assertEquals("ConsentRedirectUriMissing", e.getErrorCode());
    }

    @Test
    void aCallbackForNoPendingSignInOrTooLateIsRefused() throws Exception {
        DelegatedConsent consent = consent(URI.create("https://admin.contoso.test/cb"));
        assertEquals("ConsentExpired", assertThrows(MailSendException.class,
                () -> consent.complete("code", "unknown-state")).getErrorCode());
        assertEquals("ConsentExpired", assertThrows(MailSendException.class,
                () -> consent.complete("code", null)).getErrorCode());

        String late = consent.begin().state();
        clock.advance(Duration.ofMinutes(10).plusMillis(1));
        MailSendException expired = assertThrows(MailSendException.class, () -> consent.complete("code", late));
        assertTrue(expired.getMessage().contains("longer than 10 minutes"), expired.getMessage());

        String noCode = consent.begin().state();
        MailSendException blank = assertThrows(MailSendException.class, () -> consent.complete("  ", noCode));
        assertEquals("ConsentExpired", blank.getErrorCode());
        assertTrue(blank.getMessage().contains("no authorization code"), blank.getMessage());
        assertEquals("ConsentExpired", assertThrows(MailSendException.class,
                () -> consent.complete("code", noCode)).getErrorCode(), "a state is used once");
        assertEquals(0, changes.get());
    }

    @Test
    void atMostSixteenSignInsArePendingTheOldestIsDropped() throws Exception {
        DelegatedConsent consent = consent(URI.create("https://admin.contoso.test/cb"));
        List<String> states = new ArrayList<>();
        for (int i = 0; i <= DelegatedConsent.MAX_PENDING; i++) {
            states.add(consent.begin().state());
        }
        MailSendException dropped = assertThrows(MailSendException.class,
                () -> consent.complete("code", states.get(0)));
        assertEquals("ConsentExpired", dropped.getErrorCode());
        // The second oldest is still pending: its blank code is refused as such, not as unknown.
        MailSendException second = assertThrows(MailSendException.class, () -> consent.complete("", states.get(1)));
        assertTrue(second.getMessage().contains("no authorization code"), second.getMessage());
    }

    @Test
    void resetForgetsTheConsentAndConnectedSaysWhetherOneIsStored() throws Exception {
        DelegatedConsent consent = consent(URI.create("https://admin.contoso.test/cb"));
        assertFalse(consent.isConnected());
        store.save(MsalDelegatedTokens.storeKey(settings(null)), "rt");
        assertEquals(Optional.of("rt"), store.load("tenant-1|client-1|user@contoso.test"), "the key, lower case");
        assertTrue(consent.isConnected());
        consent.reset();
        assertFalse(consent.isConnected());
        assertEquals(1, changes.get());
    }
}
