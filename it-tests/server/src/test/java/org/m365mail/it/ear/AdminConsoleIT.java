package org.m365mail.it.ear;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.m365mail.it.HeadlessChromium;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The administrator's own path, in Payara Server's admin console in headless Chromium: a connector connection pool
 * for the RAR made with the New wizard, its properties filled in (the secret as a password alias), Ping — success for
 * a good pool, the connector's message for one whose alias is misspelt — then the connector resource, and a mail sent
 * through it by an application. Only the properties filled in end up in the pool: the connector declares no defaults
 * for the form to freeze.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminConsoleIT {

    private static final String RAR = "m365-mail-connector";
    private static final String APP = "admin-console-it";
    private static final String ADMIN_CONSOLE = "http://localhost:4848";
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static M365Sandbox sandbox;

    @Deployment(testable = false)
    static WebArchive placeholder() throws Exception {
        sandbox = SandboxEndpoints.startSandbox();
        // Arquillian needs an archive; the RAR, its pools and the application are the administrator's, below.
        return ShrinkWrap.create(WebArchive.class, "admin-console-placeholder.war")
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        Asadmin.run("undeploy", APP);
        Asadmin.run("undeploy", "--cascade=true", RAR);
        if (sandbox != null) {
            sandbox.close();
        }
    }

    /** What the administrator types into the pool's Additional Properties: the guide's minimum, for the stand-in. */
    private static Map<String, String> properties(String clientSecret) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("transport", "GRAPH");
        p.put("tenantId", SandboxDefaults.TENANT_ID);
        p.put("clientId", SandboxDefaults.CLIENT_ID);
        p.put("clientSecret", clientSecret);
        p.put("fromAddress", SandboxDefaults.SENDER);
        p.put("authorityUrl", SandboxEndpoints.AUTHORITY_URL);
        p.put("graphUrl", SandboxEndpoints.GRAPH_URL);
        p.put("trustStorePath", SandboxEndpoints.TRUST_STORE);
        p.put("trustStorePassword", SandboxDefaults.TRUST_STORE_PASSWORD);
        return p;
    }

    private static WebDriverWait waiting(ChromeDriver browser, int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    private static void screenshot(ChromeDriver browser, String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(SCREENSHOTS.resolve(name.replace(".png", ".html")), browser.getPageSource());
    }

    /** Opens the admin console: the first request makes Payara load it, which takes a while; signs in if asked. */
    private static void openAdminConsole(ChromeDriver browser) {
        browser.get(ADMIN_CONSOLE + "/");
        waiting(browser, 300).pollingEvery(Duration.ofSeconds(3)).until(b -> {
            String page = b.getPageSource();
            if (page.contains("j_username")) {
                // The domain's administrator, with the empty password of a new domain.
                WebElement user = b.findElement(By.name("j_username"));
                user.clear();
                user.sendKeys("admin");
                b.findElement(By.cssSelector("form[name='loginform'] input[type='submit']")).click();
                return false;
            }
            if (page.contains("Common Tasks") || page.contains("treeForm")) {
                return true;
            }
            // While the console loads, Payara's page sends the browser to /testifbackendisready.html, which answers
            // 404 once loading is over: refreshing that would never reach the console (seen in CI), asking for the
            // console again does.
            b.get(ADMIN_CONSOLE + "/");
            return false;
        });
    }

    /** The field of a Woodstock component, found by the end of its JSF id. */
    private static WebElement field(ChromeDriver browser, String tag, String idPart) {
        return waiting(browser, 60).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(tag + "[id*='" + idPart + "']")));
    }

    /** A button by its label (Woodstock pads labels with spaces: " Next "). */
    private static void button(ChromeDriver browser, String label) {
        waiting(browser, 60).until(ExpectedConditions.elementToBeClickable(By.xpath(
                "//input[(@type='submit' or @type='button') and normalize-space(@value)='" + label + "']"))).click();
    }

    /** The New Connector Connection Pool wizard: name, resource adapter, connection definition, then the properties. */
    private static void createPool(ChromeDriver browser, String pool, Map<String, String> values) throws IOException {
        browser.get(ADMIN_CONSOLE + "/jca/connectorConnectionPoolNew1.jsf");
        field(browser, "input", "jndiProp:name").sendKeys(pool);
        // Choosing the adapter reloads the page with its connection definitions.
        new Select(field(browser, "select", "resAdapterProp:db")).selectByVisibleText(RAR);
        waiting(browser, 60).until(b -> new Select(field(browser, "select", "connectionDefProp:db")).getOptions()
                .stream().anyMatch(o -> o.getText().equals("org.m365mail.api.MailConnectionFactory")));
        field(browser, "input", "jndiProp:name").clear();
        field(browser, "input", "jndiProp:name").sendKeys(pool);
        new Select(field(browser, "select", "connectionDefProp:db"))
                .selectByVisibleText("org.m365mail.api.MailConnectionFactory");
        button(browser, "Next");

        // Step 2: the Additional Properties table lists every property of the connector, empty.
        waiting(browser, 60).until(ExpectedConditions.presenceOfElementLocated(
                By.xpath("//input[@type='text' and @value='clientSecret']")));
        List<WebElement> names = browser.findElements(By.xpath("//input[@type='text' and @value='messagesPerMinute']"
                + "/ancestor::tr[1]//input[@type='text']"));
        assertEquals("", names.get(names.size() - 1).getAttribute("value"),
                "no default is shown in the form, so none is written into the pool");
        for (Map.Entry<String, String> e : values.entrySet()) {
            String row = "//input[@type='text' and @value='" + e.getKey() + "']/ancestor::tr[1]";
            List<WebElement> inputs = browser.findElements(By.xpath(row + "//input[@type='text' or "
                    + "@type='password']"));
            boolean filled = false;
            for (WebElement input : inputs.subList(1, inputs.size())) {
                if (input.isDisplayed()) {
                    input.clear();
                    input.sendKeys(e.getValue());
                    filled = true;
                }
            }
            assertTrue(filled, "a field for " + e.getKey());
        }
        if (pool.equals("AdminConsolePool")) {
            browser.executeScript("arguments[0].scrollIntoView(true);", browser.findElement(
                    By.cssSelector("[id*='basicTable']")));
            screenshot(browser, "payara-pool-properties.png");
        }
        button(browser, "Finish");
        // JSF answers the postback with the list of pools, at the wizard's address.
        waiting(browser, 60).until(ExpectedConditions.presenceOfElementLocated(By.linkText(pool)));
    }

    /** Ping on the pool's edit page; returns the message Payara shows. */
    private static String ping(ChromeDriver browser, String pool) {
        // From the list of pools, as an administrator goes: the pool's link opens its General page.
        browser.get(ADMIN_CONSOLE + "/jca/connectorConnectionPools.jsf");
        waiting(browser, 60).until(ExpectedConditions.elementToBeClickable(By.linkText(pool))).click();
        button(browser, "Ping");
        WebElement alert = waiting(browser, 120).until(ExpectedConditions.presenceOfElementLocated(
                By.id("propertyForm:pageAlert")));
        return alert.getText();
    }

    @Test
    void aPoolMadeInTheAdminConsolePingsAndSends() throws Exception {
        Asadmin.Result deployed = Asadmin.run("deploy", "--name", RAR, System.getProperty("m365.rar"));
        assertTrue(deployed.succeeded(), deployed.output());
        ChromeDriver browser = HeadlessChromium.start(Path.of(System.getProperty("sandbox.workDir")));
        try {
            inAdminConsole(browser);
        } catch (RuntimeException | AssertionError e) {
            screenshot(browser, "payara-failure.png");
            throw e;
        } finally {
            browser.quit();
        }
        sendThroughTheResource();
    }

    private void inAdminConsole(ChromeDriver browser) throws Exception {
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1000));
        openAdminConsole(browser);

        // A good pool, its secret given as the password alias the build made.
        createPool(browser, "AdminConsolePool", properties("${ALIAS=m365-client-secret}"));
        String good = ping(browser, "AdminConsolePool");
        screenshot(browser, "payara-pool-ping.png");
        assertTrue(good.contains("Ping Succeeded"), good);

        // Only what was filled in is in the pool: no default was frozen into it.
        Asadmin.Result stored = Asadmin.run("get", "resources.connector-connection-pool.AdminConsolePool.property.*");
        assertTrue(stored.succeeded(), stored.output());
        assertTrue(stored.output().contains("property.tenantId=" + SandboxDefaults.TENANT_ID), stored.output());
        assertFalse(stored.output().contains("messagesPerMinute"), "no default was written: " + stored.output());
        assertFalse(stored.output().contains(SandboxDefaults.CLIENT_SECRET), "the alias, not the secret, is "
                + "stored: " + stored.output());

        // The same with a misspelt alias: Ping shows the connector's message, naming the alias.
        createPool(browser, "AdminConsoleMisspelt", properties("${ALIAS=m365-client-secert}"));
        String misspelt = ping(browser, "AdminConsoleMisspelt");
        screenshot(browser, "payara-pool-ping-misspelt-alias.png");
        assertFalse(misspelt.contains("Ping Succeeded"), misspelt);
        assertTrue(misspelt.contains("clientSecret names the password alias 'm365-client-secert', which this "
                + "server does not have"), misspelt);

        // The resource, in the admin console too.
        browser.get(ADMIN_CONSOLE + "/jca/connectorResourceNew.jsf");
        field(browser, "input", "jndiTextProp:jnditext").sendKeys("mail/AdminConsole");
        new Select(field(browser, "select", "poolNameProp:PoolName")).selectByVisibleText("AdminConsolePool");
        button(browser, "OK");
        waiting(browser, 60).until(ExpectedConditions.presenceOfElementLocated(By.linkText("mail/AdminConsole")));
    }

    /** An application injected with the resource made in the admin console sends through it. */
    private void sendThroughTheResource() throws Exception {
        Path war = Path.of(System.getProperty("sandbox.workDir")).resolveSibling(APP + ".war");
        ShrinkWrap.create(WebArchive.class, APP + ".war").addClasses(AdminConsoleServlet.class)
                .as(ZipExporter.class).exportTo(war.toFile(), true);
        Asadmin.Result application = Asadmin.run("deploy", "--name", APP, "--contextroot", APP, war.toString());
        assertTrue(application.succeeded(), application.output());
        HttpResponse<String> sent = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:8080/" + APP + "/send"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("to=" + SandboxDefaults.RECIPIENT
                        + "&subject=IT+admin+console+pool")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, sent.statusCode(), sent.body());
        assertTrue(sandbox.outbox().await(m -> "IT admin console pool".equals(m.subject()), Duration.ofSeconds(10))
                .isPresent(), "delivered");
    }
}
