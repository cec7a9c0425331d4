package org.m365mail.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import jakarta.json.Json;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The managed identity endpoint of an Azure App Service, which is what a server in Azure asks for its tokens: a
 * plain-HTTP endpoint on the local machine, named by the {@code IDENTITY_ENDPOINT} environment variable and guarded
 * by the {@code IDENTITY_HEADER} value, which callers return in {@code X-IDENTITY-HEADER}.
 *
 * <p>{@code GET {IDENTITY_ENDPOINT}?resource={resource}&api-version=2019-08-01[&client_id={user-assigned id}]}
 * answers {@code {"access_token", "expires_on" (epoch seconds, as a string), "resource", "token_type": "Bearer",
 * "client_id"}}, per "How to use managed identities for App Service and Azure Functions", REST endpoint reference
 * (https://learn.microsoft.com/en-us/azure/app-service/overview-managed-identity?tabs=http#rest-endpoint-reference).
 * The token is the same kind Entra issues by client credentials: app roles granted to the identity's service
 * principal, in {@code roles}.
 */
final class ManagedIdentityEndpoint implements HttpHandler {

    private static final Logger LOG = Logger.getLogger(ManagedIdentityEndpoint.class.getName());
    static final String PATH = "/msi/token";

    private final SandboxDirectory directory;
    private final TokenIssuer issuer;
    private final TokenRequestLog log;
    /** Read once per request: the lifetime can change while the sandbox runs. */
    private final LongSupplier lifetimeSeconds;
    private final String tenantId;
    private final String systemAssigned;
    private final List<String> userAssigned;

    ManagedIdentityEndpoint(SandboxDirectory directory, TokenIssuer issuer, TokenRequestLog log,
                            LongSupplier lifetimeSeconds, String tenantId, String systemAssigned,
                            List<String> userAssigned) {
        this.directory = directory;
        this.issuer = issuer;
        this.log = log;
        this.lifetimeSeconds = lifetimeSeconds;
        this.tenantId = tenantId;
        this.systemAssigned = systemAssigned;
        this.userAssigned = userAssigned;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> query = HttpReplies.form(exchange.getRequestURI().getRawQuery() == null ? new byte[0]
                    : exchange.getRequestURI().getRawQuery().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String clientId = query.getOrDefault("client_id", systemAssigned);
            String resource = query.get("resource");
            int status;
            String error = null;
            String body;
            if (!"GET".equals(exchange.getRequestMethod()) || !PATH.equals(exchange.getRequestURI().getPath())) {
                status = 404;
                body = error("Not found");
            } else if (!SandboxDefaults.IDENTITY_HEADER.equals(
                    exchange.getRequestHeaders().getFirst("X-IDENTITY-HEADER"))) {
                status = 401;
                error = "missing or wrong X-IDENTITY-HEADER";
                body = error("The request is missing the X-IDENTITY-HEADER header or it does not match.");
            } else if (!"2019-08-01".equals(query.get("api-version"))) {
                status = 400;
                error = "api-version";
                body = error("api-version " + query.get("api-version") + " is not supported; use 2019-08-01.");
            } else if (resource == null || resource.isBlank()) {
                status = 400;
                error = "resource";
                body = error("Required query parameter 'resource' is missing.");
            } else {
                Optional<SandboxDirectory.App> identity = directory.tenant(tenantId).flatMap(t -> t.app(clientId))
                        .filter(SandboxDirectory.App::isManagedIdentity)
                        .filter(a -> a.clientId().equalsIgnoreCase(systemAssigned)
                                || userAssigned.stream().anyMatch(a.clientId()::equalsIgnoreCase));
                String resourceId = resource.endsWith("/") ? resource.substring(0, resource.length() - 1) : resource;
                Optional<SandboxDirectory.Resource> target = directory.resource(resourceId);
                if (identity.isEmpty()) {
                    status = 400;
                    error = "identity_not_found";
                    body = error("No managed identity with client_id " + clientId + " is assigned to this "
                            + "resource.");
                } else if (target.isEmpty()) {
                    status = 400;
                    error = "invalid_resource";
                    body = error("AADSTS500011: The resource principal named " + resourceId + " was not found in "
                            + "the tenant.");
                } else {
                    long lifetime = lifetimeSeconds.getAsLong();
                    String token = issuer.issue(tenantId, resourceId, identity.get().clientId(),
                            identity.get().servicePrincipalId(), identity.get().roles(target.get()), lifetime);
                    long expiresOn = issuer.now().getEpochSecond() + lifetime;
                    status = 200;
                    body = Json.createObjectBuilder().add("access_token", token)
                            .add("expires_on", String.valueOf(expiresOn)).add("resource", resource)
                            .add("token_type", "Bearer").add("client_id", identity.get().clientId()).build()
                            .toString();
                }
            }
            // A managed identity presents no client credential: the platform vouches for it.
            log.add(new TokenRequestLog.Entry(tenantId, clientId, resource, "managed_identity", status, error,
                    issuer.now(), null));
            String logged = error;
            LOG.fine(() -> "managed identity token for " + clientId + " to " + resource + ": " + status
                    + (logged == null ? "" : " " + logged));
            HttpReplies.json(exchange, status, body);
        }
    }

    private static String error(String message) {
        return Json.createObjectBuilder().add("statusCode", 400).add("message", message).build().toString();
    }
}
