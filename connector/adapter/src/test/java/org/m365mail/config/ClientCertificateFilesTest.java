package org.m365mail.config;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m365mail.testing.TestCertificates;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading the certificate an app registration signs in with, in each form an administrator may have it: PKCS#12, PEM
 * with a plain or an encrypted PKCS#8 key (what {@code openssl pkcs8 -topk8} writes), RSA or EC; and each file the
 * connector must refuse with a message that says what to do.
 */
class ClientCertificateFilesTest {

    private static final String PASSWORD = "cert-pass";
    private static Path pkcs12;
    private static X509Certificate certificate;
    private static PrivateKey key;

    @BeforeAll
    static void makeCertificate(@TempDir Path dir) throws Exception {
        pkcs12 = TestCertificates.pkcs12(dir.resolve("app.p12"), "contoso-mailer", 365, PASSWORD);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pkcs12)) {
            store.load(in, PASSWORD.toCharArray());
        }
        certificate = (X509Certificate) store.getCertificate("app");
        key = (PrivateKey) store.getKey("app", PASSWORD.toCharArray());
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path write(Path dir, String text) throws Exception {
        return Files.writeString(dir.resolve("app.pem"), text, StandardCharsets.US_ASCII);
    }

    private static void assertIsTheRegisteredCertificate(ClientCertificate read) {
        assertEquals(certificate, read.certificate());
        assertEquals(1, read.chain().size());
        assertArrayEquals(key.getEncoded(), read.key().getEncoded());
        assertEquals("CN=contoso-mailer", read.subject());
        assertEquals(certificate.getNotAfter().toInstant(), read.notAfter());
    }

    @Test
    void aPkcs12FileGivesItsKeyAndCertificateAndItsNameShowsNoKey() throws Exception {
        ClientCertificate read = ClientCertificate.load(pkcs12, Secret.of(PASSWORD));
        assertIsTheRegisteredCertificate(read);
        String shown = read.toString();
        assertEquals("ClientCertificate[CN=contoso-mailer, valid until " + certificate.getNotAfter().toInstant()
                + "]", shown);
        assertFalse(shown.contains(Base64.getEncoder().encodeToString(key.getEncoded()).substring(0, 40)), shown);
    }

    @Test
    void aPkcs12FileWithTheWrongPasswordOrNoneIsNotRead() {
        assertThrows(Exception.class, () -> ClientCertificate.load(pkcs12, Secret.of("not-the-password")));
        assertThrows(Exception.class, () -> ClientCertificate.load(pkcs12, null));
    }

    @Test
    void aPkcs12FileWithCertificatesButNoKeyIsRefusedSayingSo(@TempDir Path dir) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", certificate);
        Path file = dir.resolve("trust.p12");
        try (var out = Files.newOutputStream(file)) {
            trust.store(out, PASSWORD.toCharArray());
        }
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> ClientCertificate.load(file, Secret.of(PASSWORD)));
        assertEquals("the file holds no private key with its certificate", e.getMessage());
    }

    @Test
    void aPemFileWithAPlainKeyGivesTheSameKeyAndCertificateInEitherOrderIgnoringOtherBlocks(@TempDir Path dir)
            throws Exception {
        assertIsTheRegisteredCertificate(ClientCertificate.load(write(dir, block("PRIVATE KEY", key.getEncoded())
                + block("CERTIFICATE", certificate.getEncoded())), null));
        assertIsTheRegisteredCertificate(ClientCertificate.load(write(dir, "issued by the lab CA\n"
                + block("CERTIFICATE", certificate.getEncoded()) + block("EC PARAMETERS", new byte[]{6, 8, 42})
                + block("PRIVATE KEY", key.getEncoded())), Secret.of("ignored for a plain key")));
    }

    /**
     * The key encrypted as {@code openssl pkcs8 -topk8} writes it by default: PBES2 with HMAC-SHA256 and AES-256-CBC.
     * The JDK cannot write PBES2 key info itself, so the DER is put together here (RFC 5958, RFC 8018).
     */
    private static byte[] pbes2(PrivateKey plain, String password) throws Exception {
        String algorithm = "PBEWithHmacSHA256AndAES_256";
        var pbeKey = SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(password.toCharArray()));
        Cipher cipher = Cipher.getInstance(algorithm);
        cipher.init(Cipher.ENCRYPT_MODE, pbeKey, new PBEParameterSpec(
                "salt-of-16-bytes".getBytes(StandardCharsets.US_ASCII), 2048, new IvParameterSpec(new byte[16])));
        byte[] encrypted = cipher.doFinal(plain.getEncoded());
        byte[] pbes2Oid = {6, 9, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 1, 5, 13};
        return der(0x30, der(0x30, pbes2Oid, cipher.getParameters().getEncoded()), der(0x04, encrypted));
    }

    /** One DER element: its tag, its length, then the given contents one after the other. */
    private static byte[] der(int tag, byte[]... contents) {
        var body = new java.io.ByteArrayOutputStream();
        for (byte[] c : contents) {
            body.writeBytes(c);
        }
        int n = body.size();
        var out = new java.io.ByteArrayOutputStream();
        out.write(tag);
        if (n < 128) {
            out.write(n);
        } else if (n < 256) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xff);
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    @Test
    void aPemFileWithAKeyEncryptedAsOpensslWritesItIsReadWithCertificatePasswordAndOnlyWithIt(@TempDir Path dir)
            throws Exception {
        Path file = write(dir, block("ENCRYPTED PRIVATE KEY", pbes2(key, "pem-pass"))
                + block("CERTIFICATE", certificate.getEncoded()));

        assertIsTheRegisteredCertificate(ClientCertificate.load(file, Secret.of("pem-pass")));
        GeneralSecurityException none = assertThrows(GeneralSecurityException.class,
                () -> ClientCertificate.load(file, null));
        assertEquals("the private key is encrypted: set certificatePassword", none.getMessage());
        assertThrows(GeneralSecurityException.class, () -> ClientCertificate.load(file, Secret.of("wrong-pass")));
    }

    @Test
    void aKeyInTheOlderPbes1EncryptionIsReadToo(@TempDir Path dir) throws Exception {
        // openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES
        String algorithm = "PBEWithSHA1AndDESede";
        var pbeKey = SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec("pem-pass".toCharArray()));
        Cipher cipher = Cipher.getInstance(algorithm);
        cipher.init(Cipher.ENCRYPT_MODE, pbeKey, new PBEParameterSpec(new byte[]{1, 2, 3, 4, 5, 6, 7, 8}, 2048));
        byte[] encrypted = new EncryptedPrivateKeyInfo(cipher.getParameters(), cipher.doFinal(key.getEncoded()))
                .getEncoded();
        assertIsTheRegisteredCertificate(ClientCertificate.load(write(dir, block("CERTIFICATE",
                certificate.getEncoded()) + block("ENCRYPTED PRIVATE KEY", encrypted)), Secret.of("pem-pass")));
    }

    @Test
    void anEncryptedKeyThatIsNoKeyInfoIsReportedAsUnreadable(@TempDir Path dir) throws Exception {
        Path file = write(dir, block("ENCRYPTED PRIVATE KEY", new byte[]{48, 3, 1, 1, 0})
                + block("CERTIFICATE", certificate.getEncoded()));
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> ClientCertificate.load(file, Secret.of("pem-pass")));
        assertEquals("the encrypted private key cannot be read", e.getMessage());
    }

    @Test
    void anEcKeyIsReadAsWellAsAnRsaKey(@TempDir Path dir) throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        PrivateKey ecKey = ec.generateKeyPair().getPrivate();
        ClientCertificate read = ClientCertificate.load(write(dir, block("PRIVATE KEY", ecKey.getEncoded())
                + block("CERTIFICATE", certificate.getEncoded())), null);
        assertEquals("EC", read.key().getAlgorithm());
        assertArrayEquals(ecKey.getEncoded(), read.key().getEncoded());
    }

    @Test
    void aTraditionalFormatKeyIsRefusedWithTheCommandThatConvertsIt(@TempDir Path dir) throws Exception {
        for (String type : new String[]{"RSA PRIVATE KEY", "EC PRIVATE KEY"}) {
            Path file = write(dir, block(type, new byte[]{48, 0}) + block("CERTIFICATE", certificate.getEncoded()));
            String m = assertThrows(GeneralSecurityException.class, () -> ClientCertificate.load(file, null))
                    .getMessage();
            assertTrue(m.contains("traditional " + type + " format"), m);
            assertTrue(m.contains("openssl pkcs8 -topk8"), m);
        }
    }

    @Test
    void aPemFileNeedsBothTheKeyAndTheCertificate(@TempDir Path dir) throws Exception {
        for (String text : new String[]{block("CERTIFICATE", certificate.getEncoded()),
                block("PRIVATE KEY", key.getEncoded())}) {
            Path file = write(dir, text);
            assertEquals("the PEM file needs both a PRIVATE KEY and a CERTIFICATE block",
                    assertThrows(GeneralSecurityException.class, () -> ClientCertificate.load(file, null))
                            .getMessage());
        }
    }
}
