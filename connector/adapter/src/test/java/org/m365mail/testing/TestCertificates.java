package org.m365mail.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Certificates made for a test with the JDK's keytool. */
public final class TestCertificates {

    private TestCertificates() {
    }

    /** A PKCS#12 file with an RSA key and a self-signed certificate for {@code cn}, valid {@code days} days. */
    public static Path pkcs12(Path file, String cn, int days, String password) throws Exception {
        return pkcs12(file, cn, days, password, null);
    }

    /**
     * As above, its validity starting at {@code startDate} in keytool's form ({@code "-30d"}: 30 days ago), so that a
     * test can have a certificate that has already expired.
     */
    public static Path pkcs12(Path file, String cn, int days, String password, String startDate) throws Exception {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "app", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + cn,
                "-validity", String.valueOf(days), "-storetype", "PKCS12", "-keystore", file.toString(),
                "-storepass", password, "-keypass", password));
        if (startDate != null) {
            command.addAll(List.of("-startdate", startDate));
        }
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        return file;
    }

    public static X509Certificate certificate(Path pkcs12, String password) throws Exception {
        return (X509Certificate) load(pkcs12, password).getCertificate("app");
    }

    /** The same key and certificate as an unencrypted PKCS#8 PEM file. */
    public static Path pem(Path pkcs12, String password, Path pem) throws Exception {
        KeyStore store = load(pkcs12, password);
        PrivateKey key = (PrivateKey) store.getKey("app", password.toCharArray());
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        String text = "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n"
                + "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(store.getCertificate("app").getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        Files.writeString(pem, text);
        return pem;
    }

    private static KeyStore load(Path pkcs12, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pkcs12)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }
}
