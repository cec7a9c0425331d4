package org.m365mail.config;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import java.util.regex.Pattern;

/** Who the factory is in Entra and Exchange: tenant, app registration, the mailbox that sends, the user who signs in. */
final class IdentityRules {

    static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");

    /**
     * @param tenantId    Entra tenant id or verified domain; {@code null} for PASSWORD and MANAGED_IDENTITY
     * @param clientId    application (client) id; {@code null} for PASSWORD and a system-assigned identity
     * @param fromAddress the mailbox that sends
     * @param fromName    its display name, or {@code null}
     * @param username    who signs in: {@code username}, else {@code fromAddress}
     */
    record Identity(String tenantId, String clientId, InternetAddress fromAddress, String fromName, String username) {
    }

    private IdentityRules() {
    }

    static Identity check(MailProperties p, ModeRules.Modes modes, Problems problems) {
        AuthenticationMode authentication = modes.authentication();
        boolean noApp = authentication == AuthenticationMode.PASSWORD
                || authentication == AuthenticationMode.MANAGED_IDENTITY;

        String tenantId = Problems.trim(p.getTenantId());
        if (tenantId == null && !noApp) {
            problems.add("tenantId is required: the Directory (tenant) ID from the app registration's Overview page"
                    + " in the Entra admin center, or the tenant's domain such as contoso.onmicrosoft.com");
        } else if (tenantId != null && !GUID.matcher(tenantId).matches() && !DOMAIN.matcher(tenantId).matches()) {
            problems.add("tenantId must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47 or a domain such as "
                    + "contoso.onmicrosoft.com (was '" + tenantId + "')");
        }

        String clientId = Problems.trim(p.getClientId());
        if (clientId == null && !noApp) {
            // A managed identity without clientId is the system-assigned one; basic authentication has no app.
            problems.add("clientId is required: the Application (client) ID from the app registration's Overview"
                    + " page");
        } else if (clientId != null && !GUID.matcher(clientId).matches()) {
            problems.add("clientId must be the Application (client) ID, a GUID such as "
                    + "00000000-0000-0000-0000-000000000000 (was '" + clientId + "')");
        }

        InternetAddress fromAddress = null;
        String from = Problems.trim(p.getFromAddress());
        if (from == null) {
            problems.add("fromAddress is required: the mailbox that sends, such as notifications@contoso.com");
        } else {
            try {
                fromAddress = new InternetAddress(from, true);
                if (fromAddress.getPersonal() != null || !fromAddress.getAddress().contains("@")) {
                    throw new AddressException("not a bare address");
                }
            } catch (AddressException e) {
                fromAddress = null;
                problems.add("fromAddress must be a plain e-mail address such as notifications@contoso.com (was '"
                        + from + "'); put a display name in fromName");
            }
        }

        String configured = Problems.trim(p.getUsername());
        String username = configured != null ? configured : fromAddress == null ? null : fromAddress.getAddress();
        if (configured != null && authentication != AuthenticationMode.PASSWORD && !isAddress(username)) {
            problems.add("username must be the e-mail address (UPN) that signs in, such as app-sender@contoso.com "
                    + "(was '" + username + "')");
        }
        if (authentication == AuthenticationMode.DELEGATED && modes.transport() == TransportKind.GRAPH
                && username != null && fromAddress != null && !username.equalsIgnoreCase(fromAddress.getAddress())) {
            problems.add("with transport GRAPH and authentication DELEGATED, fromAddress is the mailbox of the user "
                    + "who signs in: leave username unset (was '" + username + "'); to send as a shared mailbox, "
                    + "put it in allowedFromAddresses and grant the user Send As on it");
        }
        return new Identity(tenantId, clientId, fromAddress, Problems.trim(p.getFromName()), username);
    }

    static boolean isAddress(String value) {
        try {
            return value != null && new InternetAddress(value, true).getAddress().contains("@");
        } catch (AddressException e) {
            return false;
        }
    }
}
