package org.m365mail.auth;

import jakarta.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m365mail.api.MailSendException;
import org.m365mail.config.Secret;
import org.m365mail.testing.ManualClock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where refresh tokens are kept between sends: in memory, or sealed in a file that survives restarts. */
class RefreshTokenStoresTest {

    private static final Secret KEY = Secret.of("token-store-key-sixteen");

    @Test
    void theInMemoryStoreKeepsEachTokenWithItsTime() {
        ManualClock clock = new ManualClock();
        InMemoryRefreshTokenStore store = new InMemoryRefreshTokenStore(clock);
        assertEquals(Optional.empty(), store.load("a"));
        assertEquals(Optional.empty(), store.savedAt("a"));
        Instant first = clock.instant();
        store.save("a", "rt-1");
        clock.advance(Duration.ofHours(1));
        store.save("b", "rt-2");
        assertEquals(Optional.of("rt-1"), store.load("a"));
        assertEquals(Optional.of(first), store.savedAt("a"));
        assertEquals(Optional.of(first.plus(Duration.ofHours(1))), store.savedAt("b"));
        assertEquals("InMemoryRefreshTokenStore[2 entries]", store.toString());
        store.delete("a");
        assertEquals(Optional.empty(), store.load("a"));
        assertEquals(Optional.of("rt-2"), store.load("b"));
        assertFalse(store.toString().contains("rt-"), "no token in toString");
    }

    @Test
    void theFileStoreKeepsTokensSealedWithTheirTimesAcrossInstances(@TempDir Path dir) throws Exception {
        ManualClock clock = new ManualClock();
        Path file = dir.resolve("tokens").resolve("store.json");
        EncryptedFileRefreshTokenStore store = new EncryptedFileRefreshTokenStore(file, KEY, clock);
        assertEquals(Optional.empty(), store.load("tenant|app|user"));
        assertFalse(Files.exists(file), "reading an absent store writes nothing");
        Instant saved = clock.instant();
        store.save("tenant|app|user", "refresh-token-one");
        store.save("tenant|app|other", "refresh-token-two");

        String text = Files.readString(file);
        assertFalse(text.contains("refresh-token"), text);
        assertTrue(text.contains("\"version\":2"), text);
        assertTrue(text.contains("\"savedAt\":\"" + saved + "\""), text);

        EncryptedFileRefreshTokenStore restarted = new EncryptedFileRefreshTokenStore(file, KEY, clock);
        assertEquals(Optional.of("refresh-token-one"), restarted.load("tenant|app|user"));
        assertEquals(Optional.of("refresh-token-two"), restarted.load("tenant|app|other"));
        assertEquals(Optional.of(saved), restarted.savedAt("tenant|app|user"));
        assertEquals(Optional.empty(), restarted.savedAt("tenant|app|nobody"));
        try (var temps = Files.list(file.getParent())) {
            assertEquals(1, temps.count(), "no temporary file left behind");
        }
        assertTrue(restarted.toString().contains(file.toString()));
    }

    @Test
    void deletingATokenRewritesTheFileOnlyWhenItWasThere(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("store.json");
        EncryptedFileRefreshTokenStore store = new EncryptedFileRefreshTokenStore(file, KEY, new Object());
        store.delete("tenant|app|user");
        assertFalse(Files.exists(file), "nothing to delete: no file written");
        store.save("tenant|app|user", "rt");
        store.save("tenant|app|kept", "kept");
        FileTime old = FileTime.fromMillis(1_000_000);
        Files.setLastModifiedTime(file, old);
        store.delete("tenant|app|absent");
        assertEquals(old, Files.getLastModifiedTime(file), "an absent name leaves the file as it was");
        store.delete("tenant|app|user");
        assertEquals(Optional.empty(), store.load("tenant|app|user"));
        assertEquals(Optional.of("kept"), store.load("tenant|app|kept"));
        assertFalse(Files.readString(file).contains("tenant|app|user"));
    }

    @Test
    void aFileOfTheFirstFormatIsReadWithTheFilesTimeAsTheSaveTime(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("v1.json");
        TokenCipher cipher = new TokenCipher(KEY);
        byte[] salt = cipher.newSalt();
        String sealed = cipher.seal("tenant|app|user", "old-format-token", salt);
        Files.writeString(file, Json.createObjectBuilder().add("version", 1)
                .add("salt", Base64.getEncoder().encodeToString(salt))
                .add("entries", Json.createObjectBuilder().add("tenant|app|user", sealed)).build().toString());
        Instant modified = Instant.parse("2026-06-01T12:00:00Z");
        Files.setLastModifiedTime(file, FileTime.from(modified));
        EncryptedFileRefreshTokenStore store = new EncryptedFileRefreshTokenStore(file, KEY);
        assertEquals(Optional.of("old-format-token"), store.load("tenant|app|user"));
        assertEquals(Optional.of(modified), store.savedAt("tenant|app|user"));
    }

    @Test
    void aWrongKeyOrAnUnreadableFileIsReportedAsSuch(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("store.json");
        new EncryptedFileRefreshTokenStore(file, KEY).save("tenant|app|user", "rt");
        MailSendException wrongKey = assertThrows(MailSendException.class,
                () -> new EncryptedFileRefreshTokenStore(file, Secret.of("another-key-sixteen")).load(
                        "tenant|app|user"));
        assertEquals("TokenStoreUnreadable", wrongKey.getErrorCode());
        assertTrue(wrongKey.getMessage().contains("cannot be decrypted"), wrongKey.getMessage());

        Files.writeString(file, "{ not json");
        MailSendException broken = assertThrows(MailSendException.class,
                () -> new EncryptedFileRefreshTokenStore(file, KEY).load("tenant|app|user"));
        assertEquals("TokenStoreUnreadable", broken.getErrorCode());
        assertTrue(broken.getMessage().contains("cannot be read"), broken.getMessage());
    }

    @Test
    void aFolderThatCannotBeWrittenIsNamed(@TempDir Path dir) throws Exception {
        Path notAFolder = Files.writeString(dir.resolve("plain-file"), "x");
        EncryptedFileRefreshTokenStore store = new EncryptedFileRefreshTokenStore(notAFolder.resolve("store.json"),
                KEY);
        MailSendException e = assertThrows(MailSendException.class, () -> store.save("tenant|app|user", "rt"));
        assertEquals("TokenStoreUnwritable", e.getErrorCode());
        assertTrue(e.getMessage().contains("tokenStoreFile"), e.getMessage());
    }
}
