package org.m365mail.api;

import java.io.Serializable;

/**
 * How many messages of a {@link MailOutbox} are in each state.
 *
 * @param waiting   written and not yet delivered (their first attempt, or a retry, to come)
 * @param sending   claimed by an instance and being sent now
 * @param delivered accepted by Microsoft 365 and still kept
 * @param failed    refused for good or given up on; kept with their error
 * @param inDoubt   whose last send's outcome is unknown; not sent again on their own
 */
public record OutboxCounts(long waiting, long sending, long delivered, long failed, long inDoubt)
        implements Serializable {

    // equals, hashCode and toString written out: the generated ones would leave this class, which the RAR carries, in
    // a JDK-wide cache on Java 17 (JDK-8078641) and keep an undeployed RAR's class loader.

    @Override
    public boolean equals(Object other) {
        return other instanceof OutboxCounts o && o.waiting == waiting && o.sending == sending
                && o.delivered == delivered && o.failed == failed && o.inDoubt == inDoubt;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(waiting, sending, delivered, failed, inDoubt);
    }

    @Override
    public String toString() {
        return "OutboxCounts[waiting=" + waiting + ", sending=" + sending + ", delivered=" + delivered + ", failed="
                + failed + ", inDoubt=" + inDoubt + "]";
    }
}
