package org.m365mail.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The setup assistant's steps for one app registration and the mailboxes it sends from: what to click in the Entra
 * admin center, and the Exchange Online PowerShell to run, with the administrator's own ids filled in.
 *
 * <p>The cmdlets and parameters are Microsoft's documented ones:
 * <ul>
 *   <li>Graph: "Role Based Access Control for Applications in Exchange Online"
 *       (https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac): {@code New-ServicePrincipal
 *       -AppId -ObjectId -DisplayName}, {@code New-ManagementScope -Name -RecipientRestrictionFilter},
 *       {@code New-ManagementRoleAssignment -App -Role -CustomResourceScope}, {@code Test-ServicePrincipalAuthorization
 *       -Identity -Resource}. It replaces application access policies, and its grants are independent of Entra's: the
 *       app must then not also hold Graph's tenant-wide {@code Mail.Send} application permission.
 *   <li>SMTP: "Authenticate an IMAP, POP or SMTP connection using OAuth"
 *       (https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth):
 *       {@code New-ServicePrincipal -AppId -ObjectId}, {@code Add-MailboxPermission -Identity -User -AccessRights
 *       FullAccess}; and "Enable or disable SMTP AUTH in Exchange Online"
 *       (https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission):
 *       {@code Set-CASMailbox -Identity -SmtpClientAuthenticationDisabled $false}.
 * </ul>
 *
 * <p>The object id is the <em>enterprise application's</em> (Entra admin center → Enterprise applications → the app →
 * Overview → Object ID), not the app registration's: the mix-up is the most reported cause of
 * {@code 535 5.7.3 Authentication unsuccessful}.
 *
 * <p>Every value is checked before it is written into a command (GUIDs, plain addresses, a plain scope name), so what
 * an administrator pastes into PowerShell is exactly the commands below and nothing a request slipped in.
 */
final class ExchangeSetupScript {

    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+");
    /** Plain addresses only: nothing PowerShell would read inside a double-quoted string ($, `, ", '). */
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+");
    private static final Pattern SCOPE_NAME = Pattern.compile("[A-Za-z0-9 ._-]{1,64}");
    static final String DISPLAY_NAME = "m365-mail-connector";
    static final int MAX_MAILBOXES = 50;

    /** One step: a title, what to do, and the commands to run (none for a step in the admin center). */
    record Step(String title, String text, List<String> commands) {
    }

    /** What the assistant was given, checked. */
    record Input(String tenantId, String clientId, String objectId, List<String> mailboxes, String transport,
                 String scopeName) {
    }

    /** A value the assistant cannot use, naming the field and what to put there. */
    static final class InvalidInput extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidInput(String message) {
            super(message);
        }
    }

    private ExchangeSetupScript() {
    }

    /** Checks what an administrator typed; every problem is named at once. */
    static Input input(String tenantId, String clientId, String objectId, String mailboxes, String transport,
                       String scopeName) throws InvalidInput {
        List<String> problems = new ArrayList<>();
        String tenant = trim(tenantId);
        if (tenant == null || !(GUID.matcher(tenant).matches() || DOMAIN.matcher(tenant).matches())) {
            problems.add("tenantId: the Directory (tenant) ID from the app registration's Overview, or the tenant's "
                    + "domain such as contoso.onmicrosoft.com");
        }
        String client = trim(clientId);
        if (client == null || !GUID.matcher(client).matches()) {
            problems.add("clientId: the Application (client) ID from the app registration's Overview (a GUID)");
        }
        String object = trim(objectId);
        if (object == null || !GUID.matcher(object).matches()) {
            problems.add("objectId: the Object ID from Enterprise applications → the app → Overview (a GUID; not "
                    + "the app registration's object id)");
        } else if (object.equalsIgnoreCase(client)) {
            problems.add("objectId: this is the Application (client) ID; take the Object ID of the enterprise "
                    + "application");
        }
        List<String> boxes = new ArrayList<>();
        for (String m : String.valueOf(mailboxes == null ? "" : mailboxes).split("[,;\\s]+")) {
            if (m.isBlank()) {
                continue;
            }
            if (!ADDRESS.matcher(m).matches()) {
                problems.add("mailboxes: '" + m + "' is not a plain e-mail address");
            } else if (boxes.stream().noneMatch(m::equalsIgnoreCase)) {
                boxes.add(m.toLowerCase(Locale.ROOT));
            }
        }
        if (boxes.isEmpty() && problems.stream().noneMatch(p -> p.startsWith("mailboxes"))) {
            problems.add("mailboxes: the address (or addresses, separated by commas) the app sends from");
        }
        if (boxes.size() > MAX_MAILBOXES) {
            problems.add("mailboxes: at most " + MAX_MAILBOXES + " here; for more, filter the management scope on a "
                    + "group or attribute instead");
        }
        String kind = trim(transport) == null ? "GRAPH" : transport.trim().toUpperCase(Locale.ROOT);
        if (!kind.equals("GRAPH") && !kind.equals("SMTP")) {
            problems.add("transport: GRAPH or SMTP");
        }
        String scope = trim(scopeName) == null ? "m365-mail-connector mailboxes" : scopeName.trim();
        if (!SCOPE_NAME.matcher(scope).matches()) {
            problems.add("scopeName: up to 64 letters, digits, spaces, dots, hyphens or underscores");
        }
        if (!problems.isEmpty()) {
            throw new InvalidInput(String.join("; ", problems));
        }
        return new Input(tenant, client, object, List.copyOf(boxes), kind, scope);
    }

    /** The steps, in the order an administrator takes them. */
    static List<Step> steps(Input in) {
        List<Step> steps = new ArrayList<>();
        boolean graph = in.transport().equals("GRAPH");
        steps.add(new Step("App registration", "In the Entra admin center (entra.microsoft.com): Identity → "
                + "Applications → App registrations. The app " + in.clientId() + " in tenant " + in.tenantId() + " is "
                + "the one the pool's clientId and tenantId name. Under Certificates & secrets, upload a certificate "
                + "(recommended: certificatePath) or create a client secret and copy its Value (not its Secret ID) "
                + "into clientSecret, its expiry into clientSecretExpires.", List.of()));
        if (graph) {
            steps.add(new Step("Permission: Exchange Online role, limited to the mailboxes", "Graph's Mail.Send "
                    + "granted in Entra (API permissions) lets the app send as every mailbox of the tenant. Grant it "
                    + "in Exchange Online instead, limited to " + String.join(", ", in.mailboxes()) + ", with the "
                    + "commands below (Exchange Online PowerShell, as a member of Organization Management). If the "
                    + "app holds Mail.Send under API permissions, remove that grant: Entra's grants and Exchange's "
                    + "add up, so the scope would not limit anything.", List.of()));
        } else {
            steps.add(new Step("Permission: SMTP.SendAsApp", "API permissions → Add a permission → APIs my "
                    + "organization uses → Office 365 Exchange Online → Application permissions → SMTP.SendAsApp → "
                    + "Add permissions, then Grant admin consent.", List.of()));
        }
        List<String> connect = List.of(
                "Install-Module -Name ExchangeOnlineManagement",
                "Connect-ExchangeOnline -Organization " + quote(in.tenantId()));
        steps.add(new Step("Connect to Exchange Online PowerShell", "Once per machine the module; then sign in "
                + "as an Exchange administrator.", connect));
        steps.add(new Step("The app's service principal in Exchange Online", "Registers the enterprise "
                + "application with Exchange. The object id is the enterprise application's (Enterprise applications "
                + "→ the app → Overview), not the app registration's.", List.of(
                "New-ServicePrincipal -AppId " + quote(in.clientId()) + " -ObjectId " + quote(in.objectId())
                        + " -DisplayName " + quote(DISPLAY_NAME))));
        if (graph) {
            String filter = in.mailboxes().stream().map(m -> "PrimarySmtpAddress -eq '" + m + "'")
                    .collect(Collectors.joining(" -or "));
            steps.add(new Step("Limit the app to the mailboxes", "A management scope with the mailboxes, and the "
                    + "role Application Mail.Send on that scope only.", List.of(
                    "New-ManagementScope -Name " + quote(in.scopeName()) + " -RecipientRestrictionFilter \""
                            + filter + "\"",
                    "New-ManagementRoleAssignment -App " + quote(in.objectId())
                            + " -Role 'Application Mail.Send' -CustomResourceScope " + quote(in.scopeName()))));
            List<String> tests = new ArrayList<>();
            for (String m : in.mailboxes()) {
                tests.add("Test-ServicePrincipalAuthorization -Identity " + quote(in.objectId()) + " -Resource "
                        + quote(m));
            }
            steps.add(new Step("Check it", "Each line should show Application Mail.Send with InScope True. "
                    + "Changes can take up to an hour to reach Graph; then press Check setup and Send test mail in "
                    + "the console.", tests));
        } else {
            List<String> grants = new ArrayList<>();
            for (String m : in.mailboxes()) {
                grants.add("Add-MailboxPermission -Identity " + quote(m) + " -User " + quote(in.objectId())
                        + " -AccessRights FullAccess");
            }
            steps.add(new Step("Let the app use the mailboxes", "SMTP AUTH with client credentials signs in as "
                    + "the mailbox: the app's service principal needs Full Access to it.", grants));
            List<String> smtpAuth = new ArrayList<>();
            for (String m : in.mailboxes()) {
                smtpAuth.add("Set-CASMailbox -Identity " + quote(m) + " -SmtpClientAuthenticationDisabled $false");
            }
            steps.add(new Step("Allow SMTP AUTH for the mailboxes", "Security defaults and the tenant's setting "
                    + "turn SMTP AUTH off; this allows it for these mailboxes only. Then press Check setup and Send "
                    + "test mail in the console.", smtpAuth));
        }
        return List.copyOf(steps);
    }

    /** A PowerShell single-quoted string: nothing inside is expanded. */
    static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String trim(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
