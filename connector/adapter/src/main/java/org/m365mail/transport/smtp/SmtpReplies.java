package org.m365mail.transport.smtp;

import jakarta.mail.Transport;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Exchange Online's SMTP replies: the enhanced status code, and what an administrator should check for the
 * ones that need a setting changed.
 */
final class SmtpReplies {

    private static final Pattern CODE = Pattern.compile("\\b([245]\\d\\d)[ -]([245]\\.\\d{1,3}\\.\\d{1,3})");

    private SmtpReplies() {
    }

    /** The reply code and enhanced status, e.g. {@code 535 5.7.3}, or {@code null}. */
    static String code(String reply) {
        if (reply == null) {
            return null;
        }
        Matcher m = CODE.matcher(reply);
        return m.find() ? m.group(1) + " " + m.group(2) : null;
    }

    static String hint(String reply) {
        String code = code(reply);
        if (code == null) {
            return "";
        }
        if (code.startsWith("535 5.7.3")) {
            return ". Check that the app has the SMTP.SendAsApp permission (Office 365 Exchange Online) with admin "
                    + "consent, that its service principal is registered in Exchange (New-ServicePrincipal with the "
                    + "Enterprise application's object id) and has FullAccess to fromAddress (Add-MailboxPermission)";
        }
        if (code.startsWith("535 5.7.139")) {
            return ". SMTP AUTH is disabled for the tenant or the mailbox: enable it for fromAddress "
                    + "(Set-CASMailbox -SmtpClientAuthenticationDisabled $false) or use transport GRAPH";
        }
        if (code.startsWith("554 5.2.0") && reply.contains("SendAs")) {
            return ". The mailbox may not send as this From address: grant Send As, or send from fromAddress";
        }
        return "";
    }

    /**
     * The server's last reply (for a sent message Exchange's {@code 250 2.6.0 <id> Queued mail for delivery}),
     * read without a compile-time tie to one Jakarta Mail implementation.
     */
    static String lastReply(Transport transport) {
        try {
            Object reply = transport.getClass().getMethod("getLastServerResponse").invoke(transport);
            return reply == null ? null : reply.toString().trim();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
