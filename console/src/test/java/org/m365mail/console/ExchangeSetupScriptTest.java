package org.m365mail.console;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The setup assistant's PowerShell, word for word, against Microsoft's documented cmdlets and parameters. */
class ExchangeSetupScriptTest {

    private static final String TENANT = "5f0c9a3e-2b41-4c8e-9d7a-1e6b3c2d4f50";
    private static final String CLIENT = "8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736";
    private static final String OBJECT = "0e7d3c4b-91a2-4f5e-8b6c-d2a1f3e4b5c6";

    /**
     * The cmdlets the assistant may write, with the parameters Microsoft documents for them (Exchange Online
     * PowerShell reference, learn.microsoft.com/en-us/powershell/module/exchange/<cmdlet>; ExchangeOnlineManagement
     * for Connect-ExchangeOnline; PowerShellGet for Install-Module).
     */
    private static final Map<String, Set<String>> DOCUMENTED = Map.of(
            "Install-Module", Set.of("Name", "Scope", "Force"),
            "Connect-ExchangeOnline", Set.of("Organization", "UserPrincipalName", "AppId", "CertificateThumbprint"),
            "New-ServicePrincipal", Set.of("AppId", "ObjectId", "DisplayName", "Organization"),
            "New-ManagementScope", Set.of("Name", "RecipientRestrictionFilter", "RecipientRoot", "Exclusive"),
            "New-ManagementRoleAssignment", Set.of("App", "Role", "CustomResourceScope", "Name",
                    "RecipientAdministrativeUnitScope"),
            "Test-ServicePrincipalAuthorization", Set.of("Identity", "Resource"),
            "Add-MailboxPermission", Set.of("Identity", "User", "AccessRights", "AutoMapping", "InheritanceType"),
            "Set-CASMailbox", Set.of("Identity", "SmtpClientAuthenticationDisabled"));
    private static final Pattern PARAMETER = Pattern.compile("(?<=\\s)-([A-Za-z]+)(?=\\s|$)");

    private static List<String> commands(ExchangeSetupScript.Input input) {
        List<String> all = new ArrayList<>();
        ExchangeSetupScript.steps(input).forEach(s -> all.addAll(s.commands()));
        return all;
    }

    @Test
    void graphLimitsTheAppToTheMailboxesWithAnExchangeRoleAssignment() throws Exception {
        ExchangeSetupScript.Input input = ExchangeSetupScript.input(TENANT, CLIENT, OBJECT,
                "notifications@contoso.com, Support@Contoso.com", "graph", null);

        assertEquals(List.of(
                "Install-Module -Name ExchangeOnlineManagement",
                "Connect-ExchangeOnline -Organization '" + TENANT + "'",
                "New-ServicePrincipal -AppId '" + CLIENT + "' -ObjectId '" + OBJECT
                        + "' -DisplayName 'm365-mail-connector'",
                "New-ManagementScope -Name 'm365-mail-connector mailboxes' -RecipientRestrictionFilter "
                        + "\"PrimarySmtpAddress -eq 'notifications@contoso.com' -or PrimarySmtpAddress -eq "
                        + "'support@contoso.com'\"",
                "New-ManagementRoleAssignment -App '" + OBJECT + "' -Role 'Application Mail.Send' "
                        + "-CustomResourceScope 'm365-mail-connector mailboxes'",
                "Test-ServicePrincipalAuthorization -Identity '" + OBJECT + "' -Resource 'notifications@contoso.com'",
                "Test-ServicePrincipalAuthorization -Identity '" + OBJECT + "' -Resource 'support@contoso.com'"),
                commands(input));
        String text = ExchangeSetupScript.steps(input).toString();
        assertTrue(text.contains("remove that grant"), "says to drop Entra's tenant-wide Mail.Send");
        assertTrue(text.contains("not the app registration's"), "names the right object id");
    }

    @Test
    void smtpGivesTheServicePrincipalFullAccessAndAllowsSmtpAuthPerMailbox() throws Exception {
        ExchangeSetupScript.Input input = ExchangeSetupScript.input("contoso.onmicrosoft.com", CLIENT, OBJECT,
                "notifications@contoso.com", "SMTP", null);

        assertEquals(List.of(
                "Install-Module -Name ExchangeOnlineManagement",
                "Connect-ExchangeOnline -Organization 'contoso.onmicrosoft.com'",
                "New-ServicePrincipal -AppId '" + CLIENT + "' -ObjectId '" + OBJECT
                        + "' -DisplayName 'm365-mail-connector'",
                "Add-MailboxPermission -Identity 'notifications@contoso.com' -User '" + OBJECT
                        + "' -AccessRights FullAccess",
                "Set-CASMailbox -Identity 'notifications@contoso.com' -SmtpClientAuthenticationDisabled $false"),
                commands(input));
        assertTrue(ExchangeSetupScript.steps(input).toString().contains("SMTP.SendAsApp"));
    }

    @Test
    void everyCommandIsADocumentedCmdletWithDocumentedParametersOnly() throws Exception {
        for (String transport : List.of("GRAPH", "SMTP")) {
            for (String command : commands(ExchangeSetupScript.input(TENANT, CLIENT, OBJECT,
                    "a@contoso.com,b@contoso.com", transport, "Mail senders"))) {
                String cmdlet = command.substring(0, command.indexOf(' '));
                assertTrue(DOCUMENTED.containsKey(cmdlet), "documented cmdlet: " + command);
                // Parameters outside quoted values only.
                String bare = command.replaceAll("'[^']*'", "''").replaceAll("\"[^\"]*\"", "\"\"");
                Matcher m = PARAMETER.matcher(bare);
                while (m.find()) {
                    assertTrue(DOCUMENTED.get(cmdlet).contains(m.group(1)), cmdlet + " -" + m.group(1) + " in "
                            + command);
                }
            }
        }
    }

    @Test
    void valuesThatCouldChangeTheScriptAreRefusedNamingTheField() {
        ExchangeSetupScript.InvalidInput e = assertThrows(ExchangeSetupScript.InvalidInput.class,
                () -> ExchangeSetupScript.input(TENANT + "'; Remove-Mailbox x", CLIENT, CLIENT,
                        "a@contoso.com\"; $(Remove-Mailbox)", "GRAPH", "x'; y"));
        String m = e.getMessage();
        assertTrue(m.contains("tenantId:"), m);
        assertTrue(m.contains("objectId: this is the Application (client) ID"), m);
        assertTrue(m.contains("mailboxes: 'a@contoso.com\"' is not a plain e-mail address"), m);
        assertTrue(m.contains("scopeName:"), m);
        assertEquals("'it''s'", ExchangeSetupScript.quote("it's"));
    }
}
