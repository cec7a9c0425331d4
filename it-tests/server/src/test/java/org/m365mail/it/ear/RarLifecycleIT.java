package org.m365mail.it.ear;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.m365mail.auth.EncryptedFileRefreshTokenStore;
import org.m365mail.config.Secret;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.SandboxDirectory;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standalone RAR on full Payara Server, driven by the server's own tools: {@code asadmin ping-connection-pool}
 * tells a working pool from each kind of broken one with the connector's message, and an undeployed RAR leaves no
 * thread and no class behind, then deploys again and works.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RarLifecycleIT {

    private static final String RAR = "m365-mail-connector";
    private static final Path WORK = Path.of(System.getProperty("sandbox.workDir")).resolveSibling("rar-lifecycle");
    private static M365Sandbox sandbox;

    @Deployment(testable = false)
    static WebArchive application() throws Exception {
        sandbox = SandboxEndpoints.startSandbox();
        // Arquillian needs an archive; the RAR is the administrator's, deployed with asadmin below.
        return ShrinkWrap.create(WebArchive.class, "rar-lifecycle-it.war")
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        Asadmin.run("undeploy", "--cascade=true", RAR);
        if (sandbox != null) {
            sandbox.close();
        }
    }

    /** A pool as the README's asadmin commands make it, on the stand-in. */
    private static Map<String, String> pool(String transport) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("transport", transport);
        p.put("tenantId", SandboxDefaults.TENANT_ID);
        p.put("clientId", SandboxDefaults.CLIENT_ID);
        p.put("clientSecret", SandboxDefaults.CLIENT_SECRET);
        p.put("fromAddress", SandboxDefaults.SENDER);
        p.put("authorityUrl", SandboxEndpoints.AUTHORITY_URL);
        p.put("graphUrl", SandboxEndpoints.GRAPH_URL);
        p.put("smtpHost", "127.0.0.1");
        p.put("smtpPort", String.valueOf(SandboxEndpoints.SMTP_PORT));
        p.put("trustStorePath", SandboxEndpoints.TRUST_STORE);
        p.put("trustStorePassword", SandboxDefaults.TRUST_STORE_PASSWORD);
        return p;
    }

    private static void create(String name, Map<String, String> properties) throws Exception {
        Asadmin.Result created = Asadmin.run("create-connector-connection-pool", "--raname", RAR,
                "--connectiondefinition", "org.m365mail.api.MailConnectionFactory", "--steadypoolsize", "0",
                "--maxpoolsize", "3", "--property", Asadmin.properties(properties), name);
        assertTrue(created.succeeded(), created.output());
    }

    /** The lines of a live class histogram (a full GC first) that name a class of the connector. */
    private static String liveObjectsOfTheConnector() throws Exception {
        StringBuilder found = new StringBuilder();
        for (String line : Asadmin.jcmd("GC.class_histogram").output().split("\n")) {
            if (line.contains("org.m365mail.")) {
                found.append(line.trim()).append('\n');
            }
        }
        return found.toString();
    }

    private static Asadmin.Result ping(String name) throws Exception {
        return Asadmin.run("ping-connection-pool", name);
    }

    private static void deployRar() throws Exception {
        Asadmin.Result deployed = Asadmin.run("deploy", "--name", RAR, System.getProperty("m365.rar"));
        assertTrue(deployed.succeeded(), deployed.output());
    }

    @Test
    @Order(1)
    void pingTellsAWorkingPoolFromEachKindOfBrokenOne() throws Exception {
        deployRar();
        create("PingGraph", pool("GRAPH"));
        Asadmin.Result graph = ping("PingGraph");
        assertTrue(graph.succeeded(), graph.output());
        create("PingSmtp", pool("SMTP"));
        Asadmin.Result smtp = ping("PingSmtp");
        assertTrue(smtp.succeeded(), smtp.output());
        int loginsAfterPing = sandbox.smtpLogins();
        assertTrue(loginsAfterPing >= 1, "the SMTP ping signed in");

        // The administrator's path with a password alias (the build made m365-client-secret): asadmin takes the
        // ${ALIAS=...} text as it is, Payara resolves it for the connector; a misspelt alias reaches the connector
        // unresolved and is refused, naming the property and the alias, not sent to Entra as a secret.
        Map<String, String> aliased = pool("GRAPH");
        aliased.put("clientSecret", "${ALIAS=m365-client-secret}");
        create("PingAlias", aliased);
        Asadmin.Result alias = ping("PingAlias");
        assertTrue(alias.succeeded(), alias.output());
        // The escaped form the README shows, because GlassFish 7 refuses an unescaped '=' in a --property value
        // ("Invalid property syntax"): Payara takes it too, and stores the reference unescaped, so it resolves.
        Map<String, String> escaped = pool("GRAPH");
        escaped.remove("clientSecret");
        Asadmin.Result escapedCreated = Asadmin.run("create-connector-connection-pool", "--raname", RAR,
                "--connectiondefinition", "org.m365mail.api.MailConnectionFactory", "--steadypoolsize", "0",
                "--property", Asadmin.properties(escaped) + ":clientSecret=${ALIAS\\=m365-client-secret}",
                "PingAliasEscaped");
        assertTrue(escapedCreated.succeeded(), escapedCreated.output());
        Asadmin.Result stored = Asadmin.run("get",
                "resources.connector-connection-pool.PingAliasEscaped.property.clientSecret");
        assertTrue(stored.output().contains("clientSecret=${ALIAS=m365-client-secret}"), stored.output());
        Asadmin.Result escapedPing = ping("PingAliasEscaped");
        assertTrue(escapedPing.succeeded(), escapedPing.output());
        Map<String, String> misspelt = pool("GRAPH");
        misspelt.put("clientSecret", "${ALIAS=m365-client-secert}");
        create("PingMisspeltAlias", misspelt);
        int tokenRequests = sandbox.tokenRequests().entries().size();
        Asadmin.Result unresolved = ping("PingMisspeltAlias");
        assertFalse(unresolved.succeeded(), unresolved.output());
        assertTrue(unresolved.output().contains("clientSecret names the password alias 'm365-client-secert', which "
                + "this server does not have") && unresolved.output().contains("asadmin create-password-alias"),
                unresolved.output());
        assertEquals(tokenRequests, sandbox.tokenRequests().entries().size(), "nothing was sent to Entra");

        Map<String, String> wrongSecret = pool("GRAPH");
        wrongSecret.put("clientSecret", "not-the-secret-42");
        create("PingWrongSecret", wrongSecret);
        Asadmin.Result secret = ping("PingWrongSecret");
        assertFalse(secret.succeeded(), secret.output());
        assertTrue(secret.output().contains("AADSTS7000215") && secret.output().contains("Check clientSecret"),
                secret.output());
        assertFalse(secret.output().contains("not-the-secret-42"), "the secret is not repeated: " + secret.output());

        SandboxDirectory.App app = sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow()
                .app(SandboxDefaults.CLIENT_ID).orElseThrow();
        app.revoke(SandboxDirectory.Resource.EXCHANGE, "SMTP.SendAsApp");
        try {
            create("PingNoRole", pool("SMTP"));
            Asadmin.Result noRole = ping("PingNoRole");
            assertFalse(noRole.succeeded(), noRole.output());
            assertTrue(noRole.output().contains("carries no SMTP.SendAsApp permission")
                    && noRole.output().contains("Grant admin consent"), noRole.output());
        } finally {
            app.grant(SandboxDirectory.Resource.EXCHANGE, "SMTP.SendAsApp");
        }

        Map<String, String> unknownMailbox = pool("SMTP");
        unknownMailbox.put("fromAddress", "nobody@contoso.test");
        create("PingUnknownMailbox", unknownMailbox);
        Asadmin.Result mailbox = ping("PingUnknownMailbox");
        assertFalse(mailbox.succeeded(), mailbox.output());
        assertTrue(mailbox.output().contains("refused the sign-in of nobody@contoso.test")
                && mailbox.output().contains("535 5.7.3"), mailbox.output());

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> unreachable = pool("SMTP");
        unreachable.put("smtpPort", String.valueOf(closedPort));
        create("PingUnreachable", unreachable);
        Asadmin.Result host = ping("PingUnreachable");
        assertFalse(host.succeeded(), host.output());
        assertTrue(host.output().contains("Cannot open an SMTP connection to 127.0.0.1:" + closedPort), host.output());

        Map<String, String> untrusted = pool("GRAPH");
        untrusted.remove("trustStorePath");
        untrusted.remove("trustStorePassword");
        create("PingUntrusted", untrusted);
        Asadmin.Result tls = ping("PingUntrusted");
        assertFalse(tls.succeeded(), tls.output());
        assertTrue(tls.output().contains("the server's certificate is not trusted: add its issuer to trustStorePath"),
                tls.output());
    }

    /**
     * A certificate pool (its expiry watch) and a delegated pool (its keep-alive, its SMTP session) in use; then the
     * RAR is undeployed: no thread of the connector is left, and nothing reaches its class loader any more (no object
     * of its classes is alive after a full GC); deployed again, it works.
     */
    @Test
    @Order(2)
    void anUndeployedRarLeavesNoThreadNorClassBehindAndDeploysAgain() throws Exception {
        Files.createDirectories(WORK);
        Path certificate = WORK.resolve("app.p12");
        sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID)
                .orElseThrow().addCertificate(SelfSignedCertificate.create(certificate, "rar-lifecycle",
                        "lifecycle-pw"));

        Map<String, String> signed = pool("GRAPH");
        signed.remove("clientSecret");
        signed.put("certificatePath", certificate.toString());
        signed.put("certificatePassword", "lifecycle-pw");
        create("LifecycleCertificate", signed);

        Path consents = WORK.resolve("consents.json");
        Files.deleteIfExists(consents);
        String storeKey = (SandboxDefaults.TENANT_ID + "|" + SandboxDefaults.CLIENT_ID + "|" + SandboxDefaults.USER)
                .toLowerCase(Locale.ROOT);
        new EncryptedFileRefreshTokenStore(consents, Secret.of("lifecycle store key, 16+")).save(storeKey,
                sandbox.consent(SandboxDefaults.USER, "https://outlook.office.com/SMTP.Send"));
        Map<String, String> delegated = pool("SMTP");
        delegated.put("authentication", "DELEGATED");
        delegated.put("fromAddress", SandboxDefaults.USER);
        delegated.put("tokenStoreFile", consents.toString());
        delegated.put("tokenStoreKey", "lifecycle store key, 16+");
        create("LifecycleDelegated", delegated);

        for (String pool : new String[]{"LifecycleCertificate", "LifecycleDelegated"}) {
            Asadmin.Result pinged = ping(pool);
            assertTrue(pinged.succeeded(), pool + ": " + pinged.output());
        }
        String threads = Asadmin.jcmd("Thread.print").output();
        assertTrue(threads.contains("\"m365-mail-"), "the connector runs its threads while deployed");

        assertTrue(liveObjectsOfTheConnector().contains("org.m365mail.config.Cloud"),
                "while deployed, the connector's objects (its enums' constants at least) are alive");

        Asadmin.Result undeployed = Asadmin.run("undeploy", "--cascade=true", RAR);
        assertTrue(undeployed.succeeded(), undeployed.output());
        String leftThreads = "";
        String leftObjects = "?";
        for (int i = 0; i < 20 && (!leftObjects.isEmpty() || leftThreads.contains("\"m365-mail-")); i++) {
            Thread.sleep(500);
            leftThreads = Asadmin.jcmd("Thread.print").output();
            leftObjects = liveObjectsOfTheConnector();
        }
        assertFalse(leftThreads.contains("\"m365-mail-"), "no thread of the connector outlives its undeployment");
        if (!leftObjects.isEmpty()) {
            // For whoever investigates: what keeps the class loader is in this dump.
            Asadmin.jcmd("GC.heap_dump", WORK.resolve("leak.hprof").toString());
        }
        // A class loader that something still reaches keeps its classes' static state, such as the constants of the
        // connector's enums, alive: none left means nothing keeps the undeployed RAR's class loader.
        assertEquals("", leftObjects, "no object of the undeployed connector is reachable");

        deployRar();
        create("Redeployed", pool("GRAPH"));
        Asadmin.Result again = ping("Redeployed");
        assertTrue(again.succeeded(), again.output());
    }
}
