package org.m365mail.outbound;

import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.auth.AccessToken;
import org.m365mail.auth.TokenClaims;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What Ping reads from a token: the tenant that issued it, and the permission the transport needs. */
class SetupCheckTest {

    private static final String TENANT = "5f0c9a3e-2b41-4c8e-9d7a-1e6b3c2d4f50";

    private static AccessToken token(String claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String jwt = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
        return new AccessToken(jwt, Instant.now(), Instant.now().plusSeconds(3600));
    }

    private static TokenClaims claims(String claims) {
        return TokenClaims.of(token(claims)).orElseThrow();
    }

    private static SetupCheck check(String transport, String authentication) throws Exception {
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
        mcf.setTransport(transport);
        mcf.setAuthentication(authentication);
        mcf.setTenantId(TENANT);
        mcf.setClientId("8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736");
        mcf.setClientSecret("secret-value");
        mcf.setFromAddress("notifications@contoso.com");
        return new SetupCheck(mcf.settings());
    }

    @Test
    void eachTransportAndModeNeedsItsOwnPermission() throws Exception {
        assertDoesNotThrow(() -> check("GRAPH", "CLIENT_CREDENTIALS").verify(
                token("{\"tid\":\"" + TENANT + "\",\"roles\":[\"Mail.Send\"]}")));
        assertDoesNotThrow(() -> check("SMTP", "CLIENT_CREDENTIALS").verify(
                token("{\"tid\":\"" + TENANT + "\",\"roles\":[\"SMTP.SendAsApp\"]}")));
        assertDoesNotThrow(() -> check("SMTP", "DELEGATED").verify(
                token("{\"tid\":\"" + TENANT + "\",\"scp\":\"SMTP.Send offline_access\"}")));

        // Graph app-only: Mail.Send may be an Exchange role assignment (RBAC for Applications), not in the token.
        SetupCheck graphApp = check("GRAPH", "CLIENT_CREDENTIALS");
        assertDoesNotThrow(() -> graphApp.verify(token("{\"tid\":\"" + TENANT + "\",\"roles\":[\"Mail.ReadWrite\"]}")));
        assertTrue(graphApp.permissionMayBeGrantedInExchange());
        String graph = graphApp.missingPermission(claims("{\"tid\":\"" + TENANT + "\",\"roles\":[]}")).orElseThrow();
        assertTrue(graph.contains("Microsoft Graph → Application permissions → Mail.Send"), graph);

        MailSendException smtp = assertThrows(MailSendException.class, () -> check("SMTP", "CLIENT_CREDENTIALS")
                .verify(token("{\"tid\":\"" + TENANT + "\"}")));
        assertTrue(smtp.getMessage().contains("Office 365 Exchange Online → Application permissions → SMTP.SendAsApp"),
                smtp.getMessage());

        MailSendException delegated = assertThrows(MailSendException.class, () -> check("GRAPH", "DELEGATED")
                .verify(token("{\"tid\":\"" + TENANT + "\",\"scp\":\"User.Read\",\"roles\":[\"Mail.Send\"]}")));
        assertTrue(delegated.getMessage().contains("delegated permission") && delegated.getMessage()
                .contains("connect the mailbox again"), delegated.getMessage());
    }

    @Test
    void aTokenFromAnotherTenantIsNamed() throws Exception {
        MailSendException e = assertThrows(MailSendException.class, () -> check("GRAPH", "CLIENT_CREDENTIALS")
                .verify(token("{\"tid\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\",\"roles\":[\"Mail.Send\"]}")));
        assertEquals("WrongTenant", e.getErrorCode());
        assertTrue(e.getMessage().contains("not by tenantId " + TENANT), e.getMessage());
    }

    @Test
    void anOpaqueTokenIsLeftToTheFirstSend() throws Exception {
        SetupCheck check = check("GRAPH", "CLIENT_CREDENTIALS");
        assertDoesNotThrow(() -> check.verify(new AccessToken("EwBwA8l6BAAU-opaque", Instant.now(),
                Instant.now().plusSeconds(3600))));
    }
}
