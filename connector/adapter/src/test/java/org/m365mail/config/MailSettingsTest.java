package org.m365mail.config;

import jakarta.resource.spi.InvalidPropertyException;
import org.junit.jupiter.api.Test;
import org.m365mail.outbound.MailManagedConnectionFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MailSettingsTest {

    private static final String SECRET = "s3cr3t~value.that-must-not-leak";

    /** Properties as an administrator sets them on a pool (the managed connection factory is the bean). */
    private static MailManagedConnectionFactory values(String transport, String tenantId, String clientId,
                                                       String secret, String from) {
        MailManagedConnectionFactory p = new MailManagedConnectionFactory();
        p.setTransport(transport);
        p.setTenantId(tenantId);
        p.setClientId(clientId);
        p.setClientSecret(secret);
        p.setFromAddress(from);
        return p;
    }

    private static MailManagedConnectionFactory contoso(String transport) {
        return values(transport, "contoso.com", "8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736", SECRET, "a@contoso.com");
    }

    @Test
    void missingTenantIdIsNamedWithWhereToFindIt() {
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(
                values(null, null, "8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736", SECRET, "a@contoso.com")));
        assertTrue(e.getMessage().contains("tenantId is required"), e.getMessage());
        assertTrue(e.getMessage().contains("Directory (tenant) ID"), e.getMessage());
    }

    @Test
    void everyProblemIsReportedAtOnceAndNoSecretAppears() {
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(
                values("POP3", "not a tenant", "client", SECRET, "not-an-address")));
        String m = e.getMessage();
        assertTrue(m.contains("(4 problems)"), m);
        assertTrue(m.contains("transport must be GRAPH or SMTP (was 'POP3')"), m);
        assertTrue(m.contains("tenantId must be a GUID"), m);
        assertTrue(m.contains("clientId must be the Application (client) ID"), m);
        assertTrue(m.contains("fromAddress must be a plain e-mail address"), m);
        assertFalse(m.contains(SECRET), m);
    }

    @Test
    void aPasswordAliasTheServerCouldNotResolveIsRefusedNamingItNotUsedAsTheSecret() throws Exception {
        MailManagedConnectionFactory p = contoso("GRAPH");
        p.setClientSecret("${ALIAS=m365-secret-2072}");
        String m = assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(p)).getMessage();
        assertTrue(m.contains("clientSecret names the password alias 'm365-secret-2072', which this server does not "
                + "have"), m);
        assertTrue(m.contains("asadmin create-password-alias m365-secret-2072"), m);

        // GlassFish's command line form, and the other references Payara resolves.
        p.setClientSecret(SECRET);
        p.setCertificatePassword("${ALIAS\\=cert-pass}");
        p.setTokenStoreFile("${ENV=MAIL_TOKENS}");
        m = assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(p)).getMessage();
        assertTrue(m.contains("certificatePassword names the password alias 'cert-pass'"), m);
        assertTrue(m.contains("tokenStoreFile names the environment variable MAIL_TOKENS"), m);

        // A resolved value (what the server hands over when the alias exists) is taken.
        p.setCertificatePassword(null);
        p.setTokenStoreFile(null);
        MailSettings.validate(p);
    }

    @Test
    void aLibertyEncodedValueTheServerDidNotDecodeIsRefusedWithWhereItBelongs() throws Exception {
        MailManagedConnectionFactory p = contoso("GRAPH");
        p.setClientSecret("{aes}ARB3mFZ0fakeEncodedBytes==");
        String m = assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(p)).getMessage();
        assertTrue(m.contains("clientSecret holds a value encoded with {aes} that reached the connector undecoded"), m);
        assertTrue(m.contains("give the client secret as applicationPassword instead"), m);
        assertFalse(m.contains("fakeEncodedBytes"), m);

        p.setClientSecret(SECRET);
        p.setTrustStorePassword("{xor}Lz4sLCgwLTs=");
        m = assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(p)).getMessage();
        assertTrue(m.contains("trustStorePassword holds a value encoded with {xor}"), m);
        assertTrue(m.contains("the key it was encoded with"), m);

        p.setTrustStorePassword(null);
        p.setAlertAddress(" {HASH}abc");
        m = assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(p)).getMessage();
        assertTrue(m.contains("alertAddress holds a value encoded with {hash}"), m);
        assertTrue(m.contains("as plain text, or as a variable ({hash} is one-way"), m);
    }

    @Test
    void defaultsAreMicrosoftsGlobalCloud() throws Exception {
        MailSettings s = MailSettings.validate(values(null, "contoso.onmicrosoft.com",
                "8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736", SECRET, "notifications@contoso.com"));
        assertEquals(TransportKind.GRAPH, s.transport());
        assertEquals("https://login.microsoftonline.com/contoso.onmicrosoft.com/", s.tenantAuthority());
        assertEquals("https://graph.microsoft.com/.default", s.graphScope());
        assertEquals("smtp.office365.com", s.smtpHost());
        assertEquals(587, s.smtpPort());
        assertFalse(s.toString().contains(SECRET), s.toString());
        assertEquals("****", s.clientSecret().toString());
    }

    @Test
    void urlsMustBeHttpsHostsAndTrailingSlashesAreDropped() throws Exception {
        MailManagedConnectionFactory wrong = contoso("GRAPH");
        wrong.setAuthorityUrl("http://login.example");
        wrong.setGraphUrl("https://graph.example/v1.0");
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(wrong));
        assertTrue(e.getMessage().contains("authorityUrl must be an https URL"), e.getMessage());
        assertTrue(e.getMessage().contains("graphUrl must be an https URL"), e.getMessage());

        MailManagedConnectionFactory right = contoso("smtp");
        right.setAuthorityUrl("https://login.microsoftonline.us/");
        right.setGraphUrl("https://graph.microsoft.us/");
        right.setSmtpPort(465);
        MailSettings ok = MailSettings.validate(right);
        assertEquals("https://graph.microsoft.us/.default", ok.graphScope());
        assertEquals(TransportKind.SMTP, ok.transport());
    }

    @Test
    void unreadableTrustStoreIsNamed() throws Exception {
        Path notAStore = Files.createTempFile("not-a-store", ".p12");
        Files.writeString(notAStore, "garbage");
        MailManagedConnectionFactory garbage = contoso(null);
        garbage.setTrustStorePath(notAStore.toString());
        garbage.setTrustStorePassword("pw");
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(garbage));
        assertTrue(e.getMessage().contains("trustStorePath '" + notAStore + "' cannot be read"), e.getMessage());

        MailManagedConnectionFactory absent = contoso(null);
        absent.setTrustStorePath("/no/such/file.p12");
        InvalidPropertyException missing = assertThrows(InvalidPropertyException.class,
                () -> MailSettings.validate(absent));
        assertTrue(missing.getMessage().contains("trustStorePath names no readable file"), missing.getMessage());
    }

    private static MailManagedConnectionFactory withCloud(String cloud, String authorityUrl, String proxy) {
        MailManagedConnectionFactory p = contoso("GRAPH");
        p.setCloud(cloud);
        p.setAuthorityUrl(authorityUrl);
        p.setHttpProxy(proxy);
        return p;
    }

    @Test
    void theCloudSetsHostsAndScopesAndAnExplicitUrlStillWins() throws Exception {
        MailSettings gov = MailSettings.validate(withCloud("us_gov", null, null));
        assertEquals("https://login.microsoftonline.us", gov.authorityUrl());
        assertEquals("https://graph.microsoft.us/.default", gov.graphScope());
        assertEquals("smtp.office365.us", gov.smtpHost());
        assertEquals("https://outlook.office365.us/.default", gov.exchangeScope());
        assertFalse(gov.cloud().hasUploadSessions());

        MailSettings china = MailSettings.validate(withCloud("CHINA", "https://login.proxy.contoso.cn", null));
        assertEquals("https://login.proxy.contoso.cn", china.authorityUrl(), "an explicit authorityUrl wins");
        assertEquals("https://microsoftgraph.chinacloudapi.cn", china.graphUrl());
        assertEquals("https://partner.outlook.cn/.default", china.exchangeScope());

        InvalidPropertyException e = assertThrows(InvalidPropertyException.class,
                () -> MailSettings.validate(withCloud("AZURE_GERMANY", null, null)));
        assertTrue(e.getMessage().contains("cloud must be GLOBAL, US_GOV, US_GOV_DOD or CHINA"), e.getMessage());
    }

    @Test
    void theProxyIsParsedAndItsPasswordKeptSecret() throws Exception {
        MailSettings s = MailSettings.validate(withCloud(null, null, "svc-mail:pr0xy-pass@proxy.contoso.com:3128"));
        assertEquals("proxy.contoso.com", s.network().proxyHost());
        assertEquals(3128, s.network().proxyPort());
        assertEquals("svc-mail", s.network().proxyUser());
        assertEquals("pr0xy-pass", s.network().proxyPassword().reveal());
        assertFalse(s.toString().contains("pr0xy-pass"), s.toString());

        InvalidPropertyException e = assertThrows(InvalidPropertyException.class,
                () -> MailSettings.validate(withCloud(null, null, "proxy.contoso.com")));
        assertTrue(e.getMessage().contains("httpProxy must be host:port"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
    }

    @Test
    void aSharedTokenCacheNeedsAKeyOfSixteenCharacters() {
        InvalidPropertyException missing = assertThrows(InvalidPropertyException.class,
                () -> MailSettings.validate(withTokenCache("JCACHE", null)));
        assertTrue(missing.getMessage().contains("tokenCacheKey is required with tokenCache JCACHE"),
                missing.getMessage());
        InvalidPropertyException shortKey = assertThrows(InvalidPropertyException.class,
                () -> MailSettings.validate(withTokenCache("JCACHE", "too-short")));
        assertTrue(shortKey.getMessage().contains("tokenCacheKey must be at least 16 characters"),
                shortKey.getMessage());
        assertFalse(shortKey.getMessage().contains("too-short"), "the key is not repeated");
        assertEquals("****", assertDoesNotThrowSettings(withTokenCache("JCACHE", "a-key-of-16-chars+"))
                .tokenCacheKey().toString());
    }

    private static MailSettings assertDoesNotThrowSettings(MailProperties values) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> MailSettings.validate(values));
    }

    private static MailManagedConnectionFactory withTokenCache(String cache, String key) {
        MailManagedConnectionFactory p = contoso("GRAPH");
        p.setTokenCache(cache);
        p.setTokenCacheKey(key);
        return p;
    }

    @Test
    void alertSettingsAreCheckedWithWhatToPutThere() {
        MailManagedConnectionFactory p = contoso("GRAPH");
        p.setAlertAddress("ops@contoso.com, not an address");
        p.setAlertFallbackFactory("ldap://attacker.example:1389/o=x");
        p.setAlertIntervalMinutes(0);
        p.setClientSecretExpires("30/06/2027");
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(p));
        String m = e.getMessage();
        assertTrue(m.contains("alertAddress must list plain e-mail addresses"), m);
        assertTrue(m.contains("alertFallbackFactory must be the JNDI name of another connection factory"), m);
        assertTrue(m.contains("alertIntervalMinutes must be at least 1"), m);
        assertTrue(m.contains("clientSecretExpires must be the secret's expiry date as yyyy-MM-dd"), m);
        p.setAlertFallbackFactory("java:app/mail/Alerts");
        assertTrue(assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(p)).getMessage()
                .contains("application names (java:app/, java:module/, java:comp/) and URLs are not looked up"));
    }

    @Test
    void operationsHaveDefaultsAndTakeDatesAndNames() throws Exception {
        MailSettings defaults = MailSettings.validate(contoso("GRAPH"));
        assertEquals(List.of(), defaults.operations().alertAddresses());
        assertEquals(Duration.ofMinutes(60), defaults.operations().alertInterval());
        assertEquals(Duration.ofSeconds(120), defaults.operations().unhealthyAfter());
        assertEquals(Duration.ofDays(30), defaults.operations().expiryWarning());
        MailManagedConnectionFactory p = contoso("GRAPH");
        p.setAlertAddress("ops@contoso.com; second@contoso.com");
        p.setAlertFallbackFactory("java:global/mail/Alerts");
        p.setClientSecretExpires("2027-06-30");
        MailSettings s = MailSettings.validate(p);
        assertEquals(2, s.operations().alertAddresses().size());
        assertEquals("java:global/mail/Alerts", s.operations().alertFallbackFactory());
        assertEquals(Instant.parse("2027-06-30T00:00:00Z"), s.clientSecretExpires());
    }

    @Test
    void aTokenStoreDataSourceThatIsAUrlIsRefusedNotLookedUp() {
        MailManagedConnectionFactory p = contoso("GRAPH");
        p.setAuthentication("DELEGATED");
        p.setUsername("a@contoso.com");
        p.setTokenStoreKey("a passphrase of sixteen+");
        p.setTokenStoreDataSource("rmi://attacker.example:1099/x");
        String m = assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(p)).getMessage();
        assertTrue(m.contains("tokenStoreDataSource must be the JNDI name of a JDBC resource (e.g. jdbc/mailTokens)"),
                m);
    }

    @Test
    void aSecretsExpiryWithoutASecretIsNamed() {
        MailManagedConnectionFactory p = contoso("GRAPH");
        p.setClientSecret(null);
        p.setAuthentication("MANAGED_IDENTITY");
        p.setClientSecretExpires("2027-06-30");
        assertTrue(assertThrows(InvalidPropertyException.class, () -> MailSettings.validate(p)).getMessage()
                .contains("clientSecretExpires is set but clientSecret is not"));
    }
}
