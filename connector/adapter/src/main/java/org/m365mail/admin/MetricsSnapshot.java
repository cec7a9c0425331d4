package org.m365mail.admin;

import java.time.Duration;
import java.util.Map;

/**
 * A connection factory's counts since the connector started (or since its pool's first use).
 *
 * @param sent            messages the service accepted
 * @param failed          messages that were not sent, by reason ({@code authentication}, {@code permission},
 *                        {@code connectivity}, {@code throttling}, {@code quota}, {@code rejected}, {@code refused},
 *                        {@code closed}, {@code other})
 * @param retried         requests sent again after a fault, a deferral or throttling
 * @param throttledWaits  sends that waited for the mailbox's pace, a free slot or a {@code Retry-After}
 * @param throttledTime   how long they waited in all
 * @param tokenRequests   token requests made to Entra ID (refreshes included)
 * @param tokenRefreshes  of those, the ones made ahead of expiry while the current token stayed in use
 * @param sendTime        time spent in sends that succeeded, in all
 * @param longestSend     the longest successful send
 */
public record MetricsSnapshot(long sent, Map<String, Long> failed, long retried, long throttledWaits,
                              Duration throttledTime, long tokenRequests, long tokenRefreshes, Duration sendTime,
                              Duration longestSend) {

    /** @return all failures, whatever the reason */
    public long failedTotal() {
        return failed.values().stream().mapToLong(Long::longValue).sum();
    }
}
