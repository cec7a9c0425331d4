package org.m365mail.sandbox;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refresh tokens the stand-in's Entra issued for delegated consent, with Entra's rules
 * (https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens): each redemption returns a new refresh
 * token (the old one stays valid until it lapses); a token unused for 90 days expires ({@code AADSTS700082}); a
 * revoked grant ends them all ({@code AADSTS50173}).
 */
final class RefreshTokens {

    /** Entra's inactivity limit for refresh tokens. */
    static final Duration MAX_INACTIVE = Duration.ofDays(90);

    /** One refresh token: whose, for which app and scopes, and when it was last used. */
    record Grant(String tenantId, String clientId, String user, List<String> scopes, Instant issuedAt,
                 Instant lastUsed, int generation) {
    }

    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    /** Per user, how many times all grants were revoked: a grant from an earlier generation is revoked. */
    private final Map<String, Integer> generations = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    String issue(String tenantId, String clientId, String user, List<String> scopes, Instant now) {
        byte[] bytes = new byte[48];
        random.nextBytes(bytes);
        String token = "0.AXsandbox" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String who = user.toLowerCase(Locale.ROOT);
        grants.put(token, new Grant(tenantId, clientId, who, List.copyOf(scopes), now, now,
                generations.getOrDefault(who, 0)));
        return token;
    }

    Optional<Grant> find(String token) {
        return Optional.ofNullable(grants.get(token));
    }

    boolean revoked(Grant grant) {
        return grant.generation() < generations.getOrDefault(grant.user(), 0);
    }

    void revokeAll(String user, Instant now) {
        generations.merge(user.toLowerCase(Locale.ROOT), 1, Integer::sum);
    }

    void used(String token, Instant now) {
        grants.computeIfPresent(token, (k, g) -> new Grant(g.tenantId(), g.clientId(), g.user(), g.scopes(),
                g.issuedAt(), now, g.generation()));
    }
}
