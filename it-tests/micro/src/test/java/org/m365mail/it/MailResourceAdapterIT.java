package org.m365mail.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.SandboxDirectory;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RAR in Payara Micro: an EJB gets connection factories by {@code @Resource}, defined by
 * {@code @ConnectionFactoryDefinition}, by {@code glassfish-resources.xml} and by the README's asadmin commands (run
 * from a post-boot command file), and sends through Graph and SMTP to the stand-in running in this JVM.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MailResourceAdapterIT {

    private static M365Sandbox sandbox;
    private static final Path APPLICATION = Path.of(System.getProperty("sandbox.workDir")).resolveSibling("mail-it.war");

    @ArquillianResource
    private URL base;

    private static final String PACED_MAILBOX = "paced-it@contoso.test";

    @Deployment(testable = false)
    static WebArchive application() throws IOException {
        // The stand-in must be up before Micro boots: the adapter reads its trust store at first use.
        sandbox = SandboxEndpoints.startSandbox();
        // The mailbox of mail/ClusterPaced (limitsScope=CLUSTER), which only the cluster test sends from.
        SandboxDirectory.Tenant tenant = sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow();
        tenant.addMailbox(PACED_MAILBOX, "Paced IT").grantFullAccess(tenant.app(SandboxDefaults.CLIENT_ID).orElseThrow());
        WebArchive application = ShrinkWrap.create(WebArchive.class, "mail-it.war")
                .addClasses(MailSenderBean.class, SendServlet.class, TokenStoreServlet.class,
                        SharedTokenCacheServlet.class)
                .addAsWebInfResource("glassfish-resources.xml", "glassfish-resources.xml")
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
        // The same application for the second instance of the cluster test.
        application.as(org.jboss.shrinkwrap.api.exporter.ZipExporter.class).exportTo(APPLICATION.toFile(), true);
        return application;
    }

    @AfterAll
    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private HttpResponse<String> send(String factory, String subject, String text, int attachmentSize, long seed)
            throws Exception {
        return send(factory, "", subject, text, attachmentSize, seed);
    }

    private HttpResponse<String> send(String factory, String from, String subject, String text, int attachmentSize,
                                      long seed) throws Exception {
        return send(URI.create(base.toString()), factory, from, subject, text, attachmentSize, seed);
    }

    private HttpResponse<String> send(URI server, String factory, String from, String subject, String text,
                                      int attachmentSize, long seed) throws Exception {
        String form = "factory=" + enc(factory) + "&from=" + enc(from) + "&to=" + enc(SandboxDefaults.RECIPIENT)
                + "&subject=" + enc(subject)
                + "&text=" + enc(text) + "&attachmentSize=" + attachmentSize + "&seed=" + seed;
        // With the console deployed too, the injected URL is the server's root rather than this archive's.
        URI app = server.resolve("/mail-it/send");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(app)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static DeliveredMessage delivered(String subject) throws InterruptedException {
        return sandbox.outbox().await(m -> subject.equals(m.subject()), Duration.ofSeconds(10))
                .orElseThrow(() -> new AssertionError("the stand-in received no message '" + subject + "'"));
    }

    private static String sha256(int size, long seed) throws Exception {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void annotationDefinedFactorySendsThroughGraphWithAnAttachment() throws Exception {
        HttpResponse<String> response = send("annotation-graph", "IT Graph annotation", "Hello through Graph",
                150_000, 11);
        assertEquals(200, response.statusCode(), response.body());
        String[] answer = response.body().split("\n");
        assertEquals("GRAPH", answer[1]);

        DeliveredMessage got = delivered("IT Graph annotation");
        assertEquals("GRAPH", got.channel());
        assertEquals(SandboxDefaults.SENDER, got.mailbox());
        assertEquals("Hello through Graph", got.textBody());
        assertEquals(List.of(SandboxDefaults.RECIPIENT), got.to());
        assertEquals(answer[0], got.messageId(), "the returned Message-ID is the delivered message's");
        assertEquals(1, got.attachments().size());
        assertEquals("data.bin", got.attachments().get(0).name());
        assertEquals(sha256(150_000, 11), got.attachments().get(0).sha256());
    }

    @Test
    void graphSendsFromTheSharedMailboxOnBehalf() throws Exception {
        HttpResponse<String> response = send("annotation-graph", SandboxDefaults.SHARED_MAILBOX, "IT Graph shared",
                "From the support desk", 0, 0);
        assertEquals(200, response.statusCode(), response.body());
        DeliveredMessage got = delivered("IT Graph shared");
        assertEquals(SandboxDefaults.SHARED_MAILBOX, got.from());
        assertEquals(SandboxDefaults.SENDER, got.sender());

        HttpResponse<String> refused = send("annotation-graph", "ceo@contoso.test", "IT Graph spoofed", "x", 0, 0);
        assertEquals(500, refused.statusCode());
        assertTrue(refused.body().contains("allowedFromAddresses"), refused.body());
    }

    @Test
    void graphSendsALargeAttachmentThroughAnUploadSession() throws Exception {
        HttpResponse<String> response = send("annotation-graph", "IT Graph large", "A large file", 12_000_000, 21);
        assertEquals(200, response.statusCode(), response.body());
        DeliveredMessage got = delivered("IT Graph large");
        assertEquals("GRAPH_DRAFT", got.route());
        assertEquals(sha256(12_000_000, 21), got.attachments().get(0).sha256());
        assertEquals(0, sandbox.graphDrafts());
    }

    @Test
    void glassfishResourcesFactorySendsThroughSmtpAsTheSharedMailbox() throws Exception {
        HttpResponse<String> response = send("resources-xml-smtp", "IT SMTP shared mailbox", "Hello through SMTP",
                64_000, 12);
        assertEquals(200, response.statusCode(), response.body());
        String[] answer = response.body().split("\n");
        assertEquals("SMTP", answer[1]);
        assertTrue(answer[2].startsWith("250 2.0.0 OK"), answer[2]);

        DeliveredMessage got = delivered("IT SMTP shared mailbox");
        assertEquals("SMTP", got.channel());
        assertEquals(SandboxDefaults.SHARED_MAILBOX, got.mailbox());
        assertEquals(SandboxDefaults.SHARED_MAILBOX, got.from());
        assertEquals("Contoso Support", got.fromName());
        assertEquals("Hello through SMTP", got.textBody().trim());
        assertEquals(List.of(SandboxDefaults.RECIPIENT), got.to());
        assertEquals(sha256(64_000, 12), got.attachments().get(0).sha256());
    }

    @Test
    void asadminGraphFactoryMakesOneTokenRequestForSeveralSends() throws Exception {
        long before = sandbox.tokenRequests().count(SandboxEndpoints.GRAPH_URL);
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = send("asadmin-graph", "IT asadmin Graph " + i, "n" + i, 0, 0);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("n" + i, delivered("IT asadmin Graph " + i).textBody());
        }
        // The pool may hold its token already when another test sent through it first: then none is fetched.
        long fetched = sandbox.tokenRequests().count(SandboxEndpoints.GRAPH_URL) - before;
        assertTrue(fetched <= 1, "four sends through one factory need one token, fetched " + fetched);
        assertTrue(sandbox.tokenRequests().count(SandboxEndpoints.GRAPH_URL) >= 1, "a token was fetched at all");
    }

    /**
     * The pool's SMTP connections sign in as the pool makes them (Payara grows a pool by its resize quantity, 2 by
     * default), and then stay signed in: later sends sign in no more, and one token serves them all.
     */
    @Test
    void asadminSmtpFactoryReusesItsAuthenticatedConnection() throws Exception {
        long tokensBefore = sandbox.tokenRequests().count("https://outlook.office365.com");
        int loginsBefore = sandbox.smtpLogins();
        assertEquals(200, send("asadmin-smtp", "IT asadmin SMTP 0", "s0", 0, 0).statusCode());
        int loginsAfterFirst = sandbox.smtpLogins();
        assertTrue(loginsAfterFirst - loginsBefore <= 2, "a login per connection the pool made: "
                + (loginsAfterFirst - loginsBefore));
        for (int i = 1; i < 5; i++) {
            HttpResponse<String> response = send("asadmin-smtp", "IT asadmin SMTP " + i, "s" + i, 0, 0);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("s" + i, delivered("IT asadmin SMTP " + i).textBody().trim());
        }
        assertEquals(loginsAfterFirst, sandbox.smtpLogins(), "the pooled SMTP sessions stay authenticated");
        assertTrue(sandbox.tokenRequests().count("https://outlook.office365.com") - tokensBefore <= 1,
                "one token for the pool");
    }

    @Test
    void aMailboxConnectedInTheConsoleSendsAsItsUserUntilReset() throws Exception {
        sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID).orElseThrow()
                .addRedirectUri(ConsoleClient.CONSOLE.resolve("consent/callback").toString());
        ConsoleClient admin = ConsoleClient.signedInAs(ConsoleClient.ADMIN, sandbox.clientSslContext());
        String page = admin.get("consent?jndiName=mail/Delegated").body();
        HttpResponse<String> toMicrosoft = admin.post("consent/connect", ConsoleClient.formCsrf(page),
                "jndiName", "mail/Delegated");
        assertEquals(303, toMicrosoft.statusCode(), toMicrosoft.body());
        URI signIn = URI.create(toMicrosoft.headers().firstValue("Location").orElseThrow());
        assertTrue(signIn.toString().startsWith(SandboxEndpoints.AUTHORITY_URL), signIn.toString());
        HttpResponse<String> back = admin.postTo(signIn, "login=" + enc(SandboxDefaults.USER) + "&passwd="
                + enc(SandboxDefaults.USER_PASSWORD) + "&action=accept");
        assertEquals(302, back.statusCode(), back.body());
        HttpResponse<String> completed = admin.get(URI.create(back.headers().firstValue("Location").orElseThrow()));
        assertEquals(303, completed.statusCode(), completed.body());
        HttpResponse<String> status = admin.get("consent?jndiName=mail/Delegated");
        assertTrue(status.body().contains("Connected: mail is sent as " + SandboxDefaults.USER), status.body());

        HttpResponse<String> sent = send("mail/Delegated", "IT delegated", "as Megan", 0, 0);
        assertEquals(200, sent.statusCode(), sent.body());
        assertEquals(SandboxDefaults.USER, delivered("IT delegated").mailbox());

        HttpResponse<String> reset = admin.post("consent/reset", admin.csrf(), "jndiName", "mail/Delegated");
        assertTrue(reset.body().contains("Not connected"), reset.body());
        HttpResponse<String> refused = send("mail/Delegated", "IT after reset", "never", 0, 0);
        assertEquals(500, refused.statusCode());
        assertTrue(refused.body().contains("No mailbox is connected"), refused.body());
    }

    /**
     * In a real browser: the console's Connect mailbox, the stand-in's sign-in page, back to the console; then a
     * delegated send whose consent lives, sealed, in the server's database (tokenStoreDataSource jdbc/mailTokens, an XA pool), and
     * whose rotated refresh token stays saved although the application's transaction around the send rolls back.
     */
    @Test
    void connectMailboxInABrowserThenSendWithTheConsentKeptInTheDatabase() throws Exception {
        URI console = ConsoleClient.CONSOLE;
        sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID).orElseThrow()
                .addRedirectUri(console.resolve("consent/callback").toString());
        org.openqa.selenium.chrome.ChromeDriver browser = HeadlessChromium.start(
                Path.of(System.getProperty("sandbox.workDir")));
        try {
            // The server's sign-in (BASIC): Chromium takes the credentials from the first address and keeps them
            // for the console.
            browser.get(console.toString().replace("://", "://" + ConsoleClient.ADMIN + ":" + ConsoleClient.PASSWORD
                    + "@"));
            browser.get(console.resolve("./#factory=" + ConsoleClient.enc("mail/Office365")).toString());
            new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(20)).until(
                    org.openqa.selenium.support.ui.ExpectedConditions.textToBe(
                            org.openqa.selenium.By.id("factory-title"), "mail/Office365"));
            browser.findElement(org.openqa.selenium.By.id("to")).sendKeys(SandboxDefaults.RECIPIENT);
            org.openqa.selenium.WebElement subject = browser.findElement(org.openqa.selenium.By.id("subject"));
            subject.clear();
            subject.sendKeys("IT browser test mail");
            browser.findElement(org.openqa.selenium.By.id("send")).click();
            new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(20)).until(
                    org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(
                            org.openqa.selenium.By.id("message-text")));
            assertTrue(browser.findElement(org.openqa.selenium.By.id("message-text")).getText().startsWith("Sent:"),
                    browser.getPageSource());
            assertEquals("GRAPH", delivered("IT browser test mail").channel());

            browser.get(console.resolve("consent?jndiName=mail/DelegatedJdbc").toString());
            // The database outlives a run without "mvn clean": start from no consent.
            org.openqa.selenium.support.ui.WebDriverWait wait =
                    new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(20));
            // The reset posts a form: wait for the page it answers with, not the one being left (reading the old
            // page's status while the new one loads failed with StaleElementReferenceException).
            org.openqa.selenium.WebElement reset = browser.findElement(org.openqa.selenium.By.id("reset"));
            reset.click();
            wait.until(org.openqa.selenium.support.ui.ExpectedConditions.stalenessOf(reset));
            wait.until(org.openqa.selenium.support.ui.ExpectedConditions.textMatches(
                    org.openqa.selenium.By.id("status"), java.util.regex.Pattern.compile("^Not connected.*")));
            browser.findElement(org.openqa.selenium.By.id("connect")).click();
            wait.until(org.openqa.selenium.support.ui.ExpectedConditions.urlContains("/oauth2/v2.0/authorize"));
            assertTrue(browser.getCurrentUrl().startsWith(SandboxEndpoints.AUTHORITY_URL), browser.getCurrentUrl());
            org.openqa.selenium.WebElement login = browser.findElement(org.openqa.selenium.By.id("login"));
            login.clear();
            login.sendKeys(SandboxDefaults.USER);
            browser.findElement(org.openqa.selenium.By.id("passwd")).sendKeys(SandboxDefaults.USER_PASSWORD);
            browser.findElement(org.openqa.selenium.By.id("accept")).click();
            wait.until(org.openqa.selenium.support.ui.ExpectedConditions.textToBe(
                    org.openqa.selenium.By.id("status"), "Connected: mail is sent as " + SandboxDefaults.USER + "."));
            assertTrue(browser.getCurrentUrl().startsWith(console.toString()), browser.getCurrentUrl());
        } finally {
            browser.quit();
        }

        String key = (SandboxDefaults.TENANT_ID + "|" + SandboxDefaults.CLIENT_ID + "|" + SandboxDefaults.USER)
                .toLowerCase(java.util.Locale.ROOT);
        String stored = tokenRow(key);
        assertFalse(stored.equals("none") || stored.contains("0.AXsandbox"), "a sealed row, no token in plain text: "
                + stored);

        // The first send redeems the consent's refresh token, and Entra rotates it, inside a transaction that fails.
        URI app = URI.create(base.toString()).resolve("/mail-it/token-store");
        HttpResponse<String> failed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(app)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("factory=mail/DelegatedJdbc&to="
                        + enc(SandboxDefaults.RECIPIENT) + "&subject=" + enc("IT delegated rolled back"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(failed.body().startsWith("rolled back: later work failed"), failed.body());
        assertEquals(SandboxDefaults.USER, delivered("IT delegated rolled back").mailbox());
        String afterRollback = tokenRow(key);
        assertFalse(afterRollback.split("\n")[0].equals(stored.split("\n")[0]),
                "the rotated refresh token was saved in its own transaction, not rolled back with the caller's");

        HttpResponse<String> sent = send("mail/DelegatedJdbc", "IT delegated from the database", "as Megan", 0, 0);
        assertEquals(200, sent.statusCode(), sent.body());
        assertEquals(SandboxDefaults.USER, delivered("IT delegated from the database").mailbox());
    }

    private String tokenRow(String key) throws Exception {
        URI row = URI.create(base.toString()).resolve("/mail-it/token-store?key=" + enc(key));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(row).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /**
     * Two Micro instances clustered on loopback: the pool mail/Office365 has tokenCache=JCACHE, so the second instance
     * sends with the Graph token the first one fetched, and the stand-in sees no second token request. And the pool
     * mail/ClusterPaced (limitsScope=CLUSTER, messagesPerMinute=4, graphMaxConcurrentRequests=1) keeps its mailbox's
     * limits for both instances together.
     */
    @Test
    void aSecondClusteredInstanceSendsWithTheTokenTheFirstFetchedAndKeepsTheMailboxsLimitsWithIt() throws Exception {
        assertEquals(200, send("mail/Office365", "IT cluster first instance", "a", 0, 0).statusCode());
        long graphTokens = sandbox.tokenRequests().count(SandboxEndpoints.GRAPH_URL);
        assertTrue(graphTokens >= 1);
        try (SecondMicroInstance second = SecondMicroInstance.start(APPLICATION)) {
            URI secondServer = second.awaitReady(Duration.ofSeconds(240));
            assertTrue(second.joinedClusterOfTwo(), "the second instance joined the first one's data grid");
            HttpResponse<String> sent = send(secondServer, "mail/Office365", "", "IT cluster second instance", "b",
                    0, 0);
            assertEquals(200, sent.statusCode(), sent.body());
            assertEquals(SandboxDefaults.SENDER, delivered("IT cluster second instance").mailbox());
            assertEquals(graphTokens, sandbox.tokenRequests().count(SandboxEndpoints.GRAPH_URL),
                    "the second instance fetched no Graph token of its own");
            bothInstancesTogetherKeepTheMailboxsPaceAndConcurrency(secondServer);
        }
    }

    /**
     * Eight messages from one mailbox, four through each instance, all at once, with the pace at 4 a minute and one
     * Graph request at a time: each instance alone would let its four go at once (eight within a second, two at a
     * time); together they keep to four in any 60 s and one at a time.
     */
    private void bothInstancesTogetherKeepTheMailboxsPaceAndConcurrency(URI secondServer) throws Exception {
        // Each request takes a while, so that two at once would show.
        sandbox.graphLatency(Duration.ofMillis(300));
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<HttpResponse<String>>> sends = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                URI server = i % 2 == 0 ? URI.create(base.toString()) : secondServer;
                String subject = "IT paced " + i;
                sends.add(senders.submit(() -> send(server, "mail/ClusterPaced", "", subject, "x", 0, 0)));
            }
            for (java.util.concurrent.Future<HttpResponse<String>> sent : sends) {
                HttpResponse<String> response = sent.get(5, java.util.concurrent.TimeUnit.MINUTES);
                assertEquals(200, response.statusCode(), response.body());
            }
        } finally {
            senders.shutdownNow();
            sandbox.graphLatency(Duration.ZERO);
        }
        List<java.time.Instant> arrivals = sandbox.outbox().messages().stream()
                .filter(m -> m.subject().startsWith("IT paced ")).map(DeliveredMessage::receivedAt).sorted().toList();
        assertEquals(8, arrivals.size());
        for (int i = 0; i + 4 < arrivals.size(); i++) {
            Duration apart = Duration.between(arrivals.get(i), arrivals.get(i + 4));
            assertTrue(apart.compareTo(Duration.ofSeconds(60)) >= 0, "at most 4 in any 60 s from the cluster: "
                    + "arrivals " + i + " and " + (i + 4) + " only " + apart + " apart; " + arrivals);
        }
        assertEquals(1, sandbox.mostGraphRequestsAtOnce(PACED_MAILBOX), "one request at a time from the cluster");
    }

    /**
     * What the data grid holds for mail/Office365 (tokenCache=JCACHE), read directly from the server's JCache: sealed
     * entries, no token a member of the grid could use.
     */
    @Test
    void theClustersSharedCacheHoldsNoReadableToken() throws Exception {
        assertEquals(200, send("mail/Office365", "IT sealed cache", "c", 0, 0).statusCode());
        HttpResponse<String> entries = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(base.toString()).resolve("/mail-it/shared-token-cache")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, entries.statusCode(), entries.body());
        List<String> lines = entries.body().lines().filter(l -> !l.isBlank()).toList();
        assertFalse(lines.isEmpty(), "the pool shared its token: " + entries.body());
        for (String line : lines) {
            String value = line.substring(line.indexOf(" = ") + 3);
            assertTrue(value.startsWith("v1:"), "sealed: " + line);
            assertFalse(value.contains("eyJ"), "no JWT in the grid: " + line);
        }
    }

    @Test
    void aFactoryWithoutTenantIdNamesThePropertyAndSendsNothing() throws Exception {
        HttpResponse<String> response = send("java:app/mail/NoTenant", "IT no tenant", "never", 0, 0);
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("tenantId is required"), response.body());
        assertTrue(sandbox.outbox().withSubject("IT no tenant").isEmpty());
    }

    @Test
    void aWrongSecretReportsEntrasErrorAndSendsNothing() throws Exception {
        HttpResponse<String> response = send("java:app/mail/WrongSecret", "IT wrong secret", "never", 0, 0);
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("AADSTS7000215"), response.body());
        assertTrue(response.body().contains("Check clientSecret"), response.body());
        assertFalse(response.body().contains("not-the-secret-42"), "the secret must not leak: " + response.body());
        assertTrue(sandbox.outbox().withSubject("IT wrong secret").isEmpty());
    }
}
