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

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in Payara Micro, over real HTTP: nothing without the server's sign-in and the administrator role,
 * nothing state-changing without the CSRF token, no request value in a JNDI lookup, and a delegated consent only from
 * the configured account.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConsoleSecurityIT {

    private static M365Sandbox sandbox;

    /** A request to the console: method, path, form pairs. */
    private record Call(String method, String path, String... form) {
        HttpResponse<String> by(ConsoleClient client) throws Exception {
            return method.equals("GET") ? client.get(path) : client.post(path, null, form);
        }
    }

    /** Every URL of the console, with what would change something if it were let through. */
    private static final List<Call> EVERY_URL = List.of(
            new Call("GET", ""),
            new Call("GET", "index.html"),
            new Call("GET", "assistant.html"),
            new Call("GET", "console.js"),
            new Call("GET", "api/factories"),
            new Call("GET", "api/factories/detail?jndiName=mail/Office365"),
            new Call("POST", "api/check-setup", "jndiName", "mail/Office365"),
            new Call("GET", "api/setup-script?tenantId=" + SandboxDefaults.TENANT_ID + "&clientId="
                    + SandboxDefaults.CLIENT_ID + "&objectId=0e7d3c4b-91a2-4f5e-8b6c-d2a1f3e4b5c6&mailboxes="
                    + SandboxDefaults.SENDER),
            new Call("POST", "api/test-mail", "jndiName", "mail/Office365", "to", SandboxDefaults.RECIPIENT,
                    "subject", "IT console intruder"),
            new Call("GET", "consent"),
            new Call("GET", "consent?jndiName=mail/Delegated"),
            new Call("POST", "consent/connect", "jndiName", "mail/Delegated"),
            new Call("GET", "consent/callback?code=0.AXcode-guess&state=guess"),
            new Call("POST", "consent/reset", "jndiName", "mail/Delegated"),
            new Call("GET", "console.css"),
            new Call("GET", "no-such-page"));

    @Deployment(testable = false)
    static WebArchive application() throws IOException {
        // The stand-in must be up before Micro boots: the pools read its trust store.
        sandbox = SandboxEndpoints.startSandbox();
        sandbox.directory().tenant(SandboxDefaults.TENANT_ID).orElseThrow().app(SandboxDefaults.CLIENT_ID)
                .orElseThrow().addRedirectUri(ConsoleClient.CONSOLE.resolve("consent/callback").toString());
        // The console is deployed by the post-boot commands; Arquillian needs an archive of its own.
        return ShrinkWrap.create(WebArchive.class, "console-it.war")
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    @AfterAll
    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    /** Connects mail/Delegated through the console, signing in at the stand-in as {@code user}. */
    private static HttpResponse<String> connect(ConsoleClient admin, String user, String password) throws Exception {
        String page = admin.get("consent?jndiName=mail/Delegated").body();
        HttpResponse<String> toMicrosoft = admin.post("consent/connect", ConsoleClient.formCsrf(page),
                "jndiName", "mail/Delegated");
        assertEquals(303, toMicrosoft.statusCode(), toMicrosoft.body());
        URI signIn = URI.create(toMicrosoft.headers().firstValue("Location").orElseThrow());
        assertTrue(signIn.toString().startsWith(SandboxEndpoints.AUTHORITY_URL), signIn.toString());
        assertTrue(signIn.getRawQuery().contains("redirect_uri=" + ConsoleClient.enc(
                ConsoleClient.CONSOLE.resolve("consent/callback").toString())), "the configured redirect URI");
        HttpResponse<String> back = admin.postTo(signIn, "login=" + ConsoleClient.enc(user) + "&passwd="
                + ConsoleClient.enc(password) + "&action=accept");
        assertEquals(302, back.statusCode(), back.body());
        return admin.get(URI.create(back.headers().firstValue("Location").orElseThrow()));
    }

    private static String status(ConsoleClient admin) throws Exception {
        return admin.get("consent?jndiName=mail/Delegated").body();
    }

    private static void reset(ConsoleClient admin) throws Exception {
        HttpResponse<String> reset = admin.post("consent/reset", admin.csrf(), "jndiName", "mail/Delegated");
        assertEquals(200, reset.statusCode(), reset.body());
    }

    @Test
    void withoutSignInOrWithoutTheRoleNothingAnswersAndNothingHappens() throws Exception {
        ConsoleClient admin = ConsoleClient.signedInAs(ConsoleClient.ADMIN, sandbox.clientSslContext());
        reset(admin);
        HttpResponse<String> connected = connect(admin, SandboxDefaults.USER, SandboxDefaults.USER_PASSWORD);
        assertEquals(303, connected.statusCode(), connected.body());
        assertTrue(status(admin).contains("Connected: mail is sent as " + SandboxDefaults.USER));

        for (Call call : EVERY_URL) {
            HttpResponse<String> anonymous = call.by(ConsoleClient.anonymous());
            assertEquals(401, anonymous.statusCode(), call.method() + " " + call.path() + " without sign-in");
            assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"),
                    "the server asks for its sign-in: " + call.path());
            assertFalse(anonymous.body().contains("mail/Office365"), "no detail to strangers: " + anonymous.body());

            HttpResponse<String> staff = call.by(ConsoleClient.signedInAs(ConsoleClient.STAFF));
            assertEquals(403, staff.statusCode(), call.method() + " " + call.path() + " without the role");
        }
        assertTrue(sandbox.outbox().withSubject("IT console intruder").isEmpty(), "nothing was sent");
        assertTrue(status(admin).contains("Connected: mail is sent as " + SandboxDefaults.USER), "nothing was reset");
    }

    @Test
    void stateChangesNeedTheSessionsCsrfToken() throws Exception {
        ConsoleClient admin = ConsoleClient.signedInAs(ConsoleClient.ADMIN, sandbox.clientSslContext());
        reset(admin);
        assertEquals(303, connect(admin, SandboxDefaults.USER, SandboxDefaults.USER_PASSWORD).statusCode());
        String token = admin.csrf();
        String otherSessionsToken = ConsoleClient.signedInAs(ConsoleClient.ADMIN).csrf();

        for (String presented : new String[]{null, "", "forged-" + token, otherSessionsToken}) {
            HttpResponse<String> api = admin.post("api/test-mail", presented, "jndiName", "mail/Office365",
                    "to", SandboxDefaults.RECIPIENT, "subject", "IT console forged");
            assertEquals(403, api.statusCode(), api.body());
            assertTrue(api.body().contains("CSRF"), api.body());
            assertEquals(403, admin.post("api/check-setup", presented, "jndiName", "mail/Office365").statusCode());
            assertEquals(403, admin.post("consent/reset", presented, "jndiName", "mail/Delegated").statusCode());
            assertEquals(403, admin.post("consent/connect", presented, "jndiName", "mail/Delegated").statusCode());
        }
        assertTrue(sandbox.outbox().withSubject("IT console forged").isEmpty(), "nothing was sent");
        assertTrue(status(admin).contains("Connected: mail is sent as " + SandboxDefaults.USER), "nothing was reset");

        HttpResponse<String> sent = admin.post("api/test-mail", token, "jndiName", "mail/Office365",
                "to", SandboxDefaults.RECIPIENT, "subject", "IT console with token");
        assertEquals(200, sent.statusCode(), sent.body());
        assertTrue(sent.body().contains("\"sent\":true"), sent.body());
        assertTrue(sandbox.outbox().await(m -> "IT console with token".equals(m.subject()),
                java.time.Duration.ofSeconds(10)).isPresent());
    }

    @Test
    void answersCarryTheSecurityHeaders() throws Exception {
        ConsoleClient admin = ConsoleClient.signedInAs(ConsoleClient.ADMIN);
        for (String path : new String[]{"", "api/factories", "consent", "console.css"}) {
            HttpResponse<String> response = admin.get(path);
            assertEquals(200, response.statusCode(), path);
            String csp = response.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), path + ": " + csp);
            assertEquals("DENY", response.headers().firstValue("X-Frame-Options").orElse(""), path);
            assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""), path);
            assertEquals("no-referrer", response.headers().firstValue("Referrer-Policy").orElse(""), path);
        }
        for (String path : new String[]{"assistant.html", "console.js", "api/factories/detail?jndiName=mail/Office365"}) {
            HttpResponse<String> response = admin.get(path);
            assertEquals(200, response.statusCode(), path);
            assertTrue(response.headers().firstValue("Content-Security-Policy").orElse("")
                    .contains("default-src 'none'"), path);
        }
        String list = admin.get("api/factories").body();
        assertTrue(list.contains("mail/Office365") && list.contains("mail/Office365Smtp"),
                "the server's factories are offered: " + list);
        String csp = admin.get("").headers().firstValue("Content-Security-Policy").orElse("");
        assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
        // The pages load their script from the console itself; none is written into a page.
        for (String page : new String[]{"", "assistant.html"}) {
            String html = admin.get(page).body();
            assertTrue(html.contains("<script type=\"module\" src=\"console.js\"></script>"), html);
            assertFalse(html.replace("<script type=\"module\" src=\"console.js\"></script>", "").contains("<script"),
                    "no inline script: " + page);
        }
        String detail = admin.get("api/factories/detail?jndiName=mail/Office365").body();
        assertTrue(detail.contains("\"clientSecret\"") && detail.contains("\"value\":\"(set)\""), detail);
        assertFalse(detail.contains(SandboxDefaults.CLIENT_SECRET), "no secret in the API: " + detail);
    }

    /**
     * A name that is no factory of the server's is refused before any lookup: a listener where an LDAP, RMI, IIOP or
     * DNS server would be sees no connection.
     */
    @Test
    void namesThatAreNotTheServersFactoriesAreNeverLookedUp() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.start();
            int port = listener.getLocalPort();
            ConsoleClient admin = ConsoleClient.signedInAs(ConsoleClient.ADMIN);
            String token = admin.csrf();
            for (String name : new String[]{"ldap://127.0.0.1:" + port + "/o=x", "ldaps://127.0.0.1:" + port + "/o=x",
                    "rmi://127.0.0.1:" + port + "/x", "iiop://127.0.0.1:" + port + "/x",
                    "corbaname:iiop:127.0.0.1:" + port + "#x", "dns://127.0.0.1:" + port + "/contoso.test",
                    "java:global/mail/Office365", "mail/NoSuchFactory", "mail"}) {
                HttpResponse<String> api = admin.post("api/test-mail", token, "jndiName", name, "to",
                        SandboxDefaults.RECIPIENT, "subject", "IT console lookup");
                assertEquals(404, api.statusCode(), name + ": " + api.body());
                assertTrue(api.body().contains("No connection factory of this connector is named"), api.body());
                assertTrue(api.body().contains("mail/Office365"), "names the factories there are: " + api.body());
                assertEquals(404, admin.post("api/check-setup", token, "jndiName", name).statusCode(), name);
                assertEquals(404, admin.get("api/factories/detail?jndiName=" + ConsoleClient.enc(name)).statusCode(),
                        name);
                assertEquals(404, admin.post("consent/connect", token, "jndiName", name).statusCode(), name);
                assertEquals(404, admin.post("consent/reset", token, "jndiName", name).statusCode(), name);
                assertEquals(200, admin.get("consent?jndiName=" + ConsoleClient.enc(name)).statusCode(), name);
            }
            // A lookup would have connected while its request was answered; give a late one a second to show.
            for (int i = 0; i < 50 && connections.get() == 0; i++) {
                Thread.sleep(20);
            }
            assertEquals(0, connections.get(), "the server opened no connection for a name from a request");
            new Socket(InetAddress.getLoopbackAddress(), port).close();
            for (int i = 0; i < 50 && connections.get() == 0; i++) {
                Thread.sleep(20);
            }
            assertEquals(1, connections.get(), "the listener counts what reaches it");
        }
        assertTrue(sandbox.outbox().withSubject("IT console lookup").isEmpty());
    }

    @Test
    void aConsentByAnotherAccountThanUsernameIsRefusedAndNothingIsStored() throws Exception {
        ConsoleClient admin = ConsoleClient.signedInAs(ConsoleClient.ADMIN, sandbox.clientSslContext());
        reset(admin);
        HttpResponse<String> refused = connect(admin, SandboxDefaults.OTHER_USER, SandboxDefaults.OTHER_USER_PASSWORD);
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("The account " + SandboxDefaults.OTHER_USER + " signed in, but this "
                + "connection factory sends as " + SandboxDefaults.USER), refused.body());
        assertTrue(status(admin).contains("Not connected: " + SandboxDefaults.USER), "nothing was stored");

        HttpResponse<String> replayed = admin.get("consent/callback?code=0.AXcode-replayed&state=not-this-sessions");
        assertEquals(400, replayed.statusCode());
        assertTrue(replayed.body().contains("did not start in this browser session"), replayed.body());
    }
}
