package org.m365mail.alert;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;

/**
 * An alert or notice as it goes out: a subject an administrator can sort mail by ({@code [m365-mail] ALERT: ...}),
 * and a plain-text body naming the pool, what happened, when, and what to do; with every secret of the pool masked.
 *
 * @param kind    {@code ALERT}, {@code RECOVERED} or {@code NOTICE}
 * @param subject the subject line, without the {@code [m365-mail] KIND:} prefix
 * @param body    the text
 */
record AlertMail(String kind, String subject, String body) {

    /** The full subject line. */
    String subjectLine() {
        return "[m365-mail] " + kind + ": " + subject;
    }

    /** The alert as one log entry. */
    String logText() {
        return subjectLine() + " | " + body.strip().replaceAll("\\s*\\n\\s*", " | ");
    }

    /** This alert with every occurrence of {@code secrets} replaced by {@code ****}. */
    AlertMail masking(List<String> secrets) {
        String s = subject;
        String b = body;
        for (String secret : secrets) {
            if (secret != null && secret.length() >= 4) {
                s = s.replace(secret, "****");
                b = b.replace(secret, "****");
            }
        }
        return new AlertMail(kind, s, b);
    }

    /**
     * A message to {@code to}, without From (each pool that sends it puts its own {@code fromAddress}), marked as
     * automatic (RFC 3834 {@code Auto-Submitted}) so that auto-replies and out-of-office answers stay away.
     */
    Message toMessage(List<InternetAddress> to) throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setRecipients(Message.RecipientType.TO, to.toArray(new InternetAddress[0]));
        message.setSubject(subjectLine(), "UTF-8");
        message.setText(body, "UTF-8");
        message.setHeader("Auto-Submitted", "auto-generated");
        message.setHeader("X-M365Mail-Alert", kind);
        return message;
    }

    static AlertMail failure(String pool, String reason, boolean poolWide, String detail, Instant at, Instant since,
                             long suppressed, String fix, Duration interval, String host) {
        String state = poolWide ? "Messages of this pool are not being sent." : "One message was not sent; the pool "
                + "sends other messages.";
        String more = suppressed > 0 ? " (" + suppressed + " more " + reason + " failures since the last alert, the "
                + "first at " + seconds(since) + ")" : "";
        String body = "The Microsoft 365 mail connector on " + host + " reports a failure. " + state + "\n\n"
                + "Pool:     " + pool + "\n"
                + "Failure:  " + reason + "\n"
                + "          " + detail + "\n"
                + "Time:     " + seconds(at) + more + "\n"
                + "Fix:      " + fix + "\n\n"
                + "No other alert of this kind is sent for " + interval.toMinutes() + " minutes "
                + "(alertIntervalMinutes)" + (poolWide ? "; a notice follows when the pool works again." : ".") + "\n";
        return new AlertMail("ALERT", reason + (poolWide ? " failing for " : " failure in ") + pool, body);
    }

    static AlertMail recovery(String pool, String reason, Instant since, long failures, Instant at, String host) {
        String body = "The Microsoft 365 mail connector on " + host + " sends again.\n\n"
                + "Pool:      " + pool + "\n"
                + "Recovered: " + seconds(at) + "\n"
                + "Failing:   " + reason + " since " + seconds(since) + " (" + failures + " failed attempts; "
                + Duration.between(since, at).toSeconds() + " s)\n\n"
                + "Messages the applications sent while it failed were refused to them with the error; they are not "
                + "sent again by the connector.\n";
        return new AlertMail("RECOVERED", pool + " sends again", body);
    }

    static AlertMail expiry(String pool, String credential, Instant expires, Instant at, String host) {
        long days = Duration.between(at, expires).toDays();
        String when = days < 0 ? "expired on " + seconds(expires) : "expires on " + seconds(expires) + " (in " + days
                + " days)";
        String body = "The Microsoft 365 mail connector on " + host + " signs in with a credential that "
                + (days < 0 ? "has expired" : "expires soon") + ".\n\n"
                + "Pool:       " + pool + "\n"
                + "Credential: " + credential + "\n"
                + "Expires:    " + when + "\n"
                + "Fix:        Create a new " + (credential.startsWith("client secret") ? "client secret" : "certificate")
                + " under Certificates & secrets of the app registration, then give it to the pool (clientSecret "
                + "with clientSecretExpires, or replace the file in certificatePath). Running applications use it "
                + "from their next token; no redeployment is needed (README: Rotating a secret or certificate).\n";
        return new AlertMail("NOTICE", credential + " of " + pool + " " + (days < 0 ? "has expired" : "expires in "
                + days + " days"), body);
    }

    private static String seconds(Instant t) {
        return t == null ? "-" : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
