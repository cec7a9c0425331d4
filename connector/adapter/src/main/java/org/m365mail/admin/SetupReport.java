package org.m365mail.admin;

import java.time.Instant;
import java.util.List;

/**
 * What Check setup found: each step of the setup in order, and what the token said of itself. It runs the same checks
 * as the pool's Ping: obtains a token, reads its claims and checks the tenant and the permission the transport needs;
 * for SMTP it also signs in to the SMTP server.
 *
 * @param steps     the steps checked, in the order an administrator takes them
 * @param audience  the token's {@code aud} claim, or {@code null} when no token was obtained
 * @param tenantId  its {@code tid} claim, or {@code null}
 * @param roles     its {@code roles} claim (application permissions), possibly empty
 * @param scopes    its {@code scp} claim (delegated permissions), possibly empty
 * @param expiresAt when the token expires, or {@code null}
 */
public record SetupReport(List<SetupStep> steps, String audience, String tenantId, List<String> roles,
                          List<String> scopes, Instant expiresAt) {

    /** @return whether no step is missing (steps only a send can confirm may be unchecked) */
    public boolean ok() {
        return steps.stream().noneMatch(s -> Boolean.FALSE.equals(s.ok()));
    }

    /** @return the first step that is missing, or {@code null} */
    public SetupStep firstMissing() {
        return steps.stream().filter(s -> Boolean.FALSE.equals(s.ok())).findFirst().orElse(null);
    }

    /** @return how many steps could not be checked here (a test mail confirms them) */
    public long unchecked() {
        return steps.stream().filter(s -> s.ok() == null).count();
    }
}
