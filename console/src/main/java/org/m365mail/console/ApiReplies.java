package org.m365mail.console;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The API's answers: JSON bodies with the status they go with. */
final class ApiReplies {

    private ApiReplies() {
    }

    static Response ok(JsonObject body) {
        return Response.ok(body.toString(), MediaType.APPLICATION_JSON_TYPE.withCharset("UTF-8")).build();
    }

    static Response status(int status, JsonObject body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE.withCharset("UTF-8"))
                .entity(body.toString()).build();
    }

    /** An error for the administrator: what is wrong and what to do; never a secret (the adapter gives none out). */
    static Response error(int status, String message) {
        return status(status, Json.createObjectBuilder().add("error", message).build());
    }

    /** The answer for a name the server has no factory of this connector under. */
    static Response unknownFactory(String jndiName, FactoryDirectory directory) {
        return error(404, "No connection factory of this connector is named '" + jndiName + "' on this server; "
                + "choose one of " + directory.factories().keySet() + " (create one with asadmin "
                + "create-connector-resource --poolname <pool> <name>)");
    }
}
