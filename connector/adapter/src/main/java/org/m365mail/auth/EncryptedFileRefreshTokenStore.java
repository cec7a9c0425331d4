package org.m365mail.auth;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import org.m365mail.api.MailSendException;
import org.m365mail.config.Secret;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps refresh tokens in a file, each encrypted with AES-256-GCM under a key derived from {@code tokenStoreKey}
 * (PBKDF2-HMAC-SHA256, 210,000 iterations, a random salt kept in the file). The entry's name is bound in as
 * associated data, so an entry moved to another name, or any altered byte, fails to decrypt instead of yielding a
 * wrong token. Each save writes a new file and moves it over the old one atomically: a crash leaves the old or the new
 * token, never half of one.
 */
public final class EncryptedFileRefreshTokenStore implements RefreshTokenStore {

    private static final int ITERATIONS = 210_000;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Path file;
    private final Secret passphrase;
    private final JsonProvider json = JsonProvider.provider();
    private final SecureRandom random = new SecureRandom();
    private SecretKey key;
    private byte[] salt;

    public EncryptedFileRefreshTokenStore(Path file, Secret passphrase) {
        this.file = file;
        this.passphrase = passphrase;
    }

    @Override
    public synchronized Optional<String> load(String name) throws MailSendException {
        Map<String, String> entries = read();
        String sealed = entries.get(name);
        if (sealed == null) {
            return Optional.empty();
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(sealed);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return Optional.of(new String(cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES),
                    StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new MailSendException("The token store " + file + " cannot be decrypted: tokenStoreKey is not the "
                    + "key it was written with, or the file was altered. Connect the mailbox again (after Reset) to "
                    + "start a new store.", "TokenStoreUnreadable", null);
        }
    }

    @Override
    public synchronized void save(String name, String refreshToken) throws MailSendException {
        Map<String, String> entries = read();
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(refreshToken.getBytes(StandardCharsets.UTF_8));
            byte[] stored = new byte[iv.length + sealed.length];
            System.arraycopy(iv, 0, stored, 0, iv.length);
            System.arraycopy(sealed, 0, stored, iv.length, sealed.length);
            entries.put(name, Base64.getEncoder().encodeToString(stored));
        } catch (GeneralSecurityException e) {
            throw new MailSendException("Cannot encrypt a refresh token for " + file + ": " + e.getMessage(), e);
        }
        write(entries);
    }

    @Override
    public synchronized void delete(String name) throws MailSendException {
        Map<String, String> entries = read();
        if (entries.remove(name) != null) {
            write(entries);
        }
    }

    private Map<String, String> read() throws MailSendException {
        Map<String, String> entries = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            if (salt == null) {
                salt = new byte[16];
                random.nextBytes(salt);
            }
            return entries;
        }
        try (JsonReader reader = json.createReader(new StringReader(Files.readString(file)))) {
            JsonObject root = reader.readObject();
            byte[] stored = Base64.getDecoder().decode(root.getString("salt"));
            if (salt != null && !java.util.Arrays.equals(salt, stored)) {
                key = null;
            }
            salt = stored;
            for (Map.Entry<String, JsonValue> e : root.getJsonObject("entries").entrySet()) {
                entries.put(e.getKey(), ((JsonString) e.getValue()).getString());
            }
            return entries;
        } catch (IOException | RuntimeException e) {
            throw new MailSendException("The token store " + file + " cannot be read: " + e.getMessage(),
                    "TokenStoreUnreadable", e);
        }
    }

    private void write(Map<String, String> entries) throws MailSendException {
        JsonObjectBuilder all = json.createObjectBuilder();
        entries.forEach(all::add);
        String text = json.createObjectBuilder().add("version", 1)
                .add("salt", Base64.getEncoder().encodeToString(salt)).add("entries", all).build().toString();
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.writeString(temp, text);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new MailSendException("Cannot write the token store " + file + ": " + e.getMessage()
                    + "; check that tokenStoreFile's folder is writable", "TokenStoreUnwritable", e);
        }
    }

    private SecretKey key() throws GeneralSecurityException {
        if (key == null) {
            SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] bytes = factory.generateSecret(new PBEKeySpec(passphrase.reveal().toCharArray(), salt, ITERATIONS,
                    256)).getEncoded();
            key = new SecretKeySpec(bytes, "AES");
        }
        return key;
    }

    @Override
    public String toString() {
        return "EncryptedFileRefreshTokenStore[" + file + "]";
    }
}
