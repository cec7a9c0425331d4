package org.m365mail.outbound;

import org.junit.jupiter.api.Test;
import org.m365mail.auth.AccessToken;
import org.m365mail.auth.TokenClaims;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Check setup and Ping tell an administrator when the token lacks the transport's permission: which API, which
 * claim was read, and where the permission is granted, for each transport and way of signing in.
 */
class SetupCheckAdviceTest {

    private static final String TENANT = "5f0c9a3e-2b41-4c8e-9d7a-1e6b3c2d4f50";
    private static final String CLIENT = "8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736";
    private static final String USER = "megan.bowen@contoso.com";

    private static TokenClaims claims(String json) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String jwt = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(json.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
        return TokenClaims.of(new AccessToken(jwt, Instant.now(), Instant.now().plusSeconds(3600))).orElseThrow();
    }

    private static SetupCheck check(String transport, String authentication) throws Exception {
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
        mcf.setTransport(transport);
        mcf.setAuthentication(authentication);
        mcf.setFromAddress(USER);
        if ("MANAGED_IDENTITY".equals(authentication)) {
            return new SetupCheck(mcf.settings());
        }
        mcf.setTenantId(TENANT);
        mcf.setClientId(CLIENT);
        mcf.setClientSecret("secret-value");
        if ("DELEGATED".equals(authentication)) {
            mcf.setUsername(USER);
        }
        return new SetupCheck(mcf.settings());
    }

    @Test
    void anAppWithoutGraphsMailSendIsToldToAddItInTheEntraAdminCenter() throws Exception {
        String missing = check("GRAPH", "CLIENT_CREDENTIALS").missingPermission(claims("{\"tid\":\"" + TENANT
                + "\",\"roles\":[\"User.Read.All\"]}")).orElseThrow();
        assertEquals("The token for Microsoft Graph carries no Mail.Send permission (roles [User.Read.All]), so Graph "
                + "would refuse every message: in the Entra admin center, app registration " + CLIENT + " → API "
                + "permissions → Add a permission → Microsoft Graph → Application permissions → Mail.Send, then Grant "
                + "admin consent", missing);
    }

    @Test
    void anAppWithoutSmtpSendAsAppIsToldOfExchangeOnline() throws Exception {
        String missing = check("SMTP", "CLIENT_CREDENTIALS").missingPermission(claims("{\"tid\":\"" + TENANT
                + "\",\"roles\":[\"Mail.Send\"],\"scp\":\"SMTP.SendAsApp\"}")).orElseThrow();
        assertTrue(missing.startsWith("The token for Office 365 Exchange Online carries no SMTP.SendAsApp permission "
                + "(roles [Mail.Send]), so Exchange Online would refuse every message: "), missing);
        assertTrue(missing.endsWith("APIs my organization uses → Office 365 Exchange Online → Application permissions"
                + " → SMTP.SendAsApp, then Grant admin consent"), missing);
    }

    @Test
    void aDelegatedTokenIsJudgedByItsScopesAndTheUserIsToConsentAgain() throws Exception {
        SetupCheck smtp = check("SMTP", "DELEGATED");
        String missing = smtp.missingPermission(claims("{\"tid\":\"" + TENANT
                + "\",\"scp\":\"User.Read\",\"roles\":[\"SMTP.Send\"]}")).orElseThrow();
        assertTrue(missing.startsWith("The token for Office 365 Exchange Online carries no SMTP.Send permission "
                + "(scp [User.Read]), so Exchange Online would refuse"), missing);
        assertEquals("add the delegated permission Office 365 Exchange Online SMTP.Send to the app registration (API "
                + "permissions), then connect the mailbox again so that " + USER + " consents to it", smtp.howToGrant());
        assertTrue(smtp.missingPermission(claims("{\"tid\":\"" + TENANT + "\",\"scp\":\"smtp.send offline_access\"}"))
                .isEmpty(), "a scope is matched regardless of case");

        SetupCheck graph = check("GRAPH", "DELEGATED");
        assertTrue(graph.howToGrant().startsWith("add the delegated permission Microsoft Graph Mail.Send to the app "
                + "registration"), graph.howToGrant());
        String graphMissing = graph.missingPermission(claims("{\"tid\":\"" + TENANT + "\",\"scp\":\"User.Read\"}"))
                .orElseThrow();
        assertTrue(graphMissing.startsWith("The token for Microsoft Graph carries no Mail.Send permission (scp "
                + "[User.Read]), so Graph would refuse"), graphMissing);
    }

    @Test
    void aManagedIdentityIsToldToAssignTheAppRoleToItsServicePrincipal() throws Exception {
        assertEquals("grant the managed identity's service principal the app role Mail.Send of Microsoft Graph "
                + "(New-MgServicePrincipalAppRoleAssignment)", check("GRAPH", "MANAGED_IDENTITY").howToGrant());
        SetupCheck smtp = check("SMTP", "MANAGED_IDENTITY");
        assertEquals("grant the managed identity's service principal the app role SMTP.SendAsApp of Office 365 "
                + "Exchange Online (New-MgServicePrincipalAppRoleAssignment)", smtp.howToGrant());
        assertTrue(smtp.missingPermission(claims("{\"roles\":[]}")).orElseThrow().endsWith(smtp.howToGrant()));
    }

    @Test
    void theCheckNamesItsTransport() throws Exception {
        assertEquals("SetupCheck[graph]", check("GRAPH", "CLIENT_CREDENTIALS").toString());
        assertEquals("SetupCheck[smtp]", check("SMTP", "CLIENT_CREDENTIALS").toString());
    }
}
