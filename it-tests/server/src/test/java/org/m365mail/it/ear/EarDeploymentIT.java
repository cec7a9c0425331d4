package org.m365mail.it.ear;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;

import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The EAR the build produced, deployed on full Payara Server with one more web module holding an enterprise bean;
 * the bean sends a mail through the resource adapter embedded in the EAR.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class EarDeploymentIT {

    private static M365Sandbox sandbox;

    @Deployment(testable = false)
    static EnterpriseArchive ear() throws Exception {
        sandbox = SandboxEndpoints.startSandbox();
        EnterpriseArchive ear = ShrinkWrap.create(ZipImporter.class, "m365-mail.ear")
                .importFrom(new File(System.getProperty("m365.ear"))).as(EnterpriseArchive.class);
        // A classic EAR layout: the enterprise bean in an EJB module, the servlet that calls it in a web module.
        JavaArchive ejbModule = ShrinkWrap.create(JavaArchive.class, "ear-it-ejb.jar")
                .addClasses(EarMailBean.class)
                .addAsManifestResource(EmptyAsset.INSTANCE, "beans.xml");
        WebArchive webModule = ShrinkWrap.create(WebArchive.class, "ear-it.war")
                .addClasses(EarSendServlet.class)
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
        ear.addAsModule(ejbModule);
        ear.addAsModule(webModule);
        // The product EAR lists its own modules; list the test module too.
        ear.setApplicationXML(new StringAsset("""
                <?xml version="1.0" encoding="UTF-8"?>
                <application xmlns="https://jakarta.ee/xml/ns/jakartaee" version="10">
                  <display-name>m365-mail</display-name>
                  <module><connector>m365-mail-connector.rar</connector></module>
                  <module><web><web-uri>m365-mail-console.war</web-uri><context-root>/m365-mail-console</context-root></web></module>
                  <module><ejb>ear-it-ejb.jar</ejb></module>
                  <module><web><web-uri>ear-it.war</web-uri><context-root>/ear-it</context-root></web></module>
                  <library-directory>lib</library-directory>
                </application>
                """));
        return ear;
    }

    @AfterAll
    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void anEnterpriseBeanInTheEarSendsThroughTheEmbeddedAdapter() throws Exception {
        String form = "to=" + URLEncoder.encode(SandboxDefaults.RECIPIENT, StandardCharsets.UTF_8)
                + "&subject=" + URLEncoder.encode("EAR on Payara Server", StandardCharsets.UTF_8)
                + "&text=" + URLEncoder.encode("Sent from an EJB in the EAR", StandardCharsets.UTF_8);
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:8080/ear-it/send"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        DeliveredMessage got = sandbox.outbox().await(m -> "EAR on Payara Server".equals(m.subject()),
                Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("nothing delivered"));
        assertEquals("GRAPH", got.channel());
        assertEquals("Sent from an EJB in the EAR", got.textBody());
        assertEquals(List.of(SandboxDefaults.RECIPIENT), got.to());
        assertTrue(response.body().startsWith(got.messageId()), response.body());
    }

    @Test
    void theConsoleOfTheEarAnswersOnlyItsAdministrators() throws Exception {
        URI console = URI.create("http://localhost:8080/m365-mail-console/");
        HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(console).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), "the console asks for the server's sign-in");

        String admin = "Basic " + java.util.Base64.getEncoder().encodeToString("console-admin:ear-console-password"
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(console)
                .header("Authorization", admin).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("Microsoft 365 mail connector"), response.body());
        assertEquals("DENY", response.headers().firstValue("X-Frame-Options").orElse(""));
    }
}
