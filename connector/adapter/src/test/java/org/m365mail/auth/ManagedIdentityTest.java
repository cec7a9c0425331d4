package org.m365mail.auth;

import jakarta.resource.spi.InvalidPropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.TokenRequestLog;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MANAGED_IDENTITY: msal4j finds the identity endpoint through IDENTITY_ENDPOINT and IDENTITY_HEADER, as on App
 * Service; the build points them at the stand-in's endpoint (adapter pom, surefire environment).
 */
class ManagedIdentityTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-identity",
            b -> b.managedIdentityPort(Integer.getInteger("sandbox.identityPort", 0)));

    private static MailManagedConnectionFactory managedIdentity(String transport, String clientId) {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), transport);
        mcf.setAuthentication("MANAGED_IDENTITY");
        mcf.setTenantId(null);
        mcf.setClientId(clientId);
        mcf.setClientSecret(null);
        return mcf;
    }

    private static void send(MailManagedConnectionFactory mcf, int count, String subject) throws Exception {
        try (MailConnection c = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
            for (int i = 0; i < count; i++) {
                c.send(SandboxFactories.textMessage(subject, "x"));
            }
        }
    }

    private static List<TokenRequestLog.Entry> identityRequests() {
        return SANDBOX.get().tokenRequests().entries().stream()
                .filter(e -> "managed_identity".equals(e.grantType())).toList();
    }

    @Test
    void theSystemAssignedIdentitySendsThroughGraphAndSmtpWithNoSecret() throws Exception {
        send(managedIdentity("GRAPH", null), 3, "graph as identity");
        send(managedIdentity("SMTP", null), 3, "smtp as identity");
        assertEquals(3, SANDBOX.get().outbox().withSubject("graph as identity").size());
        assertEquals(3, SANDBOX.get().outbox().withSubject("smtp as identity").size());
        List<TokenRequestLog.Entry> requests = identityRequests();
        assertEquals(2, requests.size(), "one token per resource, cached: " + requests);
        assertTrue(requests.stream().allMatch(e -> e.status() == 200
                && SandboxDefaults.MANAGED_IDENTITY_CLIENT_ID.equals(e.clientId())), requests.toString());
        assertEquals(0, SANDBOX.get().tokenRequests().entries().stream()
                .filter(e -> !"managed_identity".equals(e.grantType())).count(), "Entra's token endpoint not used");
    }

    @Test
    void clientIdChoosesAUserAssignedIdentity() throws Exception {
        send(managedIdentity("GRAPH", SandboxDefaults.USER_ASSIGNED_IDENTITY_CLIENT_ID), 1, "user-assigned");
        assertEquals(1, SANDBOX.get().outbox().withSubject("user-assigned").size());
        assertEquals(SandboxDefaults.USER_ASSIGNED_IDENTITY_CLIENT_ID, identityRequests().get(0).clientId());
    }

    @Test
    void anIdentityNotAssignedToThisResourceIsExplained() {
        String stranger = "0d4c8e2a-9b17-4f3e-a6d5-1c2b3a4f5e6d";
        MailSendException e = assertThrows(MailSendException.class,
                () -> send(managedIdentity("GRAPH", stranger), 1, "stranger"));
        assertEquals("ManagedIdentityRefused", e.getErrorCode());
        assertTrue(e.getMessage().contains(stranger) && e.getMessage().contains("assigned"), e.getMessage());
        assertEquals(0, SANDBOX.get().outbox().withSubject("stranger").size());
    }

    @Test
    void aSecretWithManagedIdentityIsAConfigurationError() {
        MailManagedConnectionFactory mcf = managedIdentity("GRAPH", null);
        mcf.setClientSecret(SandboxDefaults.CLIENT_SECRET);
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, mcf::settings);
        assertTrue(e.getMessage().contains("MANAGED_IDENTITY takes no clientSecret"), e.getMessage());
    }
}
