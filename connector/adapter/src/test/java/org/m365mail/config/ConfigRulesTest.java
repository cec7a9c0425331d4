package org.m365mail.config;

import jakarta.resource.spi.InvalidPropertyException;
import org.junit.jupiter.api.Test;
import org.m365mail.outbound.MailManagedConnectionFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each configuration rule on its own, at its edges: the value just allowed passes, the value just past it is named
 * with what to put there, and a property that does not apply to the chosen mode is refused with the mode named.
 */
class ConfigRulesTest {

    private static MailManagedConnectionFactory valid() {
        MailManagedConnectionFactory p = new MailManagedConnectionFactory();
        p.setTenantId("contoso.onmicrosoft.com");
        p.setClientId("8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736");
        p.setClientSecret("client-secret-value");
        p.setFromAddress("notifications@contoso.com");
        return p;
    }

    private static MailSettings accepted(Consumer<MailManagedConnectionFactory> change) throws Exception {
        MailManagedConnectionFactory p = valid();
        change.accept(p);
        return MailSettings.validate(p);
    }

    private static String refused(Consumer<MailManagedConnectionFactory> change, String expected) {
        MailManagedConnectionFactory p = valid();
        change.accept(p);
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(p));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void identityNeedsATenantAndAnAppExceptWhereTheModeHasNone() throws Exception {
        refused(p -> p.setTenantId(" "), "tenantId is required");
        refused(p -> p.setClientId(null), "clientId is required");
        refused(p -> p.setClientId("my-app"), "clientId must be the Application (client) ID");
        assertEquals("72f988bf-86f1-41af-91ab-2d7cd011db47",
                accepted(p -> p.setTenantId("72f988bf-86f1-41af-91ab-2d7cd011db47")).tenantId());
        refused(p -> p.setFromAddress(null), "fromAddress is required");
        refused(p -> p.setFromAddress("Notifications <n@contoso.com>"), "put a display name in fromName");
        refused(p -> p.setFromAddress("notifications"), "fromAddress must be a plain e-mail address");

        MailSettings managed = accepted(p -> {
            p.setAuthentication("MANAGED_IDENTITY");
            p.setTenantId(null);
            p.setClientId(null);
            p.setClientSecret(null);
        });
        assertNull(managed.tenantId());
        assertNull(managed.clientId());
        MailSettings basic = accepted(p -> {
            p.setTransport("SMTP");
            p.setAuthentication("PASSWORD");
            p.setTenantId(null);
            p.setClientId(null);
            p.setClientSecret(null);
            p.setUsername("not an address but a login");
            p.setPassword("password-value");
        });
        assertEquals("not an address but a login", basic.username(), "PASSWORD takes any user name");
    }

    @Test
    void theUserWhoSignsInIsAnAddressAndDelegatedGraphSendsAsThatUser() throws Exception {
        assertEquals("notifications@contoso.com", accepted(p -> { }).username(), "fromAddress signs in by default");
        assertEquals("sender@contoso.com", accepted(p -> p.setUsername("sender@contoso.com")).username());
        refused(p -> p.setUsername("sender"), "username must be the e-mail address (UPN)");
        refused(p -> {
            p.setAuthentication("DELEGATED");
            p.setUsername("someone.else@contoso.com");
        }, "leave username unset");
        accepted(p -> {
            p.setAuthentication("DELEGATED");
            p.setUsername("NOTIFICATIONS@contoso.com");
        });
        accepted(p -> {
            p.setTransport("SMTP");
            p.setAuthentication("DELEGATED");
            p.setUsername("someone.else@contoso.com");
        });
        assertTrue(IdentityRules.isAddress("a@b.example"));
        assertFalse(IdentityRules.isAddress("a"));
        assertFalse(IdentityRules.isAddress("a@b@c"));
        assertFalse(IdentityRules.isAddress(null));
    }

    @Test
    void credentialsFitTheMode() throws Exception {
        refused(p -> p.setClientSecret(null), "clientSecret (or applicationPassword) or certificatePath is required");
        refused(p -> {
            p.setAuthentication("MANAGED_IDENTITY");
            p.setClientId(null);
        }, "authentication MANAGED_IDENTITY takes no clientSecret or certificatePath");
        refused(p -> {
            p.setAuthentication("MANAGED_IDENTITY");
            p.setClientSecret(null);
            p.setCertificatePath("/nowhere/cert.pfx");
        }, "MANAGED_IDENTITY takes no clientSecret");
        refused(p -> {
            p.setTransport("SMTP");
            p.setAuthentication("PASSWORD");
            p.setClientSecret(null);
        }, "password is required with authentication PASSWORD");
        refused(p -> p.setCertificatePath("/nowhere/cert.pfx"), "certificatePath names no readable file");
        refused(p -> p.setAuthentication("PASSWORD"), "authentication PASSWORD works with transport SMTP");
    }

    @Test
    void applicationPasswordIsTheClientSecretUnderItsOtherName() throws Exception {
        MailSettings underOtherName = accepted(p -> {
            p.setClientSecret(null);
            p.setApplicationPassword("secret-under-liberty");
        });
        assertEquals("secret-under-liberty", underOtherName.clientSecret().reveal());
        String both = refused(p -> p.setApplicationPassword("another-secret"),
                "clientSecret and applicationPassword are both set");
        assertFalse(both.contains("another-secret") || both.contains("client-secret-value"), both);
        MailSettings expires = accepted(p -> {
            p.setClientSecret(null);
            p.setApplicationPassword("secret-under-liberty");
            p.setClientSecretExpires("2099-06-30");
        });
        assertEquals(java.time.Instant.parse("2099-06-30T00:00:00Z"), expires.clientSecretExpires());
    }

    @Test
    void aCertificateFileThatIsNotOneIsNamed(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path notACertificate = Files.writeString(dir.resolve("cert.pem"), "not a certificate");
        String m = refused(p -> p.setCertificatePath(notACertificate.toString()), "cannot be read");
        assertTrue(m.contains("certificatePath '" + notACertificate + "'"), m);
    }

    @Test
    void storesNeedAKeyOfSixteenCharactersAndOnePlace() throws Exception {
        refused(p -> p.setTokenStoreFile("/var/tokens"), "tokenStoreKey is required with tokenStoreFile");
        refused(p -> p.setTokenStoreDataSource("jdbc/tokens"), "tokenStoreKey is required with tokenStoreDataSource");
        refused(p -> {
            p.setTokenStoreFile("/var/tokens");
            p.setTokenStoreDataSource("jdbc/tokens");
            p.setTokenStoreKey("0123456789abcdef");
        }, "set tokenStoreFile or tokenStoreDataSource, not both");
        refused(p -> {
            p.setTokenStoreFile("/var/tokens");
            p.setTokenStoreKey("0123456789abcde");
        }, "tokenStoreKey must be at least 16 characters long");
        MailSettings stored = accepted(p -> {
            p.setTokenStoreFile("/var/tokens");
            p.setTokenStoreKey("0123456789abcdef");
        });
        assertEquals(Path.of("/var/tokens"), stored.tokenStoreFile());
        refused(p -> p.setTokenStoreDataSource("ldap://evil/x"), "tokenStoreDataSource");
        refused(p -> p.setTokenCacheKey("0123456789abcde"), "tokenCacheKey must be at least 16 characters long");
        accepted(p -> p.setTokenCacheKey("0123456789abcdef"));
    }

    @Test
    void theConsentRedirectIsHttpsOrHttpOnThisMachine() throws Exception {
        assertEquals("https://admin.contoso.com/console/consent/callback", accepted(p -> p.setConsentRedirectUri(
                "https://admin.contoso.com/console/consent/callback")).consentRedirectUri().toString());
        accepted(p -> p.setConsentRedirectUri("http://localhost:8080/console/consent/callback"));
        accepted(p -> p.setConsentRedirectUri("HTTP://127.0.0.1:8080/callback"));
        String why = "consentRedirectUri must be the https address";
        refused(p -> p.setConsentRedirectUri("http://admin.contoso.com/callback"), why);
        refused(p -> p.setConsentRedirectUri("https://admin.contoso.com/callback#fragment"), why);
        refused(p -> p.setConsentRedirectUri("https://user:pw@admin.contoso.com/callback"), why);
        refused(p -> p.setConsentRedirectUri("ftp://admin.contoso.com/callback"), why);
        refused(p -> p.setConsentRedirectUri("/console/consent/callback"), why);
        refused(p -> p.setConsentRedirectUri("https://exa mple.com/"), why);
        assertNull(accepted(p -> p.setConsentRedirectUri(" ")).consentRedirectUri());
    }

    @Test
    void deliveryLimitsAndTheOutboxAreChecked() throws Exception {
        refused(p -> p.setPendingSendsLimit(0), "pendingSendsLimit");
        assertEquals(1, accepted(p -> p.setPendingSendsLimit(1)).delivery().pendingSendsLimit());
        refused(p -> p.setPendingSendsWaitMillis(-1), "pendingSendsWaitMillis");
        assertEquals(Duration.ZERO, accepted(p -> p.setPendingSendsWaitMillis(0)).delivery().pendingSendsWait());
        refused(p -> p.setOutboxDataSource("java:comp/env/jdbc/outbox"), "outboxDataSource");
        refused(p -> {
            p.setOutboxDataSource("jdbc/outbox");
            p.setTransactionalSend("IMMEDIATE");
        }, "transactionalSend is IMMEDIATE");
        MailSettings outbox = accepted(p -> {
            p.setOutboxDataSource("jdbc/outbox");
            p.setOutboxDeliveryThreads(32);
            p.setOutboxRetryHours(1);
            p.setOutboxKeepDeliveredHours(0);
        });
        assertEquals("jdbc/outbox", outbox.delivery().outboxDataSource());
        assertEquals(32, outbox.delivery().outboxThreads());
        assertEquals(Duration.ofHours(1), outbox.delivery().outboxRetry());
        assertEquals(Duration.ZERO, outbox.delivery().outboxKeepDelivered());
        refused(p -> p.setOutboxDeliveryThreads(33), "outboxDeliveryThreads must be at most 32 (was 33)");
        refused(p -> p.setOutboxDeliveryThreads(0), "outboxDeliveryThreads");
        refused(p -> p.setOutboxRetryHours(0), "outboxRetryHours");
        refused(p -> p.setOutboxKeepDeliveredHours(-1), "outboxKeepDeliveredHours");
        refused(p -> p.setOutboxInDoubt("MAYBE"), "outboxInDoubt");
    }

    @Test
    void sendingLimitsHaveFloors() throws Exception {
        refused(p -> p.setMaxMessageBytes(1023L), "maxMessageBytes must be at least 1024 (was 1023)");
        assertEquals(1024, accepted(p -> p.setMaxMessageBytes(1024L)).sending().maxMessageBytes());
        refused(p -> p.setMaxRecipientsPerMessage(0), "maxRecipientsPerMessage");
        refused(p -> p.setMessagesPerMinute(-1), "messagesPerMinute");
        assertEquals(0, accepted(p -> p.setMessagesPerMinute(0)).sending().messagesPerMinute());
        refused(p -> p.setSendTimeoutSeconds(0), "sendTimeoutSeconds");
        assertEquals(Duration.ofSeconds(1), accepted(p -> p.setSendTimeoutSeconds(1)).graph().sendTimeout());
        refused(p -> p.setGraphMaxConcurrentRequests(-1), "graphMaxConcurrentRequests");
        refused(p -> p.setSmtpMaxConcurrentSends(-1), "smtpMaxConcurrentSends");
        assertFalse(accepted(p -> p.setSaveToSentItems(false)).graph().saveToSentItems());
        assertTrue(accepted(p -> { }).graph().saveToSentItems());
    }

    @Test
    void allowedFromAddressesStartWithTheMailboxAndHoldEachAddressOnce() throws Exception {
        MailSettings s = accepted(p -> p.setAllowedFromAddresses(
                "sales@contoso.com, NOTIFICATIONS@contoso.com, Sales@Contoso.com, help@contoso.com"));
        assertEquals(List.of("notifications@contoso.com", "sales@contoso.com", "help@contoso.com"),
                s.sending().allowedFromAddresses().stream().map(a -> a.getAddress()).toList());
        assertEquals(List.of("notifications@contoso.com"),
                accepted(p -> { }).sending().allowedFromAddresses().stream().map(a -> a.getAddress()).toList());
        refused(p -> p.setAllowedFromAddresses("sales@contoso.com, not-an-address"), "allowedFromAddresses");
    }

    @Test
    void portsAndTimeoutsHaveRanges() throws Exception {
        refused(p -> p.setSmtpPort(0), "smtpPort must be between 1 and 65535");
        refused(p -> p.setSmtpPort(65536), "smtpPort must be between 1 and 65535");
        assertEquals(1, accepted(p -> p.setSmtpPort(1)).smtpPort());
        assertEquals(65535, accepted(p -> p.setSmtpPort(65535)).smtpPort());
        assertEquals(SmtpTls.IMPLICIT, accepted(p -> p.setSmtpPort(465)).smtpTls());
        assertEquals(SmtpTls.STARTTLS, accepted(p -> p.setSmtpPort(587)).smtpTls());
        assertEquals(SmtpTls.STARTTLS, accepted(p -> {
            p.setSmtpPort(465);
            p.setSmtpTls("STARTTLS");
        }).smtpTls(), "an explicit mode wins over the port's");
        refused(p -> p.setSmtpTls("PLAINTEXT_LOOPBACK_ONLY"), "only for a test server on this machine");
        assertEquals(SmtpTls.PLAINTEXT_LOOPBACK_ONLY, accepted(p -> {
            p.setSmtpHost("127.0.0.1");
            p.setSmtpTls("PLAINTEXT_LOOPBACK_ONLY");
        }).smtpTls());
        refused(p -> p.setConnectTimeoutMillis(99), "connectTimeoutMillis");
        refused(p -> p.setReadTimeoutMillis(99), "readTimeoutMillis");
        MailSettings edges = accepted(p -> {
            p.setConnectTimeoutMillis(100);
            p.setReadTimeoutMillis(100);
        });
        assertEquals(Duration.ofMillis(100), edges.network().connectTimeout());
        assertEquals(Duration.ofMillis(100), edges.network().readTimeout());
    }

    @Test
    void theProxyIsHostAndPortWithinRange() throws Exception {
        MailSettings.Network n = accepted(p -> p.setHttpProxy("proxy.contoso.com:1")).network();
        assertEquals("proxy.contoso.com", n.proxyHost());
        assertEquals(1, n.proxyPort());
        assertNull(n.proxyUser());
        assertEquals(65535, accepted(p -> p.setHttpProxy("proxy:65535")).network().proxyPort());
        MailSettings.Network user = accepted(p -> p.setHttpProxy("alice@proxy:3128")).network();
        assertEquals("alice", user.proxyUser());
        assertNull(user.proxyPassword(), "no password given");
        String why = "httpProxy must be host:port";
        refused(p -> p.setHttpProxy("proxy:0"), why);
        refused(p -> p.setHttpProxy("proxy:65536"), why);
        refused(p -> p.setHttpProxy(":3128"), why);
        refused(p -> p.setHttpProxy("proxy"), why);
        String m = refused(p -> p.setHttpProxy("alice:pa55word@proxy:x"), why);
        assertFalse(m.contains("pa55word"), m);
    }

    @Test
    void aTrustStoreMustHoldCertificates(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        Path file = dir.resolve("empty.p12");
        try (var out = Files.newOutputStream(file)) {
            empty.store(out, "store-password".toCharArray());
        }
        refused(p -> {
            p.setTrustStorePath(file.toString());
            p.setTrustStorePassword("store-password");
        }, "holds no certificates");
    }

    @Test
    void loopbackMeansEveryAddressIsALoopbackOne() {
        assertTrue(Loopback.isLoopback("127.0.0.1"));
        assertTrue(Loopback.isLoopback("::1"));
        assertTrue(Loopback.isLoopback("[::1]"));
        assertTrue(Loopback.isLoopback(" localhost "));
        assertFalse(Loopback.isLoopback("10.0.0.1"));
        assertFalse(Loopback.isLoopback("[10.0.0.1]"));
        assertFalse(Loopback.isLoopback("[::1"), "an unclosed bracket is no address");
        assertFalse(Loopback.isLoopback(null));
        assertFalse(Loopback.isLoopback(" "));
        assertFalse(Loopback.isLoopback("no-such-host.invalid"));
    }

    @Test
    void cloudsKnowTheirHostsAndScopes() {
        assertTrue(Cloud.GLOBAL.isMicrosoftHost("outlook.office.com"));
        assertTrue(Cloud.GLOBAL.isMicrosoftHost("EU.Outlook.Office.com"));
        assertFalse(Cloud.GLOBAL.isMicrosoftHost("outlook.office.com.evil.example"));
        assertFalse(Cloud.GLOBAL.isMicrosoftHost("evil-office.com"));
        assertTrue(Cloud.CHINA.isMicrosoftHost("partner.outlook.cn"));
        assertFalse(Cloud.US_GOV.isMicrosoftHost("outlook.office365.us"), "no upload sessions there");
        assertEquals("https://outlook.office.com/SMTP.Send", Cloud.GLOBAL.delegatedSmtpScope());
        for (Cloud c : Cloud.values()) {
            assertTrue(c.delegatedSmtpScope().endsWith("/SMTP.Send"), c.name());
            if (c != Cloud.GLOBAL) {
                assertNotEquals("https://outlook.office.com/SMTP.Send", c.delegatedSmtpScope(), c.name());
            }
        }
        assertTrue(Cloud.GLOBAL.hasUploadSessions());
        assertFalse(Cloud.US_GOV.hasUploadSessions());
        assertEquals("https://outlook.office365.us/SMTP.Send", Cloud.US_GOV.delegatedSmtpScope());
    }

    @Test
    void jndiNamesOfTheServerAreTold() {
        assertTrue(JndiNames.isServers("mail/Office365"));
        assertTrue(JndiNames.isServers("java:global/mail/Office365"));
        assertFalse(JndiNames.isServers("ldap://evil.example/x"));
        assertFalse(JndiNames.isServers(null));
    }

    @Test
    void secretsAreEqualByValueAndShowNone() {
        Secret a = Secret.of("value-one");
        assertEquals(a, Secret.of("value-one"));
        assertEquals(a.hashCode(), Secret.of("value-one").hashCode());
        assertNotEquals(a, Secret.of("value-two"));
        assertNotEquals(a, "value-one");
        assertFalse(a.toString().contains("value-one"), a.toString());
        assertEquals("value-one", a.reveal());
    }

    @Test
    void settingsDescribeThemselvesWithoutSecrets() throws Exception {
        MailSettings s = accepted(p -> {
            p.setHttpProxy("alice:pa55word@proxy:3128");
            p.setAllowedFromAddresses("sales@contoso.com");
            p.setMessagesPerMinute(30);
        });
        String text = s.toString();
        assertFalse(text.contains("client-secret-value"), text);
        assertFalse(text.contains("pa55word"), text);
        assertTrue(text.contains("notifications@contoso.com"), text);
        assertTrue(text.contains("proxy:3128"), text);
        assertTrue(text.contains("sales@contoso.com"), text);
        assertTrue(text.contains("messagesPerMinute=30"), text);
        assertTrue(s.delivery().toString().contains("AFTER_COMMIT"), s.delivery().toString());
        assertFalse(s.operations().toString().isBlank());
    }

    @Test
    void anExpiredCertificateIsRefusedWithItsSubjectAndDate(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path expired = org.m365mail.testing.TestCertificates.pkcs12(dir.resolve("old.p12"), "old-mailer", 10,
                "cert-pass", "-30d");
        String m = refused(p -> {
            p.setClientSecret(null);
            p.setCertificatePath(expired.toString());
            p.setCertificatePassword("cert-pass");
        }, "the certificate in certificatePath (CN=old-mailer) expired on ");
        assertTrue(m.contains("upload a new one to the app registration"), m);
        Path current = org.m365mail.testing.TestCertificates.pkcs12(dir.resolve("new.p12"), "new-mailer", 10,
                "cert-pass");
        MailSettings s = accepted(p -> {
            p.setClientSecret(null);
            p.setCertificatePath(current.toString());
            p.setCertificatePassword("cert-pass");
        });
        assertTrue(s.toString().contains("certificatePath=" + current.toAbsolutePath()), s.toString());
        assertFalse(accepted(p -> { }).toString().contains("certificatePath="));
    }

    @Test
    void aFallbackFactoryNeedsSomeoneToAlertAndAlertAddressesAreTakenOnceEach() throws Exception {
        refused(p -> p.setAlertFallbackFactory("mail/Alerts"),
                "alertFallbackFactory is set but alertAddress is not: name who receives the alerts");
        MailSettings s = accepted(p -> {
            p.setAlertFallbackFactory("mail/Alerts");
            p.setAlertAddress("ops@contoso.com, OPS@Contoso.com, oncall@contoso.com");
        });
        assertEquals(List.of("ops@contoso.com", "oncall@contoso.com"),
                s.operations().alertAddresses().stream().map(a -> a.getAddress()).toList());
    }

    @Test
    void theDelegatedScopeFollowsTheTransportAndTheGraphUrl() throws Exception {
        assertEquals("https://graph.microsoft.com/Mail.Send", accepted(p -> p.setTransport("GRAPH")).delegatedScope());
        assertEquals("https://graph.microsoft.us/Mail.Send", accepted(p -> {
            p.setTransport("GRAPH");
            p.setGraphUrl("https://graph.microsoft.us");
        }).delegatedScope());
        assertEquals("https://outlook.office.com/SMTP.Send", accepted(p -> p.setTransport("SMTP")).delegatedScope());
    }

    @Test
    void smtpSendsOnBehalfOnlyWhenAnotherMailboxSignsIn() throws Exception {
        assertFalse(accepted(p -> p.setTransport("SMTP")).sendsOnBehalf());
        assertFalse(accepted(p -> {
            p.setTransport("SMTP");
            p.setUsername("Notifications@Contoso.com");
        }).sendsOnBehalf());
        assertTrue(accepted(p -> {
            p.setTransport("SMTP");
            p.setUsername("app-sender@contoso.com");
        }).sendsOnBehalf());
    }

    @Test
    void equalSecretsHashAlikeAndDifferentOnesApart() {
        assertEquals(Secret.of("one value").hashCode(), Secret.of("one value").hashCode());
        assertNotEquals(Secret.of("one value").hashCode(), Secret.of("another value").hashCode());
    }

    @Test
    void everyDocumentedDefaultIsListedUnderItsProperty() {
        var defaults = PropertyDefaults.byProperty();
        assertEquals(String.valueOf(PropertyDefaults.CONNECT_TIMEOUT_MILLIS), defaults.get("connectTimeoutMillis"));
        assertEquals(String.valueOf(PropertyDefaults.OUTBOX_RETRY_HOURS), defaults.get("outboxRetryHours"));
        assertEquals(PropertyDefaults.OUTBOX_IN_DOUBT.name(), defaults.get("outboxInDoubt"));
    }
}
