package org.m365mail.console;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.m365mail.api.MailConnectionFactory;

import java.util.Map;
import java.util.Optional;

/**
 * {@code GET api/factories}: the server's factories of this connector with their state, the signed-in administrator
 * and the session's CSRF token; {@code GET api/factories/detail?jndiName=…}: one factory's state, token, counts, last
 * failure with advice, alert addresses and effective configuration (secrets only as set or not).
 */
@Path("factories")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class FactoriesResource {

    @Inject
    FactoryDirectory directory;

    @Context
    HttpServletRequest request;

    @GET
    public Response list() {
        JsonArrayBuilder factories = Json.createArrayBuilder();
        for (Map.Entry<String, MailConnectionFactory> e : directory.factories().entrySet()) {
            factories.add(FactoryJson.summary(e.getKey(), e.getValue()));
        }
        return ApiReplies.ok(Json.createObjectBuilder()
                .add("csrfToken", CsrfProtection.token(request))
                .add("user", String.valueOf(request.getRemoteUser()))
                .add("factories", factories).build());
    }

    @GET
    @Path("detail")
    public Response detail(@QueryParam("jndiName") String jndiName) {
        Optional<MailConnectionFactory> factory = directory.find(jndiName);
        if (factory.isEmpty()) {
            return ApiReplies.unknownFactory(jndiName, directory);
        }
        return ApiReplies.ok(FactoryJson.details(jndiName, factory.get()));
    }
}
