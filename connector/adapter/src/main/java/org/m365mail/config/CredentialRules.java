package org.m365mail.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;

/** What the factory signs in with: a client secret, a certificate, a password, or (managed identity) nothing. */
final class CredentialRules {

    /**
     * @param clientSecret the client secret's value, or {@code null}
     * @param certificate  the certificate the app signs in with, or {@code null}
     * @param password     the password for PASSWORD, or {@code null}
     * @param clientSecretExpires when the client secret expires, if the administrator said so, or {@code null}
     */
    record Credentials(Secret clientSecret, ClientCertificate certificate, Secret password,
                       Instant clientSecretExpires) {
    }

    private CredentialRules() {
    }

    static Credentials check(MailProperties p, AuthenticationMode authentication, Problems problems) {
        ClientCertificate certificate = null;
        String certificatePath = Problems.trim(p.getCertificatePath());
        if (certificatePath != null) {
            Path file = Path.of(certificatePath);
            if (!Files.isReadable(file)) {
                problems.add("certificatePath names no readable file (was '" + certificatePath + "'): give the full "
                        + "path of a PKCS#12 (.pfx/.p12) or PEM file with the private key and certificate");
            } else {
                try {
                    certificate = ClientCertificate.load(file, Secret.of(p.getCertificatePassword()));
                    if (certificate.notAfter().isBefore(Instant.now())) {
                        problems.add("the certificate in certificatePath (" + certificate.subject() + ") expired on "
                                + certificate.notAfter() + ": upload a new one to the app registration and replace "
                                + "the file");
                    }
                } catch (IOException | GeneralSecurityException e) {
                    problems.add("certificatePath '" + certificatePath + "' cannot be read with the given "
                            + "certificatePassword (" + e.getMessage() + ")");
                }
            }
        }

        Secret clientSecret = Secret.of(p.getClientSecret());
        Secret applicationPassword = Secret.of(p.getApplicationPassword());
        if (clientSecret != null && applicationPassword != null) {
            problems.add("clientSecret and applicationPassword are both set: they are the same client secret under two "
                    + "names; keep one (applicationPassword where the server decodes only properties named password)");
        } else if (applicationPassword != null) {
            clientSecret = applicationPassword;
        }
        if (authentication == AuthenticationMode.MANAGED_IDENTITY && (clientSecret != null || certificatePath != null)) {
            problems.add("authentication MANAGED_IDENTITY takes no clientSecret or certificatePath: Azure holds the "
                    + "identity's credentials; remove them, or use authentication CLIENT_CREDENTIALS");
        }
        if (clientSecret == null && certificatePath == null && authentication != AuthenticationMode.PASSWORD
                && authentication != AuthenticationMode.MANAGED_IDENTITY) {
            problems.add("clientSecret (or applicationPassword) or certificatePath is required: the Value (not the Secret ID) of a client secret "
                    + "from the app registration's Certificates & secrets page, or a certificate uploaded there");
        }
        Secret password = Secret.of(p.getPassword());
        if (authentication == AuthenticationMode.PASSWORD && password == null) {
            problems.add("password is required with authentication PASSWORD: the password of username");
        }
        return new Credentials(clientSecret, certificate, password,
                OperationRules.clientSecretExpires(p, clientSecret != null, problems));
    }
}
