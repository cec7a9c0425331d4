package org.m365mail.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import jakarta.json.Json;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Entra ID's v2.0 token endpoint, {@code POST {authority}/{tenant}/oauth2/v2.0/token}, for the client credentials
 * grant with a client secret.
 *
 * <p>Request and answer shapes: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * ("First case: Access token request with a shared secret", "Successful response", "Error response").
 * Error codes and texts: https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 * (AADSTS90002, AADSTS700016, AADSTS7000215, AADSTS7000218, AADSTS7000222, AADSTS900144, AADSTS1002012,
 * AADSTS500011, AADSTS70003, AADSTS700027, AADSTS700024).
 *
 * <p>A certificate credential is a signed client assertion
 * (https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials): a JWT signed with RS256 or PS256
 * whose header names the certificate by {@code x5t#S256} or {@code x5t}, with {@code aud} the token endpoint,
 * {@code iss} and {@code sub} the client id, and a current {@code exp}; the certificate must have been uploaded to the
 * app registration.
 */
final class EntraTokenEndpoint implements HttpHandler {

    private static final Logger LOG = Logger.getLogger(EntraTokenEndpoint.class.getName());
    /** Scopes msal4j adds to every request, even app-only ones; Entra ignores them for client credentials. */
    private static final Set<String> OIDC_SCOPES = Set.of("openid", "profile", "offline_access");

    private final SandboxDirectory directory;
    private final TokenIssuer issuer;
    private final TokenRequestLog log;
    private final RefreshTokens refreshTokens = new RefreshTokens();
    private final EntraAuthorizeEndpoint authorize;
    /** Read once per token request: the lifetime can change while the sandbox runs. */
    private final LongSupplier lifetimeSeconds;
    private final String authorityUrl;
    private final TokenFaults faults = new TokenFaults();

    EntraTokenEndpoint(SandboxDirectory directory, TokenIssuer issuer, TokenRequestLog log,
                       LongSupplier lifetimeSeconds, String authorityUrl) {
        this.directory = directory;
        this.issuer = issuer;
        this.log = log;
        this.lifetimeSeconds = lifetimeSeconds;
        this.authorityUrl = authorityUrl;
        this.authorize = new EntraAuthorizeEndpoint(directory, issuer);
    }

    TokenFaults faults() {
        return faults;
    }

    /** An Entra error body for a fault. */
    private static String failure(String error, String description) {
        return jakarta.json.Json.createObjectBuilder().add("error", error)
                .add("error_description", description + "\r\nTrace ID: " + java.util.UUID.randomUUID()
                        + "\r\nCorrelation ID: " + java.util.UUID.randomUUID() + "\r\nTimestamp: " + Instant.now())
                .add("error_codes", jakarta.json.Json.createArrayBuilder()
                        .add(Integer.parseInt(description.substring(6, description.indexOf(':')))))
                .add("timestamp", Instant.now().toString())
                .add("trace_id", java.util.UUID.randomUUID().toString())
                .add("correlation_id", java.util.UUID.randomUUID().toString())
                .build().toString();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] path = exchange.getRequestURI().getPath().split("/");
            // ["", tenant, "oauth2", "v2.0", "token" | "authorize"]
            if (path.length == 5 && "oauth2".equals(path[2]) && "v2.0".equals(path[3]) && "authorize".equals(path[4])) {
                authorize.handle(exchange, path[1]);
                return;
            }
            if (path.length != 5 || !"oauth2".equals(path[2]) || !"v2.0".equals(path[3])
                    || !"token".equals(path[4])) {
                HttpReplies.empty(exchange, 404);
                return;
            }
            String clientRequestId = exchange.getRequestHeaders().getFirst("client-request-id");
            if (clientRequestId != null) {
                exchange.getResponseHeaders().set("client-request-id", clientRequestId);
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                HttpReplies.empty(exchange, 405);
                return;
            }
            String tenantSegment = path[1];
            Map<String, String> form = HttpReplies.form(exchange.getRequestBody().readAllBytes());
            TokenFaults.Fault fault = faults.next();
            if (fault == TokenFaults.Fault.SLOW) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else if (fault != null) {
                boolean unavailable = fault == TokenFaults.Fault.UNAVAILABLE;
                if (unavailable) {
                    exchange.getResponseHeaders().set("Retry-After", "1");
                }
                HttpReplies.json(exchange, unavailable ? 503 : 500, failure(unavailable
                        ? "temporarily_unavailable" : "server_error", unavailable
                        ? "AADSTS50196: The server is temporarily unavailable. Please try again later."
                        : "AADSTS90033: A transient error has occurred. Please try again."));
                return;
            }
            Outcome outcome = decide(tenantSegment, form);
            log.add(new TokenRequestLog.Entry(tenantSegment, form.get("client_id"), form.get("scope"),
                    form.get("grant_type"), outcome.status, outcome.errorCode, Instant.now(),
                    credential(form, outcome.verifiedBy)));
            HttpReplies.json(exchange, outcome.status, outcome.body);
        }
    }

    private Outcome decide(String tenantSegment, Map<String, String> form) {
        Optional<SandboxDirectory.Tenant> tenant = directory.tenant(tenantSegment);
        if (tenant.isEmpty()) {
            return error(400, "invalid_request", 90002, "Tenant '" + tenantSegment + "' not found. Check to make "
                    + "sure you have the correct tenant ID and are signing into the correct cloud. Check with your "
                    + "subscription administrator, this may happen if there are no active subscriptions for the tenant.");
        }
        String grantType = form.get("grant_type");
        if (grantType == null || grantType.isBlank()) {
            return missing("grant_type");
        }
        if (!List.of("client_credentials", "refresh_token", "authorization_code").contains(grantType)) {
            return error(400, "unsupported_grant_type", 70003,
                    "The app requested an unsupported grant type '" + grantType + "'.");
        }
        String clientId = form.get("client_id");
        if (clientId == null || clientId.isBlank()) {
            return missing("client_id");
        }
        Optional<SandboxDirectory.App> app = tenant.get().app(clientId);
        if (app.isEmpty()) {
            return error(400, "unauthorized_client", 700016, "Application with identifier '" + clientId
                    + "' was not found in the directory '" + tenant.get().domain() + "'. This can happen if the "
                    + "application has not been installed by the administrator of the tenant or consented to by any "
                    + "user in the tenant. You may have sent your authentication request to the wrong tenant.");
        }
        String assertion = form.get("client_assertion");
        if (assertion != null && !assertion.isEmpty()) {
            Assertion checked = checkAssertion(app.get(), assertion, tenantSegment,
                    form.get("client_assertion_type"));
            Outcome outcome = checked.refused() != null ? checked.refused()
                    : issue(form, tenant.get(), app.get(), clientId);
            return outcome.verifiedBy(checked.verifiedBy());
        }
        String secret = form.get("client_secret");
        if (secret == null || secret.isEmpty()) {
            return error(401, "invalid_client", 7000218, "The request body must contain the following parameter: "
                    + "'client_assertion' or 'client_secret'.");
        }
        if (!app.get().hasSecret(secret)) {
            return error(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being "
                    + "sent in the request is the client secret value, not the client secret ID, for a secret added "
                    + "to app '" + clientId + "'.");
        }
        if (app.get().secretExpired(secret, issuer.now())) {
            // The right secret, past its end date: a code of its own, so an operator knows to make a new secret
            // rather than look for a typo. Code, name (InvalidClientSecretExpiredKeysProvided) and meaning:
            // https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
            // (current text at https://login.microsoftonline.com/error?code=7000222); the wording is the STS's
            // own answer, which names the app and links the portal page for a new secret.
            return error(401, "invalid_client", 7000222, "The provided client secret keys for app '" + clientId
                    + "' are expired. Visit the Azure portal to create new keys for your app: "
                    + "https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: "
                    + "https://aka.ms/certCreds.");
        }
        return issue(form, tenant.get(), app.get(), clientId);
    }

    private Outcome issue(Map<String, String> form, SandboxDirectory.Tenant tenantEntry, SandboxDirectory.App appEntry,
                          String clientId) {
        if ("refresh_token".equals(form.get("grant_type"))) {
            return redeem(form, tenantEntry, appEntry);
        }
        if ("authorization_code".equals(form.get("grant_type"))) {
            return redeemCode(form, tenantEntry, appEntry);
        }
        Optional<SandboxDirectory.Tenant> tenant = Optional.of(tenantEntry);
        Optional<SandboxDirectory.App> app = Optional.of(appEntry);
        String scope = form.get("scope");
        if (scope == null || scope.isBlank()) {
            return missing("scope");
        }
        List<String> resourceScopes = Arrays.stream(scope.trim().split("\\s+"))
                .filter(s -> !OIDC_SCOPES.contains(s)).toList();
        if (resourceScopes.size() != 1 || !resourceScopes.get(0).endsWith("/.default")) {
            return error(400, "invalid_scope", 1002012, "The provided value for scope " + scope + " is not valid. "
                    + "Client credential flows must have a scope value with /.default suffixed to the resource "
                    + "identifier (application ID URI).");
        }
        String resourceId = resourceScopes.get(0).substring(0, resourceScopes.get(0).length() - "/.default".length());
        Optional<SandboxDirectory.Resource> resource = directory.resource(resourceId);
        if (resource.isEmpty()) {
            return error(400, "invalid_resource", 500011, "The resource principal named " + resourceId
                    + " was not found in the tenant named " + tenant.get().domain() + ". This can happen if the "
                    + "application has not been installed by the administrator of the tenant or consented to by any "
                    + "user in the tenant. You might have sent your authentication request to the wrong tenant.");
        }
        long lifetime = lifetimeSeconds.getAsLong();
        String token = issuer.issue(tenant.get().id(), resourceId, app.get().clientId(),
                app.get().servicePrincipalId(), app.get().roles(resource.get()), lifetime);
        String body = Json.createObjectBuilder()
                .add("token_type", "Bearer")
                .add("expires_in", lifetime)
                .add("ext_expires_in", lifetime)
                .add("access_token", token)
                .build().toString();
        LOG.fine(() -> "issued a token for " + clientId + " to " + resourceId);
        return new Outcome(200, null, body);
    }

    /** RefreshTokens issued for delegated consent (tests seed them as the authorization code flow would). */
    RefreshTokens refreshTokens() {
        return refreshTokens;
    }

    /**
     * The refresh token grant (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow,
     * "Refresh the access token"): a delegated access token for the user, and a new refresh token.
     */
    private Outcome redeem(Map<String, String> form, SandboxDirectory.Tenant tenant, SandboxDirectory.App app) {
        String presented = form.get("refresh_token");
        if (presented == null || presented.isBlank()) {
            return missing("refresh_token");
        }
        java.time.Instant now = issuer.now();
        Optional<RefreshTokens.Grant> grant = refreshTokens.find(presented)
                .filter(g -> g.clientId().equalsIgnoreCase(app.clientId()) && g.tenantId().equals(tenant.id()));
        if (grant.isEmpty()) {
            return error(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
        }
        if (refreshTokens.revoked(grant.get())) {
            return error(400, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh "
                    + "auth token is needed. The user might have changed or reset their password.");
        }
        if (grant.get().lastUsed().plus(RefreshTokens.MAX_INACTIVE).isBefore(now)) {
            return error(400, "invalid_grant", 700082, "The refresh token has expired due to inactivity. The token was "
                    + "issued on " + grant.get().issuedAt() + " and was inactive for 90.00:00:00.");
        }
        refreshTokens.used(presented, now);
        String scope = form.getOrDefault("scope", "");
        List<String> resourceScopes = Arrays.stream(scope.trim().split("\\s+"))
                .filter(s -> !OIDC_SCOPES.contains(s) && !s.isBlank()).toList();
        String first = resourceScopes.isEmpty() ? grant.get().scopes().get(0) : resourceScopes.get(0);
        int slash = first.lastIndexOf('/');
        String resource = slash > 0 ? first.substring(0, slash) : "https://graph.microsoft.com";
        List<String> names = resourceScopes.stream().map(s -> s.substring(s.lastIndexOf('/') + 1)).toList();
        if (!grant.get().scopes().containsAll(resourceScopes)) {
            return error(400, "invalid_grant", 65001, "The user or administrator has not consented to use the "
                    + "application with ID '" + app.clientId() + "'. Send an interactive authorization request for this "
                    + "user and resource.");
        }
        String user = grant.get().user();
        // Once for this answer, so the token's exp, expires_in and the ID token agree.
        long lifetime = lifetimeSeconds.getAsLong();
        String accessToken = issuer.issueDelegated(tenant.id(), resource, app.clientId(), user,
                java.util.UUID.nameUUIDFromBytes(user.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString(),
                names, lifetime);
        String rotated = refreshTokens.issue(tenant.id(), app.clientId(), user, grant.get().scopes(), now);
        // The rotated token continues the same consent: a later revocation ends it too.
        jakarta.json.JsonObjectBuilder answer = Json.createObjectBuilder()
                .add("token_type", "Bearer")
                .add("scope", String.join(" ", resourceScopes.isEmpty() ? grant.get().scopes() : resourceScopes))
                .add("expires_in", lifetime)
                .add("ext_expires_in", lifetime)
                .add("access_token", accessToken)
                .add("refresh_token", rotated)
                // Asked for with client_info=1, as msal4j does: identifies the account for its cache.
                .add("client_info", java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                        Json.createObjectBuilder().add("uid", java.util.UUID.nameUUIDFromBytes(
                                user.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString())
                                .add("utid", tenant.id()).build().toString()
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        if (Arrays.asList(scope.trim().split("\\s+")).contains("openid")) {
            // Asked for with the openid scope, as msal4j always does: who signed in
            // (https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference).
            answer.add("id_token", issuer.issueIdToken(authorityUrl, tenant.id(), app.clientId(), user,
                    tenant.mailbox(user).map(SandboxDirectory.Mailbox::displayName).orElse(user),
                    java.util.UUID.nameUUIDFromBytes(user.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString(),
                    lifetime));
        }
        return new Outcome(200, null, answer.build().toString());
    }

    /** The authorization code grant: the code once, with the PKCE verifier, for tokens and a refresh token. */
    private Outcome redeemCode(Map<String, String> form, SandboxDirectory.Tenant tenant, SandboxDirectory.App app) {
        String code = form.get("code");
        if (code == null || code.isBlank()) {
            return missing("code");
        }
        Optional<EntraAuthorizeEndpoint.Code> found = authorize.redeem(code, app.clientId(),
                form.getOrDefault("redirect_uri", ""));
        if (found.isEmpty()) {
            return error(400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired "
                    + "due to inactivity. Send a new interactive authorization request for this user and resource.");
        }
        if (!EntraAuthorizeEndpoint.verifies(found.get(), form.get("code_verifier"))) {
            return error(400, "invalid_grant", 501481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
        }
        String refreshToken = refreshTokens.issue(tenant.id(), app.clientId(), found.get().user(),
                found.get().scopes(), issuer.now());
        Map<String, String> refresh = new java.util.HashMap<>(form);
        refresh.put("refresh_token", refreshToken);
        refresh.put("scope", String.join(" ", found.get().scopes()) + (found.get().openId() ? " openid profile" : ""));
        return redeem(refresh, tenant, app);
    }

    /**
     * Checks a certificate credential's client assertion: the error to answer, or none when it is good, and the
     * registered certificate whose key verified its signature, if one did (even when a later check refuses it).
     */
    private Assertion checkAssertion(SandboxDirectory.App app, String assertion, String tenantSegment, String type) {
        if (!"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(type)) {
            return new Assertion(null, error(400, "invalid_request", 900144,
                    "The request body must contain the following parameter: 'client_assertion_type'."));
        }
        String[] parts = assertion.split("\\.");
        if (parts.length != 3) {
            return new Assertion(null, error(401, "invalid_client", 700027,
                    "Client assertion failed signature validation."));
        }
        java.security.cert.X509Certificate verified = null;
        try {
            java.util.Base64.Decoder b64 = java.util.Base64.getUrlDecoder();
            jakarta.json.JsonObject header = Json.createReader(new java.io.StringReader(
                    new String(b64.decode(parts[0]), java.nio.charset.StandardCharsets.UTF_8))).readObject();
            jakarta.json.JsonObject claims = Json.createReader(new java.io.StringReader(
                    new String(b64.decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8))).readObject();
            String thumbprint = header.getString("x5t#S256", null);
            String sha1Thumbprint = header.getString("x5t", null);
            java.security.cert.X509Certificate certificate = null;
            for (java.security.cert.X509Certificate c : app.certificates()) {
                if (matches(c, "SHA-256", thumbprint) || matches(c, "SHA-1", sha1Thumbprint)) {
                    certificate = c;
                }
            }
            if (certificate == null) {
                return new Assertion(null, error(401, "invalid_client", 700027, "Client assertion failed signature "
                        + "validation. [Reason - The key was not found., Thumbprint of key used by client: '"
                        + sha1Thumbprint + "'. Please visit the Azure Portal, Graph Explorer or directly use MS Graph "
                        + "to see configured keys for app Id '" + app.clientId() + "'.]"));
            }
            String alg = header.getString("alg", "");
            java.security.Signature verifier;
            if (alg.equals("PS256")) {
                verifier = java.security.Signature.getInstance("RSASSA-PSS");
                verifier.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            } else {
                verifier = java.security.Signature.getInstance("SHA256withRSA");
            }
            verifier.initVerify(certificate.getPublicKey());
            verifier.update((parts[0] + "." + parts[1]).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            if (!verifier.verify(b64.decode(parts[2]))) {
                return new Assertion(null, error(401, "invalid_client", 700027,
                        "Client assertion failed signature validation."));
            }
            verified = certificate;
            long now = issuer.now().getEpochSecond();
            if (claims.getJsonNumber("exp").longValue() <= now) {
                return new Assertion(verified, error(401, "invalid_client", 700024,
                        "Client assertion is not within its valid time range."));
            }
            String audience = claims.getString("aud", "");
            if (!app.clientId().equalsIgnoreCase(claims.getString("iss", ""))
                    || !app.clientId().equalsIgnoreCase(claims.getString("sub", ""))
                    || !audience.endsWith("/" + tenantSegment + "/oauth2/v2.0/token")) {
                return new Assertion(verified, error(401, "invalid_client", 700027,
                        "Client assertion contains an invalid iss, sub or aud."));
            }
            return new Assertion(verified, null);
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            return new Assertion(verified, error(401, "invalid_client", 700027,
                    "Client assertion failed signature validation."));
        }
    }

    /** A checked client assertion: the certificate that verified its signature, or null; the refusal, or null. */
    private record Assertion(java.security.cert.X509Certificate verifiedBy, Outcome refused) {
    }

    /**
     * Which client credential the request presented, as the log names it (never the secret itself): the
     * certificate that verified the client assertion, else the thumbprint the assertion's header names; the
     * client secret's {@link TokenRequestLog#secretId}; or null for none. An assertion wins over a secret, as
     * in {@link #decide}.
     */
    private static String credential(Map<String, String> form, java.security.cert.X509Certificate verifiedBy) {
        String assertion = form.get("client_assertion");
        if (assertion != null && !assertion.isEmpty()) {
            return verifiedBy != null ? TokenRequestLog.certificateId(verifiedBy)
                    : "certificate:" + namedThumbprint(assertion);
        }
        String secret = form.get("client_secret");
        return secret == null || secret.isEmpty() ? null : TokenRequestLog.secretId(secret);
    }

    /**
     * The thumbprint a client assertion's header names, {@code x5t#S256} before {@code x5t}, in base64url; empty
     * when the header cannot be read or names none.
     */
    private static String namedThumbprint(String assertion) {
        try {
            String header = new String(java.util.Base64.getUrlDecoder().decode(assertion.split("\\.", 2)[0]),
                    java.nio.charset.StandardCharsets.UTF_8);
            jakarta.json.JsonObject json = Json.createReader(new java.io.StringReader(header)).readObject();
            String s256 = json.getString("x5t#S256", null);
            // Written the way TokenRequestLog.certificateId writes it (base64url, unpadded), whichever base64 the
            // client used (msal4j sends the standard alphabet), so a test can compare them.
            return (s256 != null ? s256 : json.getString("x5t", "")).replace('+', '-').replace('/', '_')
                    .replace("=", "");
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static boolean matches(java.security.cert.X509Certificate certificate, String digest, String thumbprint)
            throws java.security.GeneralSecurityException {
        if (thumbprint == null) {
            return false;
        }
        byte[] hash = java.security.MessageDigest.getInstance(digest).digest(certificate.getEncoded());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(hash).equals(thumbprint.replace("=", ""))
                || java.util.Base64.getEncoder().encodeToString(hash).equals(thumbprint);
    }

    private Outcome missing(String parameter) {
        return error(400, "invalid_request", 900144,
                "The request body must contain the following parameter: '" + parameter + "'.");
    }

    private Outcome error(int status, String error, int code, String message) {
        String traceId = UUID.randomUUID().toString();
        String correlationId = UUID.randomUUID().toString();
        String timestamp = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        String description = "AADSTS" + code + ": " + message + " Trace ID: " + traceId
                + " Correlation ID: " + correlationId + " Timestamp: " + timestamp.replace('T', ' ').replace("Z", "Z");
        String body = Json.createObjectBuilder()
                .add("error", error)
                .add("error_description", description)
                .add("error_codes", Json.createArrayBuilder().add(code))
                .add("timestamp", timestamp.replace('T', ' '))
                .add("trace_id", traceId)
                .add("correlation_id", correlationId)
                .add("error_uri", authorityUrl + "/error?code=" + code)
                .build().toString();
        return new Outcome(status, "AADSTS" + code, body);
    }

    /** An answer, and for a certificate credential the registered certificate that verified the assertion. */
    private record Outcome(int status, String errorCode, String body,
                           java.security.cert.X509Certificate verifiedBy) {
        Outcome(int status, String errorCode, String body) {
            this(status, errorCode, body, null);
        }

        Outcome verifiedBy(java.security.cert.X509Certificate certificate) {
            return new Outcome(status, errorCode, body, certificate);
        }
    }
}
