package org.m365mail.monitor;

import java.util.List;
import java.util.Map;

/**
 * A pool's state and counts over JMX ({@code org.m365mail:type=MailConnectionFactory,name=...}), for servers without
 * MicroProfile Health and Metrics. Reading asks no server.
 */
public interface PoolMXBean {

    /** @return the pool's mailbox, transport, tenant, client, and the names it is known by */
    String getDescription();

    /** @return {@code UP} or {@code DOWN} */
    String getState();

    /** @return why the pool is DOWN, or an empty string */
    String getReason();

    long getSent();

    /** @return failed messages by reason */
    Map<String, Long> getFailed();

    long getRetried();

    long getThrottledWaits();

    long getTokenRequests();

    long getTokenRefreshes();

    /** @return the mean time of a successful send, in milliseconds */
    double getMeanSendMillis();

    double getLongestSendMillis();

    /** @return each credential with its expiry, e.g. {@code client secret expires 2027-06-30T00:00:00Z} */
    List<String> getCredentialExpiries();
}
