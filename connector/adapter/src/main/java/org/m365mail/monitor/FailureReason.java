package org.m365mail.monitor;

import org.m365mail.api.MailSendException;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;

/**
 * Why a message was not sent, in the few kinds an operator acts on differently. Pool-wide kinds stop every message
 * of the factory (its credentials, its permissions, the way to Microsoft, the mailbox's quota) and are told through
 * another way than the factory itself; the others concern one message.
 */
public enum FailureReason {

    /** Entra refused the credentials or no token could be had: secret wrong or expired, consent revoked. */
    AUTHENTICATION(true, "Check the credential named above (clientSecret, certificatePath, the mailbox's consent): "
            + "a new secret or certificate is taken up without redeploying (see Rotation in the README)."),
    /** Signed in, but not allowed: a missing permission, an access policy, SMTP AUTH disabled, Send As missing. */
    PERMISSION(true, "Grant what the failure above names (the app's Mail.Send or SMTP.SendAsApp permission with admin "
            + "consent, the mailbox's access policy or Send As), then send a test mail from the console."),
    /** Microsoft could not be reached, or stopped answering. */
    CONNECTIVITY(true, "Check the network path from this server to Microsoft 365 (authorityUrl, graphUrl, smtpHost, "
            + "httpProxy, firewall, TLS trust); Microsoft's service health page says whether the service is down."),
    /** Throttled to the end of sendTimeoutSeconds: more mail than the mailbox may send, or other senders. */
    THROTTLING(true, "Lower messagesPerMinute or the pool's size, look for other servers sending from the same "
            + "mailbox, or spread the mail over several mailboxes."),
    /** The mailbox reached Exchange Online's daily recipient limit. */
    QUOTA(true, "The mailbox has sent to 10,000 recipients in the last 24 hours: wait, or spread the mail over "
            + "several mailboxes."),
    /** The service refused this message (its recipients, its size, its content). */
    REJECTED(false, "Check the message named above; other messages are sent."),
    /** The connector's sending policy refused the message before anything was sent. */
    REFUSED(false, "The application sent a message the pool's policy does not allow (see above); change the "
            + "message, or the pool's allowedFromAddresses, maxRecipientsPerMessage or maxMessageBytes."),
    /** The pool ended the connection while it sent (a pool flush, an undeployment); nothing to fix. */
    CLOSED(false, ""),
    /** Anything else. */
    OTHER(false, "See the failure above.");

    private static final Set<String> AUTHENTICATION_CODES = Set.of("ConsentExpired", "NoRefreshToken",
            "MailboxNotConnected", "TokenStoreUnavailable", "TokenStoreUnreadable", "TokenStoreUnwritable",
            "SignInRefused", "invalid_client", "invalid_grant", "unauthorized_client");
    private static final Set<String> PERMISSION_CODES = Set.of("PermissionMissing", "WrongTenant", "ErrorAccessDenied",
            "ErrorSendAsDenied", "InvalidAuthenticationToken", "MailboxNotEnabledForRESTAPI", "ErrorInvalidUser",
            "401", "403", "404");
    private static final Set<String> CONNECTIVITY_CODES = Set.of("GraphUnreachable", "EntraUnreachable", "EntraUnavailable", "OutcomeUnknown",
            "DraftNotConfirmed", "ConnectionLost", "SmtpUnreachable", "ManagedIdentityUnavailable", "UploadFailed", "500", "502", "503",
            "504", "ErrorInternalServerError", "ServiceUnavailable", "generalException");
    private static final Set<String> THROTTLING_CODES = Set.of("429", "ApplicationThrottled", "MailboxConcurrency",
            "ErrorTooManyObjectsOpened");
    private static final Set<String> REFUSED_CODES = Set.of("MessageTooLarge", "AttachmentTooLarge",
            "TooManyRecipients", "NoRecipients", "FromNotAllowed", "SenderNotAllowed", "AttachmentChanged",
            "UntrustedUploadUrl");

    private final boolean poolWide;
    private final String fix;

    FailureReason(boolean poolWide, String fix) {
        this.poolWide = poolWide;
        this.fix = fix;
    }

    /** Whether it stops every message of the factory, not only this one. */
    public boolean poolWide() {
        return poolWide;
    }

    /** What an administrator does about it, in general; the failure's own text names the specific step. */
    public String fix() {
        return fix;
    }

    /** The name in metrics: {@code authentication}, {@code rejected}, ... */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads the kind from the failure's code (Entra's, Graph's, SMTP's or the connector's own) and its cause. */
    public static FailureReason of(MailSendException e) {
        String code = e.getErrorCode();
        if (code != null) {
            if (code.startsWith("AADSTS") || AUTHENTICATION_CODES.contains(code) || code.startsWith("535 5.7.3")
                    || code.startsWith("550 5.7.30")) {
                return AUTHENTICATION;
            }
            if (PERMISSION_CODES.contains(code) || code.startsWith("535 5.7.139")) {
                return PERMISSION;
            }
            if (code.startsWith("554 5.2.0")) {
                return String.valueOf(e.getMessage()).contains("SubmissionQuotaExceeded") ? QUOTA : PERMISSION;
            }
            if (THROTTLING_CODES.contains(code) || code.startsWith("432") || code.startsWith("451 4.7.500")) {
                return THROTTLING;
            }
            if (CONNECTIVITY_CODES.contains(code) || code.startsWith("421")) {
                return CONNECTIVITY;
            }
            if ("ConnectionClosedByPool".equals(code)) {
                return CLOSED;
            }
            if (REFUSED_CODES.contains(code)) {
                return REFUSED;
            }
            if (code.startsWith("4")) {
                // Another SMTP deferral the connector kept retrying until it gave up.
                return THROTTLING;
            }
            return REJECTED;
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return CONNECTIVITY;
            }
        }
        return OTHER;
    }
}
