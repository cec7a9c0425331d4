package org.m365mail.auth;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import org.m365mail.api.MailSendException;
import org.m365mail.config.Secret;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps refresh tokens in a file, each sealed by {@link TokenCipher} (AES-256-GCM, key from
 * {@code tokenStoreKey}, a random salt kept in the file). Each save writes a new file and moves it over the old one
 * atomically: a crash leaves the old or the new token, never half of one.
 */
public final class EncryptedFileRefreshTokenStore implements RefreshTokenStore {

    private record Entry(String sealed, Instant savedAt) {
    }

    private final Path file;
    private final TokenCipher cipher;
    private final Clock clock;
    private final JsonProvider json = JsonProvider.provider();
    private byte[] salt;

    /** Guards the file: stores on one file with different keys share it, so their writes do not cross. */
    private final Object lock;

    public EncryptedFileRefreshTokenStore(Path file, Secret passphrase) {
        this(file, passphrase, Clock.systemUTC(), new Object());
    }

    /**
     * @param lock shared by every store on the same file in this JVM
     */
    public EncryptedFileRefreshTokenStore(Path file, Secret passphrase, Object lock) {
        this(file, passphrase, Clock.systemUTC(), lock);
    }

    public EncryptedFileRefreshTokenStore(Path file, Secret passphrase, Clock clock) {
        this(file, passphrase, clock, new Object());
    }

    private EncryptedFileRefreshTokenStore(Path file, Secret passphrase, Clock clock, Object lock) {
        this.file = file;
        this.cipher = new TokenCipher(passphrase);
        this.clock = clock;
        this.lock = lock;
    }

    @Override
    public Optional<String> load(String name) throws MailSendException {
        Entry entry;
        byte[] fileSalt;
        synchronized (lock) {
            entry = read().get(name);
            fileSalt = salt;
        }
        if (entry == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(cipher.open(name, entry.sealed(), fileSalt));
        } catch (GeneralSecurityException e) {
            throw new MailSendException("The token store " + file + " cannot be decrypted: tokenStoreKey is not the "
                    + "key it was written with, or the file was altered. Connect the mailbox again (after Reset) to "
                    + "start a new store.", "TokenStoreUnreadable", null);
        }
    }

    @Override
    public Optional<Instant> savedAt(String name) throws MailSendException {
        synchronized (lock) {
            return Optional.ofNullable(read().get(name)).map(Entry::savedAt);
        }
    }

    @Override
    public void save(String name, String refreshToken) throws MailSendException {
        synchronized (lock) {
            Map<String, Entry> entries = read();
            entries.put(name, new Entry(cipher.seal(name, refreshToken, salt), Instant.now(clock)));
            write(entries);
        }
    }

    @Override
    public void delete(String name) throws MailSendException {
        synchronized (lock) {
            Map<String, Entry> entries = read();
            if (entries.remove(name) != null) {
                write(entries);
            }
        }
    }

    private Map<String, Entry> read() throws MailSendException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            if (salt == null) {
                salt = cipher.newSalt();
            }
            return entries;
        }
        try (JsonReader reader = json.createReader(new StringReader(Files.readString(file)))) {
            JsonObject root = reader.readObject();
            salt = Base64.getDecoder().decode(root.getString("salt"));
            Instant modified = Files.getLastModifiedTime(file).toInstant();
            for (Map.Entry<String, JsonValue> e : root.getJsonObject("entries").entrySet()) {
                if (e.getValue() instanceof JsonString version1) {
                    // Files written before entries carried their time: the file's own time is the best guess.
                    entries.put(e.getKey(), new Entry(version1.getString(), modified));
                } else {
                    JsonObject entry = e.getValue().asJsonObject();
                    entries.put(e.getKey(), new Entry(entry.getString("token"),
                            Instant.parse(entry.getString("savedAt"))));
                }
            }
            return entries;
        } catch (IOException | RuntimeException e) {
            throw new MailSendException("The token store " + file + " cannot be read: " + e.getMessage(),
                    "TokenStoreUnreadable", e);
        }
    }

    private void write(Map<String, Entry> entries) throws MailSendException {
        JsonObjectBuilder all = json.createObjectBuilder();
        entries.forEach((name, entry) -> all.add(name, json.createObjectBuilder().add("token", entry.sealed())
                .add("savedAt", entry.savedAt().toString())));
        String text = json.createObjectBuilder().add("version", 2)
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

    @Override
    public String toString() {
        return "EncryptedFileRefreshTokenStore[" + file + "]";
    }
}
