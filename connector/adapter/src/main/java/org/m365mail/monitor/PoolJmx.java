package org.m365mail.monitor;

import org.m365mail.admin.MetricsSnapshot;
import org.m365mail.admin.PoolStatus;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes a pool's {@link PoolMXBean} on the platform MBean server while the deployment lives; closed with the
 * deployment's runtime, so an undeployed RAR leaves no MBean (and no class of its) behind.
 */
public final class PoolJmx implements PoolMXBean, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PoolJmx.class.getName());

    private final PoolMonitor monitor;
    private final ObjectName name;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    private PoolJmx(PoolMonitor monitor, ObjectName name) {
        this.monitor = monitor;
        this.name = name;
    }

    /**
     * Registers {@code monitor} as {@code org.m365mail:type=MailConnectionFactory,name="<mailbox> <transport>",
     * deployment=<deployment>,id=<key>}; logs and carries on if the server refuses.
     *
     * @param key what tells this pool from another of the same mailbox and transport (a digest of its settings)
     */
    public static PoolJmx register(PoolMonitor monitor, String mailboxAndTransport, String deployment, String key) {
        PoolJmx jmx = null;
        try {
            ObjectName name = new ObjectName("org.m365mail:type=MailConnectionFactory,name="
                    + ObjectName.quote(mailboxAndTransport) + ",deployment=" + ObjectName.quote(deployment) + ",id="
                    + key);
            jmx = new PoolJmx(monitor, name);
            jmx.server.registerMBean(jmx, name);
        } catch (InstanceAlreadyExistsException e) {
            LOG.fine(() -> "M365MAIL-6102 An MBean for " + mailboxAndTransport + " is registered already");
        } catch (JMException | RuntimeException e) {
            LOG.log(Level.FINE, "M365MAIL-6103 The pool's MBean could not be registered: " + e, e);
        }
        return jmx;
    }

    @Override
    public void close() {
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException gone) {
            // Never registered, or already removed.
        } catch (JMException e) {
            LOG.log(Level.FINE, "M365MAIL-6104 The pool's MBean could not be unregistered: " + e, e);
        }
    }

    @Override
    public String getDescription() {
        return monitor.description();
    }

    @Override
    public String getState() {
        return monitor.status().state();
    }

    @Override
    public String getReason() {
        String reason = monitor.status().reason();
        return reason == null ? "" : reason;
    }

    @Override
    public long getSent() {
        return snapshot().sent();
    }

    @Override
    public Map<String, Long> getFailed() {
        return snapshot().failed();
    }

    @Override
    public long getRetried() {
        return snapshot().retried();
    }

    @Override
    public long getThrottledWaits() {
        return snapshot().throttledWaits();
    }

    @Override
    public long getTokenRequests() {
        return snapshot().tokenRequests();
    }

    @Override
    public long getTokenRefreshes() {
        return snapshot().tokenRefreshes();
    }

    @Override
    public double getMeanSendMillis() {
        MetricsSnapshot s = snapshot();
        return s.sent() == 0 ? 0 : s.sendTime().toNanos() / 1e6 / s.sent();
    }

    @Override
    public double getLongestSendMillis() {
        return snapshot().longestSend().toNanos() / 1e6;
    }

    @Override
    public List<String> getCredentialExpiries() {
        PoolStatus status = monitor.status();
        return status.expiries().stream().map(e -> e.credential() + " expires " + e.expires()).toList();
    }

    private MetricsSnapshot snapshot() {
        return monitor.metrics().snapshot();
    }
}
