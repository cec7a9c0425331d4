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
 *   <li>Graph, app-only: the application permission {@code Mail.Send} ({@code roles}), or an Exchange role
 *       assignment (see below);
 *   <li>Graph, delegated: the delegated permission {@code Mail.Send} ({@code scp});
 *   <li>SMTP, app-only: {@code SMTP.SendAsApp} ({@code roles});
 *   <li>SMTP, delegated: {@code SMTP.Send} ({@code scp}).
 * </ul>
 *
 * <p>Graph, app-only, is the exception: its {@code Mail.Send} may come from an Exchange Online role assignment instead
 * (RBAC for Applications, the way to limit the app to chosen mailboxes), which the token does not show; a token without
 * the role is let through, and Check setup says why it could not confirm the permission.
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
        Optional<String> tenant = wrongTenant(read.get());
        if (tenant.isPresent()) {
            throw new MailSendException(tenant.get(), "WrongTenant", null);
        }
        Optional<String> permission = missingPermission(read.get());
        if (permission.isPresent() && !permissionMayBeGrantedInExchange()) {
            throw new MailSendException(permission.get(), "PermissionMissing", null);
        }
    }

    /**
     * Whether the transport's permission may be granted where the token does not show it: Graph's {@code Mail.Send}
     * for an application can be an Exchange Online role assignment ("RBAC for Applications", role
     * {@code Application Mail.Send} limited to a management scope), which is independent of Entra's grants and puts
     * no role into the token (https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac). Such a
     * token is not refused; only a send shows whether the assignment covers the mailbox.
     */
    boolean permissionMayBeGrantedInExchange() {
        return settings.transport() == TransportKind.GRAPH && settings.authentication() != AuthenticationMode.DELEGATED;
    }

    /** The permission the transport needs: {@code Mail.Send}, {@code SMTP.Send} or {@code SMTP.SendAsApp}. */
    String neededPermission() {
        boolean graph = settings.transport() == TransportKind.GRAPH;
        boolean delegated = settings.authentication() == AuthenticationMode.DELEGATED;
        return graph ? "Mail.Send" : delegated ? "SMTP.Send" : "SMTP.SendAsApp";
    }

    /** What is wrong when the token was issued by another tenant than {@code tenantId}. */
    Optional<String> wrongTenant(TokenClaims claims) {
        String tenant = settings.tenantId();
        if (tenant != null && GUID.matcher(tenant).matches() && claims.tenantId() != null
                && !claims.tenantId().equalsIgnoreCase(tenant)) {
            return Optional.of("The token was issued by tenant " + claims.tenantId() + ", not by tenantId " + tenant
                    + ": check tenantId and authorityUrl");
        }
        return Optional.empty();
    }

    /** What to do when the token lacks the permission the transport needs. */
    Optional<String> missingPermission(TokenClaims claims) {
        boolean graph = settings.transport() == TransportKind.GRAPH;
        boolean delegated = settings.authentication() == AuthenticationMode.DELEGATED;
        String needed = neededPermission();
        boolean granted = (delegated ? claims.scopes() : claims.roles()).stream()
                .anyMatch(p -> p.equalsIgnoreCase(needed));
        if (granted) {
            return Optional.empty();
        }
        String api = graph ? "Microsoft Graph" : "Office 365 Exchange Online";
        String has = delegated ? "scp " + claims.scopes() : "roles " + claims.roles();
        return Optional.of("The token for " + api + " carries no " + needed + " permission (" + has + "), so "
                + (graph ? "Graph" : "Exchange Online") + " would refuse every message: " + howToGrant());
    }

    /** Where an administrator grants the permission the transport needs. */
    String howToGrant() {
        boolean graph = settings.transport() == TransportKind.GRAPH;
        String needed = neededPermission();
        String api = graph ? "Microsoft Graph" : "Office 365 Exchange Online";
        if (settings.authentication() == AuthenticationMode.DELEGATED) {
            return "add the delegated permission " + api + " " + needed + " to the app registration (API permissions), "
                    + "then connect the mailbox again so that " + settings.username() + " consents to it";
        }
        if (settings.authentication() == AuthenticationMode.MANAGED_IDENTITY) {
            return "grant the managed identity's service principal the app role " + needed + " of " + api + " "
                    + "(New-MgServicePrincipalAppRoleAssignment)";
        }
        return "in the Entra admin center, app registration " + settings.clientId() + " → API permissions → Add a "
                + "permission → " + (graph ? "Microsoft Graph" : "APIs my organization uses → Office 365 Exchange "
                + "Online") + " → Application permissions → " + needed + ", then Grant admin consent";
    }

    @Override
    public String toString() {
        return "SetupCheck[" + settings.transport().name().toLowerCase(Locale.ROOT) + "]";
    }
}
