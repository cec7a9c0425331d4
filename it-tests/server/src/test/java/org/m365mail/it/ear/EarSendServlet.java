package org.m365mail.it.ear;

import jakarta.ejb.EJB;
import jakarta.resource.ConnectionFactoryDefinition;
import jakarta.resource.spi.TransactionSupport;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.m365mail.api.SentMessage;

import java.io.IOException;

/**
 * Calls the enterprise bean for the test and defines the connection factory the bean uses. An adapter embedded in
 * an EAR is named {@code #module}. (A {@code @Stateless} bean packaged in a WAR inside an EAR fails to deploy on
 * Payara Server with "Naming binding already exists" when it injects a resource, so the bean has its own EJB
 * module.)
 */
@WebServlet("/send")
@ConnectionFactoryDefinition(
        name = "java:app/mail/EarGraph",
        interfaceName = "org.m365mail.api.MailConnectionFactory",
        resourceAdapter = "#m365-mail-connector",
        transactionSupport = TransactionSupport.TransactionSupportLevel.NoTransaction,
        properties = {
                "transport=GRAPH",
                "tenantId=5f0c9a3e-2b41-4c8e-9d7a-1e6b3c2d4f50",
                "clientId=8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736",
                // A Payara password alias: the secret itself is in the domain's password store.
                "clientSecret=${ALIAS=m365-client-secret}",
                "fromAddress=notifications@contoso.test",
                "authorityUrl=" + SandboxEndpoints.AUTHORITY_URL,
                "graphUrl=" + SandboxEndpoints.GRAPH_URL,
                "trustStorePath=" + SandboxEndpoints.TRUST_STORE,
                "trustStorePassword=changeit"})
public class EarSendServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @EJB
    EarMailBean bean;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; charset=UTF-8");
        try {
            SentMessage sent = bean.send(request.getParameter("to"), request.getParameter("subject"),
                    request.getParameter("text"));
            response.getWriter().print(sent.messageId() + "\n" + sent.transport());
        } catch (Exception e) {
            response.setStatus(500);
            for (Throwable t = e; t != null; t = t.getCause()) {
                response.getWriter().println(t.getClass().getName() + ": " + t.getMessage());
            }
        }
    }
}
