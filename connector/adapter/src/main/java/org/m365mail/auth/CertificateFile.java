package org.m365mail.auth;

import org.m365mail.config.ClientCertificate;
import org.m365mail.config.Secret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The certificate in {@code certificatePath}, read again when the file is replaced: renewing a certificate is
 * copying the new file over the old one, and the next token is asked for with it — no redeployment. The file's
 * modification time and size are looked at no more than every {@link #CHECK_EVERY}; a replacement that cannot be read
 * (half copied, wrong password) is reported and the certificate in use stays.
 */
public final class CertificateFile {

    private static final Logger LOG = Logger.getLogger(CertificateFile.class.getName());
    /** How soon a replaced file is seen, at most: the README promises this. */
    public static final Duration CHECK_EVERY = Duration.ofSeconds(5);

    private final Path path;
    private final Secret password;
    private final Clock clock;
    private final Consumer<ClientCertificate> replaced;
    private volatile ClientCertificate current;
    private volatile long version;
    private volatile Instant nextCheck;
    private Object stamp;
    private Object refusedStamp;

    /**
     * @param loaded   the certificate read when the settings were checked
     * @param replaced told (once per replacement) of the new certificate
     */
    public CertificateFile(Path path, Secret password, ClientCertificate loaded, Clock clock,
                           Consumer<ClientCertificate> replaced) {
        this.path = path;
        this.password = password;
        this.current = loaded;
        this.clock = clock;
        this.replaced = replaced;
        this.stamp = stampOf(path);
        this.nextCheck = Instant.now(clock).plus(CHECK_EVERY);
    }

    /** The certificate to sign in with now; reads the file again if it was replaced. */
    public ClientCertificate current() {
        if (!Instant.now(clock).isBefore(nextCheck)) {
            check();
        }
        return current;
    }

    /** Grows by one with each replacement taken up: a token fetched under an older version was signed with the old. */
    public long version() {
        current();
        return version;
    }

    private synchronized void check() {
        Instant now = Instant.now(clock);
        if (now.isBefore(nextCheck)) {
            return;
        }
        nextCheck = now.plus(CHECK_EVERY);
        Object seen = stampOf(path);
        if (seen == null || Objects.equals(seen, stamp) || Objects.equals(seen, refusedStamp)) {
            return;
        }
        ClientCertificate read;
        try {
            read = ClientCertificate.load(path, password);
        } catch (IOException | GeneralSecurityException e) {
            refusedStamp = seen;
            LOG.warning(() -> "M365MAIL-2104 certificatePath " + path + " was replaced by a file that cannot be read ("
                    + e.getMessage() + "); the certificate " + current.subject() + " stays in use. Copy the whole new "
                    + "file, with the same certificatePassword, or change certificatePassword on the pool");
            return;
        }
        stamp = seen;
        if (read.certificate().equals(current.certificate())) {
            return;
        }
        current = read;
        version++;
        LOG.info(() -> "M365MAIL-2102 certificatePath " + path + " was replaced: the next token is asked for with "
                + read.subject() + ", valid until " + read.notAfter());
        replaced.accept(read);
    }

    private static Object stampOf(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return a.lastModifiedTime().toMillis() + "/" + a.size() + "/" + a.fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "CertificateFile[" + path + ", " + current + "]";
    }
}
