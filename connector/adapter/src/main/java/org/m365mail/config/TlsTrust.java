package org.m365mail.config;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * The TLS trust the connector uses for Entra, Graph and SMTP: the JVM's trusted certificates, plus those of
 * {@code trustStorePath} when one is configured (a corporate TLS-inspecting proxy, or the local stand-in).
 * Host names are always checked.
 */
public final class TlsTrust {

    private TlsTrust() {
    }

    /** An SSL context trusting the JVM's certificates and, if configured, the extra trust store. */
    public static SSLContext context(MailSettings settings) throws IOException, GeneralSecurityException {
        if (settings.trustStorePath() == null) {
            return SSLContext.getDefault();
        }
        X509TrustManager jvm = x509(null);
        X509TrustManager extra = x509(settings.loadTrustStore());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[]{new EitherTrustManager(jvm, extra)}, null);
        return context;
    }

    private static X509TrustManager x509(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return Arrays.stream(factory.getTrustManagers()).filter(X509TrustManager.class::isInstance)
                .map(X509TrustManager.class::cast).findFirst()
                .orElseThrow(() -> new GeneralSecurityException("No X.509 trust manager available"));
    }

    /** Trusts a chain that either the JVM's store or the extra store trusts. */
    private record EitherTrustManager(X509TrustManager first, X509TrustManager second) implements X509TrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkClientTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkClientTrusted(chain, authType);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return Stream.concat(Arrays.stream(first.getAcceptedIssuers()), Arrays.stream(second.getAcceptedIssuers()))
                    .toArray(X509Certificate[]::new);
        }
    }
}
