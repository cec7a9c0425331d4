package org.m365mail.it.ear;

import org.m365mail.sandbox.M365Sandbox;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the stand-in listens during the integration tests: ports reserved by the build, so that resource
 * definitions, which are fixed at compile or deploy time, can name them.
 */
public final class SandboxEndpoints {

    public static final int LOGIN_PORT = ${sandbox.login.port};
    public static final int GRAPH_PORT = ${sandbox.graph.port};
    public static final int SMTP_PORT = ${sandbox.smtp.port};
    public static final String AUTHORITY_URL = "https://127.0.0.1:" + LOGIN_PORT;
    public static final String GRAPH_URL = "https://127.0.0.1:" + GRAPH_PORT;
    public static final String TRUST_STORE = "${project.build.directory}/sandbox/sandbox-truststore.p12";

    private SandboxEndpoints() {
    }

    /** Starts the stand-in on these ports, in the build's sandbox work directory; the caller closes it. */
    public static M365Sandbox startSandbox() throws IOException {
        return M365Sandbox.builder()
                .workDir(Path.of(System.getProperty("sandbox.workDir")))
                .loginPort(LOGIN_PORT)
                .graphPort(GRAPH_PORT)
                .smtpPort(SMTP_PORT)
                .start();
    }
}
