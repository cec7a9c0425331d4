package org.m365mail.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.m365mail.sandbox.M365Sandbox;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * A stand-in for a test class: started before its tests, stopped after them, and with an empty outbox, token log and
 * fault queues before each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-graph");
 * }</pre>
 */
public final class SandboxExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private final Path workDir;
    private final UnaryOperator<M365Sandbox.Builder> customizer;
    private M365Sandbox sandbox;

    public SandboxExtension(String workDir) {
        this(workDir, UnaryOperator.identity());
    }

    /** With {@code customizer} setting more of the stand-in (a clock, a latency). */
    public SandboxExtension(String workDir, UnaryOperator<M365Sandbox.Builder> customizer) {
        this.workDir = Path.of(workDir);
        this.customizer = customizer;
    }

    public M365Sandbox get() {
        return sandbox;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        sandbox = customizer.apply(M365Sandbox.builder().workDir(workDir)).start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        sandbox.outbox().clear();
        sandbox.tokenRequests().clear();
        sandbox.graphFaults().clear();
        sandbox.tokenFaults().clear();
        sandbox.clearGraphDrafts();
        sandbox.smtpFaults().clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        sandbox.close();
    }

    /**
     * Waits, at most {@code bound}, until the stand-in handles no request (a slow, late or stalled answer included),
     * so that everything that will arrive has arrived.
     */
    public void awaitIdle(java.time.Duration bound) throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        while (sandbox.requestsInProgress() > 0) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the stand-in still handles " + sandbox.requestsInProgress()
                        + " requests after " + bound);
            }
            Thread.sleep(10);
        }
    }
}
