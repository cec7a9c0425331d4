package org.m365mail.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * Runs the stand-in as a command for the demo:
 * {@code java -jar m365-sandbox-standalone.jar --work-dir DIR [--login-port N] [--graph-port N] [--smtp-port N]
 * [--viewer-port N] [--identity-port N]}. It writes {@code DIR/sandbox.properties} with the connector settings to use and runs until
 * stopped.
 */
public final class SandboxMain {

    private static final Logger LOG = Logger.getLogger(SandboxMain.class.getName());

    private SandboxMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        Path workDir = Path.of(options.getOrDefault("work-dir", "sandbox-run"));
        M365Sandbox sandbox = M365Sandbox.builder()
                .workDir(workDir)
                .loginPort(Integer.parseInt(options.getOrDefault("login-port", "0")))
                .graphPort(Integer.parseInt(options.getOrDefault("graph-port", "0")))
                .smtpPort(Integer.parseInt(options.getOrDefault("smtp-port", "0")))
                .viewerPort(Integer.parseInt(options.getOrDefault("viewer-port", "0")))
                .managedIdentityPort(Integer.parseInt(options.getOrDefault("identity-port", "0")))
                .start();
        String settings = String.join("\n",
                "authorityUrl=" + sandbox.authorityUrl(),
                "graphUrl=" + sandbox.graphUrl(),
                "smtpHost=" + sandbox.smtpHost(),
                "smtpPort=" + sandbox.smtpPort(),
                "trustStorePath=" + sandbox.trustStorePath().toAbsolutePath(),
                "trustStorePassword=" + sandbox.trustStorePassword(),
                "tenantId=" + SandboxDefaults.TENANT_ID,
                "clientId=" + SandboxDefaults.CLIENT_ID,
                "clientSecret=" + SandboxDefaults.CLIENT_SECRET,
                "fromAddress=" + SandboxDefaults.SENDER,
                "recipient=" + SandboxDefaults.RECIPIENT,
                "viewerUrl=" + sandbox.viewerUrl(),
                "identityEndpoint=" + sandbox.identityEndpoint(),
                "identityHeader=" + SandboxDefaults.IDENTITY_HEADER, "");
        Path properties = workDir.resolve("sandbox.properties");
        Files.writeString(properties, settings);
        LOG.info(() -> "Sandbox settings written to " + properties.toAbsolutePath());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sandbox.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
