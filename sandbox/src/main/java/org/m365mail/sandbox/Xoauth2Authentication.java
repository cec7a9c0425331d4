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
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * SASL XOAUTH2 as Exchange Online checks it for SMTP AUTH with an app-only token.
 *
 * <p>From https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth :
 * the client sends {@code base64("user=" + mailbox + "^Aauth=Bearer " + token + "^A^A")}, in one line or after a
 * {@code 334} challenge; the token's audience is {@code https://outlook.office365.com}, it carries the
 * {@code SMTP.SendAsApp} role, and the app's service principal has been given access to the mailbox
 * ({@code Add-MailboxPermission ... -AccessRights FullAccess}). Every failure is answered, as Exchange does, with
 * {@code 535 5.7.3 Authentication unsuccessful [host]}.
 */
final class Xoauth2Authentication implements AuthenticationHandlerFactory {

    private static final Logger LOG = Logger.getLogger(Xoauth2Authentication.class.getName());

    /** The identity of an authenticated SMTP session: the mailbox it logged in as, for the app that did. */
    record Login(String mailbox, String tenantId, String appId) {
    }

    private final SandboxDirectory directory;
    private final TokenIssuer issuer;
    private final String hostName;
    private final java.util.concurrent.atomic.AtomicInteger successes = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();

    Xoauth2Authentication(SandboxDirectory directory, TokenIssuer issuer, String hostName) {
        this.directory = directory;
        this.issuer = issuer;
        this.hostName = hostName;
    }

    int successes() {
        return successes.get();
    }

    int failures() {
        return failures.get();
    }

    @Override
    public List<String> getAuthenticationMechanisms() {
        return List.of("XOAUTH2");
    }

    @Override
    public AuthenticationHandler create() {
        return new AuthenticationHandler() {
            private Login login;

            @Override
            public Optional<String> auth(String clientInput, MessageContext context) throws RejectException {
                String payload = clientInput.trim();
                if (payload.toUpperCase(java.util.Locale.ROOT).startsWith("AUTH ")) {
                    String[] words = payload.split("\\s+");
                    if (words.length < 3) {
                        return Optional.of("334 ");
                    }
                    payload = words[2];
                }
                Object socket = context instanceof Session s ? s.getSocket() : null;
                try {
                    login = check(LongAuthLineSocket.resolve(socket, payload));
                } catch (RejectException e) {
                    failures.incrementAndGet();
                    throw e;
                }
                successes.incrementAndGet();
                return Optional.empty();
            }

            @Override
            public Object getIdentity() {
                return login;
            }
        };
    }

    private Login check(String base64) throws RejectException {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw unsuccessful("the XOAUTH2 response is not base64");
        }
        String user = null;
        String token = null;
        for (String field : decoded.split("\u0001")) {
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
        JsonArray roles = claims.getJsonArray("roles");
        if (roles == null || roles.getValuesAs(JsonString.class).stream()
                .noneMatch(r -> r.getString().equals("SMTP.SendAsApp"))) {
            throw unsuccessful("token lacks the SMTP.SendAsApp role");
        }
        String tenantId = claims.getString("tid", "");
        String servicePrincipal = claims.getString("oid", "");
        String mailboxAddress = user;
        SandboxDirectory.Mailbox mailbox = directory.tenant(tenantId).flatMap(t -> t.mailbox(mailboxAddress))
                .orElseThrow(() -> unsuccessful("no mailbox " + mailboxAddress + " in tenant " + tenantId));
        if (!mailbox.hasFullAccess(servicePrincipal)) {
            throw unsuccessful("the service principal has no permission on " + mailboxAddress);
        }
        return new Login(mailbox.address(), tenantId, claims.getString("appid", ""));
    }

    private RejectException unsuccessful(String why) {
        LOG.fine(() -> "XOAUTH2 refused: " + why);
        return new RejectException(535, "5.7.3 Authentication unsuccessful [" + hostName + "]");
    }
}
