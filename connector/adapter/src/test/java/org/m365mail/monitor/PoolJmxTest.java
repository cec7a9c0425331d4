package org.m365mail.monitor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.testing.ManualClock;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pool as a JMX console sees it: registered under its names, read through the platform MBean server. */
class PoolJmxTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final ManualClock clock = new ManualClock();
    private final PoolMonitor monitor = new PoolMonitor("notifications@contoso.test over Microsoft Graph",
            Duration.ofSeconds(120), clock);
    /** A deployment name of this test's own, so that tests running side by side do not meet. */
    private final String deployment = "pool-jmx-test-" + UUID.randomUUID();
    private final ObjectName name;
    private PoolJmx jmx;

    PoolJmxTest() throws Exception {
        name = new ObjectName("org.m365mail:type=MailConnectionFactory,name="
                + ObjectName.quote("notifications@contoso.test GRAPH") + ",deployment=" + ObjectName.quote(deployment)
                + ",id=k1");
    }

    @AfterEach
    void close() {
        if (jmx != null) {
            jmx.close();
        }
    }

    private Object attribute(String attribute) throws Exception {
        return server.getAttribute(name, attribute);
    }

    @Test
    void aRegisteredPoolIsReadableUnderItsNameAndGoneOnceClosed() throws Exception {
        jmx = PoolJmx.register(monitor, "notifications@contoso.test GRAPH", deployment, "k1");
        assertNotNull(jmx);
        assertTrue(server.isRegistered(name));
        monitor.knownAs("mail/Office365");
        assertEquals("mail/Office365: notifications@contoso.test over Microsoft Graph", attribute("Description"));
        assertEquals("UP", attribute("State"));
        assertEquals("", attribute("Reason"), "an empty string, not null, when up");
        jmx.close();
        assertFalse(server.isRegistered(name));
        jmx.close();
        jmx = null;
    }

    @Test
    void aSecondPoolUnderTheSameNameIsNotRegisteredAndLeavesTheFirst() throws Exception {
        jmx = PoolJmx.register(monitor, "notifications@contoso.test GRAPH", deployment, "k1");
        PoolMonitor other = new PoolMonitor("other", Duration.ofSeconds(120), clock);
        PoolJmx second = PoolJmx.register(other, "notifications@contoso.test GRAPH", deployment, "k1");
        assertEquals("notifications@contoso.test over Microsoft Graph", attribute("Description"));
        assertEquals("other", second.getDescription(), "still readable by the pool itself");
    }

    @Test
    void aPoolThatCannotSignInIsDownWithTheReason() throws Exception {
        jmx = PoolJmx.register(monitor, "notifications@contoso.test GRAPH", deployment, "k1");
        MailSendException refused = new MailSendException("Entra ID refused the token request", "AADSTS7000215",
                null);
        monitor.tokenFailed(refused, null);
        assertEquals("DOWN", attribute("State"));
        assertEquals("authentication: " + refused.getMessage(), attribute("Reason"));
    }

    @Test
    void theCountsAndSendTimesAreRead() throws Exception {
        jmx = PoolJmx.register(monitor, "notifications@contoso.test GRAPH", deployment, "k1");
        assertEquals(0.0, attribute("MeanSendMillis"), "no send yet: no mean, and no division by zero");
        monitor.sent(Duration.ofMillis(40));
        monitor.sent(Duration.ofNanos(60_500_000));
        monitor.failed(new MailSendException("Recipient not resolved", "ErrorInvalidRecipients", null));
        monitor.retried();
        monitor.retried();
        monitor.retried();
        monitor.throttled(Duration.ofSeconds(1));
        monitor.tokenRequested(false);
        monitor.tokenRequested(true);
        monitor.tokenRequested(true);
        assertEquals(2L, attribute("Sent"));
        assertEquals(3L, attribute("Retried"));
        assertEquals(1L, attribute("ThrottledWaits"));
        assertEquals(3L, attribute("TokenRequests"));
        assertEquals(2L, attribute("TokenRefreshes"));
        assertEquals(50.25, (double) attribute("MeanSendMillis"), 1e-9);
        assertEquals(60.5, (double) attribute("LongestSendMillis"), 1e-9);
        Map<String, Long> failed = new HashMap<>();
        for (Object row : ((TabularData) attribute("Failed")).values()) {
            CompositeData entry = (CompositeData) row;
            failed.put((String) entry.get("key"), (Long) entry.get("value"));
        }
        assertEquals(1L, failed.get("rejected"));
        assertEquals(0L, failed.get("authentication"));
    }

    @Test
    void theCredentialsAreListedWithTheirExpirySoonestFirst() throws Exception {
        jmx = PoolJmx.register(monitor, "notifications@contoso.test GRAPH", deployment, "k1");
        monitor.expiry("client secret", "client secret", Instant.parse("2027-06-30T00:00:00Z"), false);
        monitor.expiry("certificate", "certificate CN=mailer", Instant.parse("2027-01-31T00:00:00Z"), false);
        assertEquals(List.of("certificate CN=mailer expires 2027-01-31T00:00:00Z",
                "client secret expires 2027-06-30T00:00:00Z"), Arrays.asList((String[]) attribute("CredentialExpiries")));
    }
}
