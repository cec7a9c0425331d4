package org.m365mail.sandbox;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.Session;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * SMTP AUTH as Exchange Online checks it: {@code XOAUTH2} with an app-only or delegated token, and {@code LOGIN}
 * with a password (basic authentication, being retired).
 *
 * <p>XOAUTH2 from https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth :
 * the client sends {@code base64("user=" + mailbox + "^Aauth=Bearer " + token + "^A^A")}, in one line or after a
 * {@code 334} challenge; the token's audience is {@code https://outlook.office365.com}; an app-only token carries
 * the {@code SMTP.SendAsApp} role and its service principal has FullAccess to the mailbox
 * ({@code Add-MailboxPermission}); a delegated token carries the {@code SMTP.Send} scope for the user it names.
 * Failures are answered {@code 535 5.7.3 Authentication unsuccessful [host]}.
 *
 * <p>SMTP AUTH switched off for the organisation or the mailbox (the mailbox setting wins,
 * https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission)
 * is answered {@code 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the
 * Tenant|Mailbox.}; basic authentication turned off {@code 535 5.7.139 Authentication unsuccessful, basic
 * authentication is disabled.}, retired {@code 550 5.7.30 Basic authentication is not supported for Client
 * Submission.} (Exchange Team blog, "Exchange Online to retire Basic auth for Client Submission (SMTP AUTH)").
 */
final class SmtpAuthentication implements AuthenticationHandlerFactory {

    private static final Logger LOG = Logger.getLogger(SmtpAuthentication.class.getName());
    private static final String USERNAME_CHALLENGE = "334 VXNlcm5hbWU6";
    private static final String PASSWORD_CHALLENGE = "334 UGFzc3dvcmQ6";

    /**
     * The identity of an authenticated SMTP session.
     *
     * @param mailbox  the mailbox it logged in as
     * @param tenantId its tenant
     * @param appId    the app that obtained the token, or {@code null} for basic authentication
     * @param method   XOAUTH2 or LOGIN
     */
    record Login(String mailbox, String tenantId, String appId, String method) {
    }

    private final SandboxDirectory directory;
    private final TokenIssuer issuer;
    private final String hostName;
    private final SmtpSessions sessions;
    private final AtomicInteger successes = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();

    SmtpAuthentication(SandboxDirectory directory, TokenIssuer issuer, String hostName, SmtpSessions sessions) {
        this.directory = directory;
        this.issuer = issuer;
        this.hostName = hostName;
        this.sessions = sessions;
    }

    int successes() {
        return successes.get();
    }

    int failures() {
        return failures.get();
    }

    /** Exchange Online advertises {@code AUTH LOGIN XOAUTH2} after STARTTLS. */
    @Override
    public List<String> getAuthenticationMechanisms() {
        return List.of("LOGIN", "XOAUTH2");
    }

    @Override
    public AuthenticationHandler create() {
        return new AuthenticationHandler() {
            private Login login;
            private String mechanism;
            private String username;

            @Override
            public Optional<String> auth(String clientInput, MessageContext context) throws RejectException {
                try {
                    Optional<String> challenge = step(clientInput.trim(), context);
                    if (challenge.isEmpty()) {
                        successes.incrementAndGet();
                        if (context instanceof Session session) {
                            sessions.authenticated(session, login.mailbox());
                        }
                    }
                    return challenge;
                } catch (RejectException e) {
                    failures.incrementAndGet();
                    throw e;
                }
            }

            private Optional<String> step(String input, MessageContext context) throws RejectException {
                Object socket = context instanceof Session s ? s.getSocket() : null;
                if (mechanism == null) {
                    String[] words = input.split("\\s+");
                    mechanism = words[1].toUpperCase(Locale.ROOT);
                    if (words.length < 3) {
                        return Optional.of(mechanism.equals("LOGIN") ? USERNAME_CHALLENGE : "334 ");
                    }
                    input = words[2];
                }
                String payload = LongAuthLineSocket.resolve(socket, input);
                if (mechanism.equals("XOAUTH2")) {
                    login = xoauth2(payload);
                    return Optional.empty();
                }
                if (username == null) {
                    username = decode(payload);
                    return Optional.of(PASSWORD_CHALLENGE);
                }
                login = basic(username, decode(payload));
                return Optional.empty();
            }

            @Override
            public Object getIdentity() {
                return login;
            }
        };
    }

    private Login xoauth2(String base64) throws RejectException {
        String user = null;
        String token = null;
        for (String field : decode(base64).split("\u0001")) {
            if (field.startsWith("user=")) {
                user = field.substring(5);
            } else if (field.regionMatches(true, 0, "auth=Bearer ", 0, 12)) {
                token = field.substring(12);
            }
        }
        if (user == null || token == null) {
            throw unsuccessful("the XOAUTH2 response lacks user= or auth=Bearer");
        }
        JsonObject claims = issuer.verify(token).orElseThrow(() -> unsuccessful("token signature"));
        if (claims.getJsonNumber("exp").longValue() <= issuer.now().getEpochSecond()) {
            throw unsuccessful("token expired");
        }
        if (!directory.isAudienceOf(SandboxDirectory.Resource.EXCHANGE, claims.getString("aud", ""))) {
            throw unsuccessful("token audience " + claims.getString("aud", "") + " is not Exchange Online");
        }
        String tenantId = claims.getString("tid", "");
        String mailboxAddress = user;
        SandboxDirectory.Tenant tenant = directory.tenant(tenantId)
                .orElseThrow(() -> unsuccessful("no tenant " + tenantId));
        SandboxDirectory.Mailbox mailbox = tenant.mailbox(mailboxAddress)
                .orElseThrow(() -> unsuccessful("no mailbox " + mailboxAddress + " in tenant " + tenantId));
        checkSmtpAuthEnabled(tenant, mailbox);
        if (claims.containsKey("scp")) {
            boolean maySend = Arrays.asList(claims.getString("scp").split(" ")).contains("SMTP.Send");
            if (!maySend || !mailboxAddress.equalsIgnoreCase(claims.getString("upn", ""))) {
                throw unsuccessful("delegated token lacks SMTP.Send or names another user");
            }
        } else {
            JsonArray roles = claims.getJsonArray("roles");
            if (roles == null || roles.getValuesAs(JsonString.class).stream()
                    .noneMatch(r -> r.getString().equals("SMTP.SendAsApp"))) {
                throw unsuccessful("token lacks the SMTP.SendAsApp role");
            }
            if (!mailbox.hasFullAccess(claims.getString("oid", ""))) {
                throw unsuccessful("the service principal has no permission on " + mailboxAddress);
            }
        }
        return new Login(mailbox.address(), tenantId, claims.getString("appid", ""), "XOAUTH2");
    }

    private Login basic(String user, String password) throws RejectException {
        String domain = user.contains("@") ? user.substring(user.indexOf('@') + 1) : "";
        SandboxDirectory.Tenant tenant = directory.tenant(domain).orElseThrow(() -> unsuccessful("unknown domain"));
        SandboxDirectory.Mailbox mailbox = tenant.mailbox(user).orElseThrow(() -> unsuccessful("unknown user"));
        checkSmtpAuthEnabled(tenant, mailbox);
        switch (tenant.basicAuthentication()) {
            case RETIRED -> throw new RejectException(550,
                    "5.7.30 Basic authentication is not supported for Client Submission.");
            case DISABLED -> throw new RejectException(535,
                    "5.7.139 Authentication unsuccessful, basic authentication is disabled. [" + hostName + "]");
            default -> {
            }
        }
        if (!mailbox.passwordMatches(password)) {
            throw unsuccessful("wrong password");
        }
        return new Login(mailbox.address(), tenant.id(), null, "LOGIN");
    }

    private void checkSmtpAuthEnabled(SandboxDirectory.Tenant tenant, SandboxDirectory.Mailbox mailbox)
            throws RejectException {
        Boolean mailboxSetting = mailbox.smtpClientAuthenticationDisabled();
        boolean disabled = mailboxSetting != null ? mailboxSetting : tenant.smtpClientAuthenticationDisabled();
        if (disabled) {
            throw new RejectException(535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
                    + "disabled for the " + (mailboxSetting != null ? "Mailbox" : "Tenant")
                    + ". Visit https://aka.ms/smtp_auth_disabled for more information. [" + hostName + "]");
        }
    }

    private String decode(String base64) throws RejectException {
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw unsuccessful("not base64");
        }
    }

    private RejectException unsuccessful(String why) {
        LOG.fine(() -> "SMTP AUTH refused: " + why);
        return new RejectException(535, "5.7.3 Authentication unsuccessful [" + hostName + "]");
    }
}
