package org.m365mail.it.ear;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A key pair and a self-signed certificate in a PKCS#12 file, made by the JDK's keytool as an administrator would. */
final class SelfSignedCertificate {

    private SelfSignedCertificate() {
    }

    /** Writes {@code file} (alias {@code app}, valid for a year) and returns its certificate. */
    static X509Certificate create(Path file, String cn, String password) throws Exception {
        Files.deleteIfExists(file);
        Process keytool = new ProcessBuilder(Path.of(ProcessHandle.current().info().command().orElse("java"))
                .resolveSibling("keytool").toString(), "-genkeypair", "-alias", "app", "-keyalg", "RSA",
                "-keysize", "2048", "-dname", "CN=" + cn, "-validity", "365", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", password, "-keypass", password)
                .inheritIO().start();
        assertEquals(0, keytool.waitFor());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            store.load(in, password.toCharArray());
        }
        return (X509Certificate) store.getCertificate("app");
    }
}
