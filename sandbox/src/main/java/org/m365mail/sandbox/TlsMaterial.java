package org.m365mail.sandbox;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for 127.0.0.1 and localhost, made at start, and the trust store clients need.
 *
 * <p>The JDK has no public API for making certificates, so this runs the JDK's own {@code keytool}, which every
 * JDK carries; that keeps the stand-in free of a crypto library.
 */
final class TlsMaterial {

    private static final String ALIAS = "m365-sandbox";

    private final SSLContext serverContext;
    private final Path trustStore;
    private final String trustStorePassword;

    private TlsMaterial(SSLContext serverContext, Path trustStore, String trustStorePassword) {
        this.serverContext = serverContext;
        this.trustStore = trustStore;
        this.trustStorePassword = trustStorePassword;
    }

    /**
     * Makes a key pair and certificate in {@code workDir} and writes the client trust store to {@code trustStore}.
     */
    static TlsMaterial create(Path workDir, Path trustStore, String trustStorePassword) throws IOException {
        Files.createDirectories(workDir);
        Path keyStore = workDir.resolve("sandbox-server.p12");
        Files.deleteIfExists(keyStore);
        char[] keyPassword = "sandbox-key".toCharArray();
        runKeytool(List.of("-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=127.0.0.1, OU=m365 sandbox",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "30",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", new String(keyPassword), "-keypass", new String(keyPassword)));
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                keys.load(in, keyPassword);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, keyPassword);

            // A PKCS12 store holding only a private-key entry is not treated as trusted: clients need the
            // certificate as a trustedCertEntry in a store of its own.
            Certificate certificate = keys.getCertificate(ALIAS);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(ALIAS, certificate);
            if (trustStore.getParent() != null) {
                Files.createDirectories(trustStore.getParent());
            }
            try (OutputStream out = Files.newOutputStream(trustStore)) {
                trust.store(out, trustStorePassword.toCharArray());
            }

            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return new TlsMaterial(context, trustStore, trustStorePassword);
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot load the sandbox certificate: " + e.getMessage(), e);
        }
    }

    /** An SSL context that trusts only the sandbox certificate, for clients written in tests. */
    SSLContext clientContext() throws IOException {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(in, trustStorePassword.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    SSLContext serverContext() {
        return serverContext;
    }

    Path trustStore() {
        return trustStore;
    }

    String trustStorePassword() {
        return trustStorePassword;
    }

    private static void runKeytool(List<String> args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>();
        command.add(keytool.toString());
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while making the sandbox certificate", e);
        }
    }
}
