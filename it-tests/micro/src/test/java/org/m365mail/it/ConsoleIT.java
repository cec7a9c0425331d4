package org.m365mail.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.SandboxDirectory;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The administrator's console in headless Chromium, against Payara Micro and the stand-in: sign in, the factories
 * with their state, one factory's effective configuration with its secrets masked, a test mail that is delivered and
 * one that fails with its advice, Check setup naming the missing permission, and the setup assistant's PowerShell.
 * Everything is done with the keyboard where a user would. Screenshots go to {@code target/screenshots}
 * ({@code docs/images} holds copies).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConsoleIT {

    /** The app behind mail/ConsoleSetup: registered, with a secret, but never granted SMTP.SendAsApp. */
    static final String NO_SMTP_CLIENT = "3c5e7a91-0b2d-4f68-8e1a-6d9c2b4f7a05";
    static final String NO_SMTP_SECRET = "console-it~secret.of-an-app-without-smtp-permission";
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static M365Sandbox sandbox;

    @Deployment(testable = false)
    static WebArchive application() throws IOException {
        sandbox = SandboxEndpoints.startSandbox();
        sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow()
                .registerApp(NO_SMTP_CLIENT, NO_SMTP_SECRET).grant(SandboxDirectory.Resource.GRAPH, "User.Read.All");
        // The console is deployed by the post-boot commands; Arquillian needs an archive of its own.
        return ShrinkWrap.create(WebArchive.class, "console-browser-it.war")
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    @AfterAll
    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    /** A screenshot of the window, scrolled so that {@code top} is at its top. */
    private static void screenshot(ChromeDriver browser, String name, By top) throws IOException {
        browser.executeScript("arguments[0].scrollIntoView(true); window.scrollBy(0, -16);", browser.findElement(top));
        Files.createDirectories(SCREENSHOTS);
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name),
                StandardCopyOption.REPLACE_EXISTING);
    }

    private static WebDriverWait waiting(ChromeDriver browser) {
        return new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    /** Opens a factory's page from the list, with the keyboard. */
    private static void open(ChromeDriver browser, String jndiName) {
        WebElement link = waiting(browser).until(ExpectedConditions.elementToBeClickable(
                By.cssSelector("a[data-factory='" + jndiName + "']")));
        link.sendKeys(Keys.ENTER);
        waiting(browser).until(ExpectedConditions.textToBe(By.id("factory-title"), jndiName));
        waiting(browser).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#configuration tr[data-property='clientSecret']")));
    }

    private static String setting(ChromeDriver browser, String property) {
        return browser.findElement(By.cssSelector("#configuration tr[data-property='" + property + "'] td.value"))
                .getText();
    }

    private static String checkSetup(ChromeDriver browser) {
        browser.findElement(By.id("check-setup")).sendKeys(Keys.ENTER);
        return waiting(browser).until(ExpectedConditions.presenceOfElementLocated(By.id("setup-verdict"))).getText();
    }

    private static String sendTestMail(ChromeDriver browser, String subject) {
        WebElement to = browser.findElement(By.id("to"));
        to.clear();
        to.sendKeys(SandboxDefaults.RECIPIENT);
        WebElement subjectField = browser.findElement(By.id("subject"));
        subjectField.clear();
        subjectField.sendKeys(subject);
        browser.findElement(By.id("send")).sendKeys(Keys.ENTER);
        return waiting(browser).until(ExpectedConditions.presenceOfElementLocated(By.id("message-text"))).getText();
    }

    @Test
    void anAdministratorSeesEachPoolChecksItsSetupAndSendsATestMail() throws Exception {
        ChromeDriver browser = HeadlessChromium.start(Path.of(System.getProperty("sandbox.workDir")));
        try {
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1100));
            // The server's sign-in (BASIC): Chromium keeps the credentials of the first address for the console.
            browser.get(ConsoleClient.CONSOLE.toString().replace("://", "://" + ConsoleClient.ADMIN + ":"
                    + ConsoleClient.PASSWORD + "@"));
            waiting(browser).until(ExpectedConditions.textMatches(By.id("status"),
                    java.util.regex.Pattern.compile("\\d+ connection factor")));
            assertTrue(browser.findElement(By.id("user")).getText().contains(ConsoleClient.ADMIN));
            String list = browser.findElement(By.id("factories")).getText();
            assertTrue(list.contains("mail/Office365") && list.contains("mail/ConsoleSetup"), list);
            screenshot(browser, "console-factories.png", By.tagName("header"));

            // A working Graph pool: its configuration with descriptions, the secret masked.
            open(browser, "mail/Office365");
            assertEquals("set (hidden)", setting(browser, "clientSecret"));
            assertEquals(SandboxDefaults.TENANT_ID, setting(browser, "tenantId"));
            assertTrue(browser.findElement(By.id("configuration")).getText()
                    .contains("Directory (tenant) ID of the Entra tenant"), "descriptions are shown");
            assertFalse(browser.getPageSource().contains(SandboxDefaults.CLIENT_SECRET), "no secret in the page");
            String verdict = checkSetup(browser);
            assertTrue(verdict.startsWith("No step is missing"), verdict);
            assertTrue(browser.findElement(By.id("claims")).getText().contains("Mail.Send"), "the token's roles");
            String sent = sendTestMail(browser, "IT console browser mail");
            assertTrue(sent.startsWith("Sent: Microsoft 365 accepted message"), sent);
            assertTrue(sandbox.outbox().await(m -> "IT console browser mail".equals(m.subject()),
                    Duration.ofSeconds(10)).isPresent(), "delivered");
            waiting(browser).until(ExpectedConditions.textToBe(By.cssSelector("#token dd"), "yes"));
            screenshot(browser, "console-factory.png", By.id("factory-title"));

            // A pool whose app was never granted SMTP.SendAsApp: Check setup names the step, the test mail fails
            // with the advice.
            browser.get(ConsoleClient.CONSOLE.resolve("./#factory=" + ConsoleClient.enc("mail/ConsoleSetup"))
                    .toString());
            waiting(browser).until(ExpectedConditions.textToBe(By.id("factory-title"), "mail/ConsoleSetup"));
            verdict = checkSetup(browser);
            assertEquals("Missing: Application permission SMTP.SendAsApp", verdict);
            String steps = browser.findElement(By.id("setup-result")).getText();
            assertTrue(steps.contains("Office 365 Exchange Online → Application permissions → SMTP.SendAsApp, then "
                    + "Grant admin consent"), steps);
            screenshot(browser, "console-check-setup.png", By.id("h-check"));
            String failed = sendTestMail(browser, "IT console browser mail without permission");
            assertTrue(failed.startsWith("Not sent.") && failed.contains("SMTP.SendAsApp"), failed);
            String advice = waiting(browser).until(ExpectedConditions.presenceOfElementLocated(
                    By.id("message-advice"))).getText();
            assertTrue(advice.startsWith("What to do: Grant what the failure above names"), advice);
            waiting(browser).until(ExpectedConditions.visibilityOfElementLocated(By.id("last-failure-box")));
            assertTrue(browser.findElement(By.id("state")).getText().contains("DOWN"));
            assertTrue(browser.findElement(By.id("factory-reason")).getText().startsWith("DOWN — permission: "),
                    browser.findElement(By.id("factory-reason")).getText());
            assertTrue(browser.findElement(By.id("alerts")).getText().contains("ops@contoso.test"));
            screenshot(browser, "console-failure.png", By.id("factory-title"));

            // Every field of every page has a label.
            Object unlabelled = browser.executeScript("return [...document.querySelectorAll('input,select,textarea')]"
                    + ".filter(e => e.type !== 'hidden' && !document.querySelector('label[for=\"' + e.id + '\"]'))"
                    + ".length");
            assertEquals(0L, unlabelled);

            // The setup assistant: the PowerShell for these ids.
            browser.get(ConsoleClient.CONSOLE.resolve("assistant.html").toString());
            String objectId = "0e7d3c4b-91a2-4f5e-8b6c-d2a1f3e4b5c6";
            browser.findElement(By.id("tenantId")).sendKeys(SandboxDefaults.TENANT_ID);
            browser.findElement(By.id("clientId")).sendKeys(SandboxDefaults.CLIENT_ID);
            browser.findElement(By.id("objectId")).sendKeys(objectId);
            browser.findElement(By.id("mailboxes")).sendKeys(SandboxDefaults.SENDER);
            new Select(browser.findElement(By.id("transport"))).selectByValue("GRAPH");
            browser.findElement(By.id("generate")).sendKeys(Keys.ENTER);
            WebElement script = waiting(browser).until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#steps pre")));
            String all = browser.findElement(By.id("steps")).getText();
            assertTrue(all.contains("New-ServicePrincipal -AppId '" + SandboxDefaults.CLIENT_ID + "' -ObjectId '"
                    + objectId + "'"), all);
            assertTrue(all.contains("-Role 'Application Mail.Send' -CustomResourceScope"), all);
            assertTrue(script.isDisplayed());
            screenshot(browser, "console-assistant.png", By.id("steps"));

            browser.findElement(By.id("objectId")).clear();
            browser.findElement(By.id("objectId")).sendKeys(SandboxDefaults.CLIENT_ID);
            browser.findElement(By.id("generate")).sendKeys(Keys.ENTER);
            String error = waiting(browser).until(ExpectedConditions.visibilityOfElementLocated(
                    By.id("assistant-error"))).getText();
            assertTrue(error.contains("objectId: this is the Application (client) ID"), error);
        } finally {
            browser.quit();
        }
    }
}
