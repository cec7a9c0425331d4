package org.m365mail.transport.smtp;

import jakarta.mail.MessagingException;
import jakarta.mail.Transport;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads SMTP replies: the codes Jakarta Mail's SMTP provider reports, and what an administrator should check for
 * Exchange Online's replies that need a setting changed.
 *
 * <p>Reply codes live on the provider's own classes ({@code SMTPTransport}, {@code SMTPSendFailedException}), which
 * differ between Jakarta Mail implementations (Angus {@code org.eclipse.angus.mail.smtp}, older
 * {@code com.sun.mail.smtp}); they are read by method name so the connector runs on either.
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

    /** What to change, for the Exchange Online replies an administrator can fix. */
    static String hint(String reply) {
        String code = code(reply);
        if (code == null || reply == null) {
            return "";
        }
        if (code.startsWith("535 5.7.3")) {
            return ". Check that the app has the SMTP.SendAsApp permission (Office 365 Exchange Online) with admin "
                    + "consent, that its service principal is registered in Exchange (New-ServicePrincipal with the "
                    + "Enterprise application's object id, not the app registration's) and has FullAccess to the "
                    + "mailbox (Add-MailboxPermission); with authentication PASSWORD, check username and password";
        }
        if (code.startsWith("535 5.7.139") && reply.contains("basic authentication")) {
            return ". Microsoft has turned off basic authentication for this tenant: use authentication "
                    + "CLIENT_CREDENTIALS (SMTP.SendAsApp) or transport GRAPH";
        }
        if (code.startsWith("535 5.7.139")) {
            return ". SMTP AUTH is disabled for the tenant or the mailbox: enable it for the mailbox "
                    + "(Set-CASMailbox <mailbox> -SmtpClientAuthenticationDisabled $false), or use transport GRAPH";
        }
        if (code.startsWith("550 5.7.30")) {
            return ". Microsoft no longer accepts passwords for SMTP: use authentication CLIENT_CREDENTIALS "
                    + "(SMTP.SendAsApp) or transport GRAPH";
        }
        if (code.startsWith("554 5.2.0") && reply.contains("SendAs")) {
            return ". username may not send as fromAddress: grant it Send As (Add-RecipientPermission) or Send on "
                    + "Behalf (Set-Mailbox -GrantSendOnBehalfTo) on fromAddress, or send from username";
        }
        if (code.startsWith("554 5.2.0") && reply.contains("SubmissionQuotaExceeded")) {
            return ". The mailbox has sent to 10,000 recipients in the last 24 hours (Exchange Online's limit): wait, "
                    + "or spread the mail over several mailboxes";
        }
        if (code.startsWith("432 4.3.2")) {
            return ". More than three messages were being sent at once from the mailbox: lower smtpMaxConcurrentSends "
                    + "or the pool's maximum size, or check for other servers sending from the same mailbox";
        }
        if (code.startsWith("552")) {
            return ". The message is larger than the mailbox may send (MaxSendSize, 35 MB by default)";
        }
        return "";
    }

    /** The SMTP reply code carried by a provider exception, or 0 when it carries none. */
    static int returnCode(MessagingException e) {
        Object code = call(e, "getReturnCode");
        return code instanceof Integer i ? i : 0;
    }

    /**
     * The server's last reply (for a sent message Exchange's {@code 250 2.0.0 OK <id> [Hostname=...]}).
     */
    static String lastReply(Transport transport) {
        Object reply = call(transport, "getLastServerResponse");
        return reply == null ? null : reply.toString().trim();
    }

    /** The message size limit the server announced in EHLO's SIZE, or 0 when it announced none. */
    static long announcedSizeLimit(Transport transport) {
        try {
            Object value = transport.getClass().getMethod("getExtensionParameter", String.class)
                    .invoke(transport, "SIZE");
            return value == null ? 0 : Long.parseLong(value.toString().trim());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * A public no-argument getter of Angus Mail's classes, by name. Looked up each time (the JDK caches a class's
     * methods): a static cache keyed by the server's classes would keep this RAR's class loader after undeployment.
     */
    private static Object call(Object target, String method) {
        try {
            return target.getClass().getMethod(method).invoke(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
