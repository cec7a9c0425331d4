package org.m365mail.outbound;

import org.m365mail.api.MailSendException;
import org.m365mail.auth.AccessToken;
import org.m365mail.auth.TokenClaims;
import org.m365mail.config.AuthenticationMode;
import org.m365mail.config.MailSettings;
import org.m365mail.config.TransportKind;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the pool's Ping (and every new pooled connection) checks of a token before any mail is sent: it was issued by
 * the configured tenant, and it carries the permission the transport needs —
 *
 * <ul>
 *   <li>Graph, app-only: the application permission {@code Mail.Send} ({@code roles});
 *   <li>Graph, delegated: the delegated permission {@code Mail.Send} ({@code scp});
 *   <li>SMTP, app-only: {@code SMTP.SendAsApp} ({@code roles});
 *   <li>SMTP, delegated: {@code SMTP.Send} ({@code scp}).
 * </ul>
 *
 * <p>Entra issues a token even when the app has no permission on the resource, without the claim: sends would then
 * fail at Graph ({@code 403 ErrorAccessDenied}) or Exchange ({@code 535 5.7.3}). This names the missing step instead.
 * What only a send can show (a mailbox outside the app's RBAC scope, Send As) is reported by the send.
 */
final class SetupCheck {

    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final MailSettings settings;

    SetupCheck(MailSettings settings) {
        this.settings = settings;
    }

    /** @throws MailSendException naming the Entra step to take when the token lacks what the transport needs */
    void verify(AccessToken token) throws MailSendException {
        Optional<TokenClaims> read = TokenClaims.of(token);
        if (read.isEmpty()) {
            return; // not a JWT: nothing to read, the first send tells
        }
        TokenClaims claims = read.get();
        String tenant = settings.tenantId();
        if (tenant != null && GUID.matcher(tenant).matches() && claims.tenantId() != null
                && !claims.tenantId().equalsIgnoreCase(tenant)) {
            throw new MailSendException("The token was issued by tenant " + claims.tenantId() + ", not by tenantId "
                    + tenant + ": check tenantId and authorityUrl", "WrongTenant", null);
        }
        boolean graph = settings.transport() == TransportKind.GRAPH;
        boolean delegated = settings.authentication() == AuthenticationMode.DELEGATED;
        String needed = graph ? "Mail.Send" : delegated ? "SMTP.Send" : "SMTP.SendAsApp";
        boolean granted = (delegated ? claims.scopes() : claims.roles()).stream()
                .anyMatch(p -> p.equalsIgnoreCase(needed));
        if (granted) {
            return;
        }
        String api = graph ? "Microsoft Graph" : "Office 365 Exchange Online";
        String has = delegated ? "scp " + claims.scopes() : "roles " + claims.roles();
        String fix;
        if (delegated) {
            fix = "add the delegated permission " + api + " " + needed + " to the app registration (API permissions), "
                    + "then connect the mailbox again so that " + settings.username() + " consents to it";
        } else if (settings.authentication() == AuthenticationMode.MANAGED_IDENTITY) {
            fix = "grant the managed identity's service principal the app role " + needed + " of " + api + " "
                    + "(New-MgServicePrincipalAppRoleAssignment)";
        } else {
            fix = "in the Entra admin center, app registration " + settings.clientId() + " → API permissions → Add a "
                    + "permission → " + (graph ? "Microsoft Graph" : "APIs my organization uses → Office 365 Exchange "
                    + "Online") + " → Application permissions → " + needed + ", then Grant admin consent";
        }
        throw new MailSendException("The token for " + api + " carries no " + needed + " permission (" + has
                + "), so " + (graph ? "Graph" : "Exchange Online") + " would refuse every message: " + fix,
                "PermissionMissing", null);
    }

    @Override
    public String toString() {
        return "SetupCheck[" + settings.transport().name().toLowerCase(Locale.ROOT) + "]";
    }
}
