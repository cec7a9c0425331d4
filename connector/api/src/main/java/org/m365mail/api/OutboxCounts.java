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
}
