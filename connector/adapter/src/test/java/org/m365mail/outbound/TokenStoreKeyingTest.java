package org.m365mail.outbound;

import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.auth.MsalDelegatedTokens;
import org.m365mail.auth.RefreshTokenStore;
import org.m365mail.ra.MailResourceAdapter;
import org.m365mail.sandbox.SandboxDefaults;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Token stores are told apart by their whole configuration: two pools on one file with different keys each seal with
 * their own key, rather than the second silently using the first one's.
 */
class TokenStoreKeyingTest {

    private static MailManagedConnectionFactory pool(MailResourceAdapter adapter, Path file, String user, String key) {
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
        mcf.setResourceAdapter(adapter);
        mcf.setTransport("SMTP");
        mcf.setAuthentication("DELEGATED");
        mcf.setTenantId(SandboxDefaults.TENANT_ID);
        mcf.setClientId(SandboxDefaults.CLIENT_ID);
        mcf.setClientSecret(SandboxDefaults.CLIENT_SECRET);
        mcf.setFromAddress(user);
        mcf.setTokenStoreFile(file.toString());
        mcf.setTokenStoreKey(key);
        return mcf;
    }

    @Test
    void poolsOnOneFileWithDifferentKeysKeepTheirOwnKeys() throws Exception {
        Path file = Files.createTempFile(Path.of("target"), "keyed", ".json");
        Files.delete(file);
        try (MailResourceAdapter adapter = MailResourceAdapter.standalone()) {
            check(adapter, file);
        }
    }

    private static void check(MailResourceAdapter adapter, Path file) throws Exception {
        MailManagedConnectionFactory megan = pool(adapter, file, SandboxDefaults.USER, "megan's key, sixteen+");
        MailManagedConnectionFactory adele = pool(adapter, file, SandboxDefaults.OTHER_USER, "adele's key, sixteen+");
        MailManagedConnectionFactory meganAgain = pool(adapter, file, SandboxDefaults.USER, "megan's key, sixteen+");
        meganAgain.setFromName("another pool, same store");

        RefreshTokenStore meganStore = megan.services().refreshTokenStore();
        RefreshTokenStore adeleStore = adele.services().refreshTokenStore();
        assertNotSame(meganStore, adeleStore, "another key, another store");
        assertSame(meganStore, meganAgain.services().refreshTokenStore(), "same file and key: shared");

        String meganKey = MsalDelegatedTokens.storeKey(megan.settings());
        String adeleKey = MsalDelegatedTokens.storeKey(adele.settings());
        meganStore.save(meganKey, "0.AX-megan-refresh");
        adeleStore.save(adeleKey, "0.AX-adele-refresh");
        assertEquals("0.AX-megan-refresh", meganStore.load(meganKey).orElseThrow());
        assertEquals("0.AX-adele-refresh", adeleStore.load(adeleKey).orElseThrow(), "both entries live in one file");

        // Adele's pool reads Megan's entry with Adele's key, not with the key of whoever opened the file first.
        MailSendException e = assertThrows(MailSendException.class, () -> adeleStore.load(meganKey));
        assertEquals("TokenStoreUnreadable", e.getErrorCode());
    }
}
