package org.m365mail.auth;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.admin.MailboxConsent;
import org.m365mail.config.Secret;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.DeliveredMessage;
import jakarta.resource.spi.InvalidPropertyException;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.ManualClock;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DELEGATED: sending with a user's consent kept as an encrypted refresh token that Entra rotates. */
class DelegatedConsentTest {

    private static final String SCOPE = "https://outlook.office.com/SMTP.Send";
    private static final String KEY = "a passphrase of sixteen+ characters";
    private static final ManualClock CLOCK = new ManualClock();
    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-delegated", b -> b.clock(CLOCK));
    private Path storeFile;

    @BeforeEach
    void newStore() throws Exception {
        storeFile = Files.createTempFile(Path.of("target"), "consents", ".json");
        Files.delete(storeFile);
    }

    private MailManagedConnectionFactory delegated() {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setAuthentication("DELEGATED");
        mcf.setFromAddress(SandboxDefaults.USER);
        mcf.setTokenStoreFile(storeFile.toString());
        mcf.setTokenStoreKey(KEY);
        return mcf;
    }

    private static String key(MailManagedConnectionFactory mcf) throws Exception {
        return MsalDelegatedTokens.storeKey(mcf.settings());
    }

    private static void send(MailManagedConnectionFactory mcf, String subject) throws Exception {
        send((MailConnectionFactory) mcf.createConnectionFactory(), subject);
    }

    /** Gets a connection and sends: either may be where a bad consent shows (the connection checks its token). */
    private static void send(MailConnectionFactory factory, String subject) throws Exception {
        try (MailConnection c = factory.getConnection()) {
            c.send(SandboxFactories.textMessage(subject, "x"));
        }
    }

    @Test
    void aConnectedMailboxSendsAsTheUserAndTheRotatedTokenIsStoredEncrypted() throws Exception {
        MailManagedConnectionFactory mcf = delegated();
        EncryptedFileRefreshTokenStore store = new EncryptedFileRefreshTokenStore(storeFile, Secret.of(KEY));
        String consent = SANDBOX.get().consent(SandboxDefaults.USER, SCOPE);
        store.save(key(mcf), consent);

        send(mcf, "delegated send");
        assertEquals(SandboxDefaults.USER, SANDBOX.get().outbox().withSubject("delegated send").get(0).mailbox());
        String rotated = store.load(key(mcf)).orElseThrow();
        assertNotEquals(consent, rotated, "Entra's new refresh token replaced the old one in the store");
        String onDisk = Files.readString(storeFile, StandardCharsets.UTF_8);
        assertFalse(onDisk.contains(rotated) || onDisk.contains(consent), "no refresh token in plain text");

        store.delete(key(mcf));
        MailSendException reset = assertThrows(MailSendException.class, () -> send(delegated(), "after reset"));
        assertEquals("MailboxNotConnected", reset.getErrorCode());
    }

    private static final URI REDIRECT = URI.create("https://console.contoso.test/consent/callback");

    private MailManagedConnectionFactory withRedirect() {
        SANDBOX.get().directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID)
                .orElseThrow().addRedirectUri(REDIRECT.toString());
        MailManagedConnectionFactory mcf = delegated();
        mcf.setConsentRedirectUri(REDIRECT.toString());
        return mcf;
    }

    /** What the user's browser does at Entra's sign-in page: sign in as {@code user}, come back with code and state. */
    private static Map<String, String> signIn(URI signIn, String user, String password) throws Exception {
        HttpClient browser = HttpClient.newBuilder().sslContext(SANDBOX.get().clientSslContext()).build();
        HttpResponse<String> back = browser.send(HttpRequest.newBuilder(signIn)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("login=" + user + "&passwd=" + password
                        + "&action=accept")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, back.statusCode(), back.body());
        URI location = URI.create(back.headers().firstValue("Location").orElseThrow());
        assertTrue(location.toString().startsWith(REDIRECT.toString()), "back to the configured address: " + location);
        Map<String, String> query = new java.util.HashMap<>();
        for (String pair : location.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            query.put(kv[0], java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return query;
    }

    @Test
    void connectingAMailboxThroughTheSignInPageThenResetting() throws Exception {
        MailConnectionFactory factory = (MailConnectionFactory) withRedirect().createConnectionFactory();
        MailboxConsent consent = FactoryAdministration.of(factory).consent().orElseThrow();
        assertEquals(SandboxDefaults.USER, consent.username());
        assertEquals(REDIRECT, consent.redirectUri());
        assertFalse(consent.isConnected());

        MailboxConsent.SignIn signIn = consent.begin();
        assertTrue(signIn.address().getQuery().contains("code_challenge_method=S256"), signIn.toString());
        assertTrue(signIn.address().getQuery().contains("redirect_uri=" + REDIRECT), signIn.toString());
        Map<String, String> query = signIn(signIn.address(), SandboxDefaults.USER, SandboxDefaults.USER_PASSWORD);
        assertEquals(signIn.state(), query.get("state"));
        assertEquals(SandboxDefaults.USER, consent.complete(query.get("code"), query.get("state")));
        assertTrue(consent.isConnected());

        try (MailConnection c = factory.getConnection()) {
            c.send(SandboxFactories.textMessage("after connecting", "x"));
        }
        assertEquals(SandboxDefaults.USER, SANDBOX.get().outbox().withSubject("after connecting").get(0).mailbox());

        consent.reset();
        assertFalse(consent.isConnected());
        try (MailConnection c = factory.getConnection()) {
            MailSendException e = assertThrows(MailSendException.class,
                    () -> c.send(SandboxFactories.textMessage("after reset", "x")));
            assertEquals("MailboxNotConnected", e.getErrorCode(), "a pooled connection does not outlive the reset");
        }
        MailSendException replay = assertThrows(MailSendException.class,
                () -> consent.complete(query.get("code"), query.get("state")));
        assertEquals("ConsentExpired", replay.getErrorCode(), "a state is used once");
    }

    @Test
    void aConsentGivenByAnotherAccountIsRefusedAndNothingIsStored() throws Exception {
        MailManagedConnectionFactory mcf = withRedirect();
        MailboxConsent consent = FactoryAdministration.of((MailConnectionFactory) mcf.createConnectionFactory())
                .consent().orElseThrow();
        MailboxConsent.SignIn signIn = consent.begin();
        // Adele signs in where Megan was expected (login_hint is only a hint).
        Map<String, String> query = signIn(signIn.address(), SandboxDefaults.OTHER_USER,
                SandboxDefaults.OTHER_USER_PASSWORD);
        MailSendException refused;
        try (CapturedLog log = new CapturedLog(DelegatedConsent.class)) {
            refused = assertThrows(MailSendException.class, () -> consent.complete(query.get("code"),
                    query.get("state")));
            assertEquals(1, log.warnings().size(), "the refusal is logged once for the administrator");
        }
        assertEquals("ConsentWrongAccount", refused.getErrorCode());
        assertTrue(refused.getMessage().contains(SandboxDefaults.OTHER_USER), refused.getMessage());
        assertTrue(refused.getMessage().contains("connect the mailbox again as " + SandboxDefaults.USER),
                refused.getMessage());
        assertFalse(consent.isConnected(), "nothing was stored");
        assertFalse(Files.exists(storeFile) && Files.readString(storeFile).contains("\"token\""),
                "the store holds no token");
        MailSendException send = assertThrows(MailSendException.class, () -> send(mcf, "as the wrong user"));
        assertEquals("MailboxNotConnected", send.getErrorCode());
        assertTrue(SANDBOX.get().outbox().withSubject("as the wrong user").isEmpty());
    }

    @Test
    void aSignInNeedsTheConfiguredRedirectUriAndPendingSignInsAreCapped() throws Exception {
        MailboxConsent unset = FactoryAdministration.of((MailConnectionFactory) delegated().createConnectionFactory())
                .consent().orElseThrow();
        MailSendException missing = assertThrows(MailSendException.class, unset::begin);
        assertEquals("ConsentRedirectUriMissing", missing.getErrorCode());
        assertTrue(missing.getMessage().contains("consentRedirectUri"), missing.getMessage());

        MailboxConsent consent = FactoryAdministration.of((MailConnectionFactory) withRedirect()
                .createConnectionFactory()).consent().orElseThrow();
        MailboxConsent.SignIn first = consent.begin();
        for (int i = 0; i < DelegatedConsent.MAX_PENDING; i++) {
            consent.begin();
        }
        MailSendException dropped = assertThrows(MailSendException.class, () -> consent.complete("code",
                first.state()));
        assertEquals("ConsentExpired", dropped.getErrorCode(), "the oldest sign-in was dropped at the cap");

        org.m365mail.config.MailSettings settings = withRedirect().settings();
        DelegatedConsent timed = new DelegatedConsent(settings, settings.delegatedScope(),
                org.m365mail.http.ConnectorHttpClient.build(settings,
                        org.m365mail.config.TlsTrust.context(settings)),
                new InMemoryRefreshTokenStore(), CLOCK, () -> { });
        MailboxConsent.SignIn late = timed.begin();
        CLOCK.advance(Duration.ofMinutes(11));
        MailSendException expired = assertThrows(MailSendException.class, () -> timed.complete("code",
                late.state()));
        assertEquals("ConsentExpired", expired.getErrorCode(), "a sign-in expires after 10 minutes");
    }

    @Test
    void aConsentRedirectUriMustBeHttpsOrOnThisMachine() {
        MailManagedConnectionFactory mcf = delegated();
        mcf.setConsentRedirectUri("http://console.contoso.test/consent/callback");
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, mcf::settings);
        assertTrue(e.getMessage().contains("consentRedirectUri must be the https address"), e.getMessage());
        mcf.setConsentRedirectUri("http://localhost:8080/m365-mail-console/consent/callback");
        assertEquals(8080, assertDoesNotThrow(mcf::settings).consentRedirectUri().getPort());
    }

    @Test
    void aRevokedConsentSaysToReconnectAndWarnsOnce() throws Exception {
        MailManagedConnectionFactory mcf = delegated();
        new EncryptedFileRefreshTokenStore(storeFile, Secret.of(KEY)).save(key(mcf),
                SANDBOX.get().consent(SandboxDefaults.USER, SCOPE));
        SANDBOX.get().revokeConsent(SandboxDefaults.USER);
        List<LogRecord> warnings;
        try (CapturedLog log = new CapturedLog(MsalDelegatedTokens.class)) {
            MailConnectionFactory factory = (MailConnectionFactory) mcf.createConnectionFactory();
            for (int i = 0; i < 3; i++) {
                MailSendException e = assertThrows(MailSendException.class, () -> send(factory, "revoked"));
                assertEquals("AADSTS50173", e.getErrorCode());
                assertTrue(e.getMessage().contains("Connect the mailbox again"), e.getMessage());
            }
            warnings = log.warnings();
        }
        assertEquals(1, warnings.size(), "one WARNING, not one per message");
    }

    @Test
    void aConsentUnusedFor90DaysHasLapsed() throws Exception {
        MailManagedConnectionFactory mcf = delegated();
        new EncryptedFileRefreshTokenStore(storeFile, Secret.of(KEY)).save(key(mcf),
                SANDBOX.get().consent(SandboxDefaults.USER, SCOPE));
        CLOCK.advance(Duration.ofDays(91));
        MailSendException e = assertThrows(MailSendException.class, () -> send(mcf, "lapsed"));
        assertEquals("AADSTS700082", e.getErrorCode());
        assertTrue(e.getMessage().contains("inactivity"), e.getMessage());
    }

    @Test
    void graphSendsWithTheUsersMailSendConsentFromTheUsersMailboxOrAsASharedOne() throws Exception {
        MailManagedConnectionFactory mcf = delegated();
        mcf.setTransport("GRAPH");
        mcf.setAllowedFromAddresses(SandboxDefaults.SHARED_MAILBOX);
        assertEquals(SANDBOX.get().graphUrl() + "/Mail.Send", mcf.settings().delegatedScope());
        new EncryptedFileRefreshTokenStore(storeFile, Secret.of(KEY)).save(key(mcf),
                SANDBOX.get().consent(SandboxDefaults.USER, SANDBOX.get().graphUrl() + "/Mail.Send"));
        send(mcf, "graph delegated");
        DeliveredMessage own = SANDBOX.get().outbox().withSubject("graph delegated").get(0);
        assertEquals("GRAPH", own.channel());
        assertEquals(SandboxDefaults.USER, own.mailbox());

        // Megan has Send As on the shared mailbox: her own token sends as it (the seeds' "delegated mailbox").
        try (MailConnection c = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
            jakarta.mail.internet.MimeMessage shared = SandboxFactories.textMessage("graph as shared", "x");
            shared.setFrom(SandboxDefaults.SHARED_MAILBOX);
            c.send(shared);
        }
        DeliveredMessage asShared = SANDBOX.get().outbox().withSubject("graph as shared").get(0);
        assertEquals(SandboxDefaults.USER, asShared.mailbox());
        assertEquals(SandboxDefaults.SHARED_MAILBOX, asShared.from());

        // Another user's mailbox is not Megan's to send from.
        MailManagedConnectionFactory other = delegated();
        other.setTransport("GRAPH");
        other.setFromAddress(SandboxDefaults.SENDER);
        other.setUsername(SandboxDefaults.USER);
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, other::settings);
        assertTrue(e.getMessage().contains("fromAddress is the mailbox of the user who signs in"), e.getMessage());
    }

    @Test
    void theStoreDetectsTamperingAndAWrongKey() throws Exception {
        EncryptedFileRefreshTokenStore store = new EncryptedFileRefreshTokenStore(storeFile, Secret.of(KEY));
        store.save("tenant|app|user", "0.AX-refresh-token-value");
        assertEquals("0.AX-refresh-token-value", new EncryptedFileRefreshTokenStore(storeFile, Secret.of(KEY))
                .load("tenant|app|user").orElseThrow(), "round trip through a new instance");

        MailSendException wrongKey = assertThrows(MailSendException.class,
                () -> new EncryptedFileRefreshTokenStore(storeFile, Secret.of("another sixteen+ passphrase"))
                        .load("tenant|app|user"));
        assertEquals("TokenStoreUnreadable", wrongKey.getErrorCode());

        String text = Files.readString(storeFile);
        int at = text.indexOf("\"token\":\"") + "\"token\":\"".length() + 20;
        char flipped = text.charAt(at) == 'A' ? 'B' : 'A';
        Files.writeString(storeFile, text.substring(0, at) + flipped + text.substring(at + 1));
        MailSendException tampered = assertThrows(MailSendException.class,
                () -> new EncryptedFileRefreshTokenStore(storeFile, Secret.of(KEY)).load("tenant|app|user"));
        assertEquals("TokenStoreUnreadable", tampered.getErrorCode());
        assertFalse(tampered.getMessage().contains("refresh-token-value"));
    }
}
