package org.m365mail.auth;

import org.junit.jupiter.api.Test;
import org.m365mail.config.Secret;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sealed tokens open under their name, salt and passphrase only. */
class TokenCipherTest {

    private static final String TOKEN = "0.AAAA-refresh-token-value";

    @Test
    void aSealedTokenOpensUnderItsNameAndNothingElse() throws Exception {
        TokenCipher cipher = new TokenCipher(Secret.of("passphrase-sixteen-plus"));
        byte[] salt = TokenCipher.saltFor("tenant|app|user");
        String sealed = cipher.seal("tenant|app|user", TOKEN, salt);
        assertFalse(sealed.contains("refresh"), sealed);
        assertEquals(TOKEN, cipher.open("tenant|app|user", sealed, salt));
        assertEquals(TOKEN, new TokenCipher(Secret.of("passphrase-sixteen-plus")).open("tenant|app|user", sealed,
                salt), "another holder of the passphrase opens it");
        assertNotEquals(sealed, cipher.seal("tenant|app|user", TOKEN, salt), "a new IV each time");

        assertThrows(GeneralSecurityException.class, () -> cipher.open("tenant|app|other", sealed, salt));
        assertThrows(GeneralSecurityException.class,
                () -> new TokenCipher(Secret.of("another-passphrase-16")).open("tenant|app|user", sealed, salt));
        // The IV, then the ciphertext and its 16-byte tag.
        assertEquals(12 + TOKEN.length() + 16, Base64.getDecoder().decode(sealed).length);
    }

    @Test
    void whatIsNoSealedTokenIsRefusedSayingWhy() throws Exception {
        TokenCipher cipher = new TokenCipher(Secret.of("passphrase-sixteen-plus"));
        byte[] salt = TokenCipher.saltFor("n");
        GeneralSecurityException notBase64 = assertThrows(GeneralSecurityException.class,
                () -> cipher.open("n", "***", salt));
        assertEquals("not Base64", notBase64.getMessage());
        GeneralSecurityException ivOnly = assertThrows(GeneralSecurityException.class,
                () -> cipher.open("n", Base64.getEncoder().encodeToString(new byte[12]), salt));
        assertEquals("too short", ivOnly.getMessage());
        // An IV and part of a tag: the JDK's GCM would throw an unchecked ProviderException, which the stores
        // (they catch GeneralSecurityException) would let escape instead of reporting the entry unreadable.
        for (int length = 13; length < 12 + 16; length++) {
            String truncated = Base64.getEncoder().encodeToString(new byte[length]);
            GeneralSecurityException partialTag = assertThrows(GeneralSecurityException.class,
                    () -> cipher.open("n", truncated, salt), length + " bytes");
            assertEquals("too short", partialTag.getMessage());
        }
        // An IV and a tag's worth of bytes are checked by the cipher, which finds them altered.
        GeneralSecurityException forged = assertThrows(GeneralSecurityException.class,
                () -> cipher.open("n", Base64.getEncoder().encodeToString(new byte[12 + 16]), salt));
        assertNotEquals("too short", forged.getMessage());
    }

    @Test
    void saltsForANameAreAlikeEverywhereAndNewSaltsAreRandom() {
        byte[] salt = TokenCipher.saltFor("tenant|graph|app");
        assertEquals(16, salt.length);
        assertArrayEquals(salt, TokenCipher.saltFor("tenant|graph|app"));
        assertFalse(Arrays.equals(salt, TokenCipher.saltFor("tenant|smtp|app")));

        TokenCipher cipher = new TokenCipher(Secret.of("passphrase-sixteen-plus"));
        byte[] random = cipher.newSalt();
        assertEquals(16, random.length);
        assertFalse(Arrays.equals(random, cipher.newSalt()));
        assertTrue(cipher.toString().contains("AES-256-GCM") && !cipher.toString().contains("passphrase"));
    }
}
