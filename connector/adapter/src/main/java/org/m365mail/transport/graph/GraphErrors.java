package org.m365mail.transport.graph;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.spi.JsonProvider;
import org.m365mail.api.MailSendException;

import java.io.StringReader;

/**
 * Turns Graph's error answers ({@code {"error":{"code","message"}}}, https://learn.microsoft.com/en-us/graph/errors)
 * into exceptions that say what an administrator must change.
 */
final class GraphErrors {

    private final JsonProvider json = JsonProvider.provider();

    MailSendException toException(int status, String body, String mailbox, String requestId, String messageId,
                                  String more) {
        String code = null;
        String message = body;
        try (JsonReader reader = json.createReader(new StringReader(body))) {
            JsonObject error = reader.readObject().getJsonObject("error");
            code = error.getString("code", null);
            message = error.getString("message", body);
        } catch (RuntimeException notJson) {
            // Not Graph's JSON (a proxy's page, an empty body): report the status and what came.
            message = body == null || body.isBlank() ? "(empty body)" : body;
        }
        if (message.length() > 300) {
            // A proxy's page or an overlong error: enough to recognise it, not a page in an exception. Marked so
            // that the trailing-dot trim below leaves the mark.
            message = message.substring(0, 300) + " [...]";
        }
        String text = "Microsoft Graph refused message " + messageId + " from " + mailbox + " (HTTP " + status
                + (code == null ? "" : ", " + code) + ", request-id " + requestId + "): "
                + message.replaceAll("[.\\s]+$", "")
                + hint(status, code, mailbox, message) + more;
        return new MailSendException(text, code == null ? String.valueOf(status) : code, null);
    }

    private static String hint(int status, String code, String mailbox, String message) {
        if ("ErrorSendAsDenied".equals(code)) {
            return ". " + mailbox + " may not send as or on behalf of the message's From: grant it Send As "
                    + "(Add-RecipientPermission) or Send on Behalf (Set-Mailbox -GrantSendOnBehalfTo) on that mailbox.";
        }
        if ("ErrorAccessDenied".equals(code) && message != null && message.contains("Access to OData is disabled")) {
            return ". An application access policy keeps the app away from " + mailbox + ": add the mailbox to the "
                    + "policy's security group (check with Test-ApplicationAccessPolicy -Identity " + mailbox
                    + " -AppId <clientId>); changes can take an hour to apply.";
        }
        if ("ErrorAccessDenied".equals(code) || status == 403) {
            return ". Grant the app registration the Mail.Send application permission in Microsoft Graph with admin "
                    + "consent, or (to limit the app to chosen mailboxes) assign it the Exchange Online role "
                    + "'Application Mail.Send' with a management scope that includes " + mailbox + " (the console's "
                    + "setup assistant gives the commands); check that no application access policy excludes it.";
        }
        if ("MailboxNotEnabledForRESTAPI".equals(code)) {
            // Checked before ErrorInvalidUser's 404 rule below.
            return ". The mailbox " + mailbox + " has no Exchange Online licence or is on-premises; use a cloud "
                    + "mailbox for fromAddress.";
        }
        if ("ErrorInvalidUser".equals(code) || status == 404) {
            return ". Check fromAddress: " + mailbox + " must be a mailbox (user or shared) in tenantId's tenant.";
        }
        if ("InvalidAuthenticationToken".equals(code) || status == 401) {
            return ". Check that graphUrl and authorityUrl belong to the same cloud.";
        }
        if ("ErrorInvalidRecipients".equals(code)) {
            return ". Check the message's To, Cc and Bcc addresses.";
        }
        if ("ErrorMessageSizeExceeded".equals(code)) {
            return ". The message is larger than " + mailbox + " may send: raise its limit (Set-Mailbox " + mailbox
                    + " -MaxSendSize 150MB; Exchange Online's default is 35 MB) or send less.";
        }
        if (status == 413) {
            return ". The message is larger than Graph accepts in one request.";
        }
        return ".";
    }
}
