package org.m365mail.console;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.resource.ResourceException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.admin.SetupReport;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.logging.LogText;

import java.util.Optional;
import java.util.logging.Logger;

/**
 * {@code POST api/check-setup} (form field {@code jndiName}): the checks of the pool's Ping, step by step — a token
 * from Entra, its tenant and permission, and for SMTP the sign-in to the SMTP server — with what the token says of
 * itself ({@code aud}, {@code roles}/{@code scp}, {@code tid}, expiry) and the first step that is missing. A POST: it
 * asks Entra for a token and may sign in to the SMTP server.
 */
@Path("check-setup")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class CheckSetupResource {

    private static final Logger LOG = Logger.getLogger(CheckSetupResource.class.getName());

    @Inject
    FactoryDirectory directory;

    @Context
    HttpServletRequest request;

    @POST
    public Response check() {
        String jndiName = request.getParameter("jndiName");
        Optional<MailConnectionFactory> factory = directory.find(jndiName);
        if (factory.isEmpty()) {
            return ApiReplies.unknownFactory(jndiName, directory);
        }
        try {
            SetupReport report = FactoryAdministration.of(factory.get()).checkSetup();
            LOG.info(() -> "M365MAIL-5016 Check setup of " + LogText.of(jndiName) + " by "
                    + LogText.of(request.getRemoteUser()) + ": " + (report.ok() ? "every step done"
                    : "missing: " + report.firstMissing().name()));
            return ApiReplies.ok(FactoryJson.report(report));
        } catch (ResourceException e) {
            // The settings are invalid: the message names every property to fix.
            return ApiReplies.error(400, String.valueOf(e.getMessage()));
        }
    }
}
