package org.m365mail.console;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET api/setup-script?tenantId&clientId&objectId&mailboxes&transport&scopeName}: the setup assistant's steps
 * and Exchange Online PowerShell for the given ids (see {@link ExchangeSetupScript}). Changes nothing; every value is
 * checked before it is written into a command.
 */
@Path("setup-script")
@Produces(MediaType.APPLICATION_JSON)
public class SetupAssistantResource {

    @GET
    public Response script(@QueryParam("tenantId") String tenantId, @QueryParam("clientId") String clientId,
                           @QueryParam("objectId") String objectId, @QueryParam("mailboxes") String mailboxes,
                           @QueryParam("transport") String transport, @QueryParam("scopeName") String scopeName) {
        ExchangeSetupScript.Input input;
        try {
            input = ExchangeSetupScript.input(tenantId, clientId, objectId, mailboxes, transport, scopeName);
        } catch (ExchangeSetupScript.InvalidInput e) {
            return ApiReplies.error(400, e.getMessage());
        }
        JsonArrayBuilder steps = Json.createArrayBuilder();
        for (ExchangeSetupScript.Step step : ExchangeSetupScript.steps(input)) {
            JsonArrayBuilder commands = Json.createArrayBuilder();
            step.commands().forEach(commands::add);
            steps.add(Json.createObjectBuilder().add("title", step.title()).add("text", step.text())
                    .add("commands", commands));
        }
        return ApiReplies.ok(Json.createObjectBuilder().add("transport", input.transport()).add("steps", steps)
                .build());
    }
}
