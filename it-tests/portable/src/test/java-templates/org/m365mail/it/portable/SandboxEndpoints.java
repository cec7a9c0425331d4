package org.m365mail.it.portable;

import org.m365mail.sandbox.M365Sandbox;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the stand-in listens during the portable suite: ports reserved by the build, so that each server's
 * configuration (asadmin, jboss-cli, server.xml), made before the server starts, can name them.
 */
public final class SandboxEndpoints {

    public static final int LOGIN_PORT = ${sandbox.login.port};
    public static final int GRAPH_PORT = ${sandbox.graph.port};
    public static final int SMTP_PORT = ${sandbox.smtp.port};

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
