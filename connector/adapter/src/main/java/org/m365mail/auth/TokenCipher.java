package org.m365mail.auth;

import org.m365mail.api.MailSendException;
import org.m365mail.config.Secret;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Seals tokens kept outside this JVM's memory (refresh tokens in a token store, access tokens in the cluster's shared
 * cache) with AES-256-GCM under a key derived from a configured passphrase ({@code tokenStoreKey},
 * {@code tokenCacheKey}) with PBKDF2-HMAC-SHA256, 210,000 iterations and a 16-byte salt. The entry's name is bound in
 * as associated data, so a sealed token copied to another name, or any altered byte, fails to open instead of
 * yielding a wrong token.
 *
 * <p>Deriving a key takes a noticeable fraction of a second by design, so keys are kept per salt.
 */
public final class TokenCipher {

    private static final int ITERATIONS = 210_000;
    private static final int SALT_BYTES = 16;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Secret passphrase;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, SecretKey> keys = new ConcurrentHashMap<>();

    public TokenCipher(Secret passphrase) {
        this.passphrase = passphrase;
    }

    /**
     * A salt every holder of the passphrase derives alike for {@code name}: for entries that several instances write
     * and read without a place to keep a random salt (the cluster's cache).
     */
    public static byte[] saltFor(String name) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("m365-mail-token-salt|" + name).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(digest, SALT_BYTES);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new random salt. */
    public byte[] newSalt() {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return salt;
    }

    /** {@code token} sealed under {@code name}: Base64 of IV then ciphertext and tag. */
    public String seal(String name, String token, byte[] salt) throws MailSendException {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(salt), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(token.getBytes(StandardCharsets.UTF_8));
            byte[] stored = Arrays.copyOf(iv, iv.length + sealed.length);
            System.arraycopy(sealed, 0, stored, iv.length, sealed.length);
            return Base64.getEncoder().encodeToString(stored);
        } catch (GeneralSecurityException e) {
            throw new MailSendException("Cannot encrypt a token: " + e.getMessage(), e);
        }
    }

    /**
     * The token sealed under {@code name}.
     *
     * @throws GeneralSecurityException if the key is not the one it was sealed with, or a byte was altered
     */
    public String open(String name, String sealed, byte[] salt) throws GeneralSecurityException {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(sealed);
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("not Base64");
        }
        // Shorter than an IV and a whole tag, the JDK's GCM throws an unchecked ProviderException, not a
        // GeneralSecurityException: refused here, so a truncated entry is reported as unreadable like any other.
        if (bytes.length < IV_BYTES + TAG_BITS / 8) {
            throw new GeneralSecurityException("too short");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key(salt), new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
        cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
        return new String(cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES), StandardCharsets.UTF_8);
    }

    private SecretKey key(byte[] salt) throws GeneralSecurityException {
        String id = Base64.getEncoder().encodeToString(salt);
        SecretKey key = keys.get(id);
        if (key == null) {
            byte[] bytes = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(
                    new PBEKeySpec(passphrase.reveal().toCharArray(), salt, ITERATIONS, 256)).getEncoded();
            key = new SecretKeySpec(bytes, "AES");
            keys.put(id, key);
        }
        return key;
    }

    @Override
    public String toString() {
        return "TokenCipher[AES-256-GCM]";
    }
}
