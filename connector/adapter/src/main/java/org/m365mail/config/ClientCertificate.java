package org.m365mail.config;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The certificate an app registration authenticates with instead of a secret: its private key and certificate chain,
 * read from a PKCS#12 file ({@code .p12}/{@code .pfx}) or a PEM file holding a PKCS#8 private key (optionally
 * encrypted) and the certificate. Its {@link #toString()} names the certificate, never the key.
 *
 * @param key   the private key
 * @param chain the certificate first, then its issuers
 */
public record ClientCertificate(PrivateKey key, List<X509Certificate> chain) {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    public X509Certificate certificate() {
        return chain.get(0);
    }

    public String subject() {
        return certificate().getSubjectX500Principal().getName();
    }

    public Instant notAfter() {
        return certificate().getNotAfter().toInstant();
    }

    /**
     * Reads the file.
     *
     * @throws IOException              if it cannot be read
     * @throws GeneralSecurityException if the password is wrong or the contents are not a key and certificate
     */
    public static ClientCertificate load(Path path, Secret password) throws IOException, GeneralSecurityException {
        byte[] bytes = Files.readAllBytes(path);
        String text = new String(bytes, StandardCharsets.US_ASCII);
        return text.contains("-----BEGIN ") ? fromPem(text, password) : fromPkcs12(path, password);
    }

    private static ClientCertificate fromPkcs12(Path path, Secret password) throws IOException,
            GeneralSecurityException {
        char[] pw = password == null ? new char[0] : password.reveal().toCharArray();
        KeyStore store = KeyStore.getInstance(path.toFile(), pw);
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                Key key = store.getKey(alias, pw);
                Certificate[] chain = store.getCertificateChain(alias);
                if (key instanceof PrivateKey privateKey && chain != null && chain.length > 0) {
                    List<X509Certificate> certificates = new ArrayList<>();
                    for (Certificate c : chain) {
                        certificates.add((X509Certificate) c);
                    }
                    return new ClientCertificate(privateKey, List.copyOf(certificates));
                }
            }
        }
        throw new GeneralSecurityException("the file holds no private key with its certificate");
    }

    private static ClientCertificate fromPem(String text, Secret password) throws GeneralSecurityException {
        PrivateKey key = null;
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory certificates = CertificateFactory.getInstance("X.509");
        Matcher block = PEM.matcher(text);
        while (block.find()) {
            byte[] der = Base64.getMimeDecoder().decode(block.group(2));
            switch (block.group(1)) {
                case "CERTIFICATE" -> chain.add((X509Certificate) certificates.generateCertificate(
                        new ByteArrayInputStream(der)));
                case "PRIVATE KEY" -> key = privateKey(new PKCS8EncodedKeySpec(der));
                case "ENCRYPTED PRIVATE KEY" -> key = decrypt(der, password);
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new GeneralSecurityException("the key is in the "
                        + "traditional " + block.group(1) + " format; convert it to PKCS#8 (openssl pkcs8 -topk8 -in "
                        + "key.pem -out key8.pem) or use a PKCS#12 file");
                default -> {
                    // Other blocks (parameters) are not needed.
                }
            }
        }
        if (key == null || chain.isEmpty()) {
            throw new GeneralSecurityException("the PEM file needs both a PRIVATE KEY and a CERTIFICATE block");
        }
        return new ClientCertificate(key, List.copyOf(chain));
    }

    private static PrivateKey decrypt(byte[] der, Secret password) throws GeneralSecurityException {
        if (password == null) {
            throw new GeneralSecurityException("the private key is encrypted: set certificatePassword");
        }
        try {
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
            AlgorithmParameters parameters = info.getAlgParameters();
            // What `openssl pkcs8 -topk8` writes by default is PBES2, which the JDK names only by its parameters
            // ("PBEWithHmacSHA256AndAES_256"): by "PBES2" it finds no key factory or cipher.
            String algorithm = "PBES2".equalsIgnoreCase(info.getAlgName()) && parameters != null
                    ? parameters.toString() : info.getAlgName();
            Key pbe = SecretKeyFactory.getInstance(algorithm)
                    .generateSecret(new PBEKeySpec(password.reveal().toCharArray()));
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE, pbe, parameters);
            return privateKey(info.getKeySpec(cipher));
        } catch (IOException e) {
            throw new GeneralSecurityException("the encrypted private key cannot be read", e);
        }
    }

    private static PrivateKey privateKey(PKCS8EncodedKeySpec spec) throws GeneralSecurityException {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(spec);
        } catch (GeneralSecurityException notRsa) {
            return KeyFactory.getInstance("EC").generatePrivate(spec);
        }
    }

    @Override
    public String toString() {
        return "ClientCertificate[" + subject() + ", valid until " + notAfter() + "]";
    }
}
