package org.m365mail.sandbox;

/**
 * Faults a test asks the stand-in's SMTP server to answer with, once each, in order: what Exchange Online answers
 * when it is busy, or a connection that breaks at the worst moment.
 */
public final class SmtpFaults extends FaultQueue<SmtpFaults.Fault, SmtpFaults> {

    /** A one-shot fault. */
    public enum Fault {
        /** The next RCPT TO gets {@code 451 4.7.500 Server busy. Please try again later.} */
        BUSY_ON_RECIPIENT,
        /**
         * The next RCPT TO is refused for good, as Exchange Online refuses a recipient it does not know in a domain
         * it is authoritative for: {@code 550 5.4.1 Recipient address rejected: Access denied}
         * (https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/fix-error-code-550-5-4-1-in-exchange-online).
         */
        REJECT_RECIPIENT,
        /** The next message's data gets {@code 451 4.7.500 Server busy. Please try again later.} */
        BUSY_ON_DATA,
        /** The next MAIL FROM finds the connection closed (reset), before anything is accepted. */
        RESET_ON_MAIL,
        /** The next message is accepted and stored, then the connection closes before the 250 reply. */
        DROP_AFTER_ACCEPTING_DATA,
        /** The next message is accepted and stored, then the connection is reset (RST) before the 250 reply. */
        RESET_AFTER_ACCEPTING_DATA,
        /**
         * The next message's data is read, not stored, and no reply comes for two seconds (past a client's read
         * timeout), then the connection closes: a stalled server. The client cannot tell this from the one above.
         */
        STALL_AFTER_DATA,
        /**
         * The next MAIL FROM gets {@code 421 4.3.2 Service not available, closing transmission channel} and the
         * connection closes, as Exchange Online does when a server of it goes out of service mid-session.
         */
        CLOSING_ON_MAIL
    }

    boolean take(Fault fault) {
        return takeIfNext(fault);
    }
}
