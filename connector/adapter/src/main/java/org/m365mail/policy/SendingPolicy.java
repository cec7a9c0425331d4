package org.m365mail.policy;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.m365mail.api.MailSendException;
import org.m365mail.config.MailSettings;
import org.m365mail.monitor.SendEvents;
import org.m365mail.config.TransportKind;
import org.m365mail.logging.LogText;
import org.m365mail.runtime.ConnectorRuntime;

import java.io.UnsupportedEncodingException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * What a connection factory lets an application send, and how fast, the same for Microsoft Graph and for SMTP: both
 * transports {@linkplain #admit(Message) admit} each message here before anything goes over the network, so a message
 * one transport refuses is refused by the other too.
 *
 * <ul>
 *   <li><b>Who it is from.</b> A message without From gets the configured mailbox ({@code fromAddress}, with
 *       {@code fromName}). A From or Sender the application set must be {@code fromAddress} or listed in
 *       {@code allowedFromAddresses} (a Sender may also be SMTP's {@code username}): the connector holds a whole
 *       mailbox's keys, and an application must not make it speak for any other. Reply-To is free, as its purpose is
 *       to point elsewhere.
 *   <li><b>Headers and addresses.</b> No line break outside folding, no control character, no address that is
 *       not one ({@link HeaderRules}); no empty multipart ({@link MimeStructure}).
 *   <li><b>Recipients.</b> At least one, at most {@code maxRecipientsPerMessage} (Exchange Online: 500).
 *   <li><b>Size.</b> At most {@code maxMessageBytes} once encoded (Exchange Online's default MaxSendSize: 35 MB).
 *   <li><b>Pace.</b> At most {@code messagesPerMinute} per submitting mailbox (Exchange Online: 30), whichever pool
 *       or transport they come through; a message beyond it waits for its turn rather than fail.
 * </ul>
 *
 * <p>Exchange Online's sending limits belong to the mailbox, not to the protocol
 * (https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits-1;
 * Microsoft confirms they apply to Graph's sendMail too:
 * https://learn.microsoft.com/en-us/answers/questions/2258712/what-is-the-maximum-number-of-emails-that-can-be-s).
 */
public final class SendingPolicy {

    private final MailSettings settings;
    private final MailSettings.SendingLimits limits;
    private final MailboxLimits pace;
    private final SendEvents events;

    public SendingPolicy(MailSettings settings, ConnectorRuntime runtime, Clock clock) {
        this(settings, runtime, clock, SendEvents.NONE);
    }

    /** @param events told when a message waits for the mailbox's pace */
    public SendingPolicy(MailSettings settings, ConnectorRuntime runtime, Clock clock, SendEvents events) {
        this.events = events;
        this.settings = settings;
        this.limits = settings.sending();
        this.pace = MailboxLimits.of(runtime, "mailbox", submitter(settings), 0, limits.messagesPerMinute(), clock,
                limits.scope(), settings.graph().sendTimeout());
    }

    /**
     * The mailbox Exchange counts a message against: the one that signs in on SMTP, the one in Graph's URL.
     */
    private static String submitter(MailSettings settings) {
        return settings.transport() == TransportKind.SMTP ? settings.username() : settings.fromAddress().getAddress();
    }

    /**
     * Checks the message, fills in what the connector owns (From when unset, Sender when sending on behalf,
     * {@code Message-ID}), and waits for the message's turn in the mailbox's pace.
     *
     * @return the admission; close it once the service has answered
     * @throws MailSendException naming the rule and what to change, before anything is sent
     */
    public Admission admit(Message message) throws MailSendException {
        Checked checked = inspect(message);
        return new Admission(checked.messageId(), checked.from(), checked.sender(), checked.recipients(),
                pace.acquire(events));
    }

    /**
     * Checks the message and fills in what the connector owns, as {@link #admit} does, without waiting for the pace:
     * for a message that is sent later (after its transaction commits, from the outbox), so that one the policy
     * refuses is refused to the caller at once.
     *
     * @return the message's {@code Message-ID}, angle brackets included
     * @throws MailSendException naming the rule and what to change
     */
    public String check(Message message) throws MailSendException {
        return inspect(message).messageId();
    }

    private record Checked(String messageId, InternetAddress from, InternetAddress sender, Address[] recipients) {
    }

    private Checked inspect(Message message) throws MailSendException {
        InternetAddress from;
        InternetAddress sender;
        Address[] recipients;
        String messageId;
        try {
            HeaderRules.check(message);
            MimeStructure.check(message);
            from = from(message);
            sender = sender(message, from);
            recipients = message.getAllRecipients();
            if (recipients == null || recipients.length == 0) {
                throw new MailSendException("The message has no recipients: set To, Cc or Bcc. The message was not "
                        + "sent.", "NoRecipients", null);
            }
            if (recipients.length > limits.maxRecipients()) {
                throw new MailSendException("The message has " + recipients.length + " recipients; at most "
                        + limits.maxRecipients() + " are allowed per message (maxRecipientsPerMessage; Exchange Online "
                        + "accepts 500): split it. The message was not sent.", "TooManyRecipients", null);
            }
            messageId = MessageIds.prepare(message, settings.fromAddress());
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new MailSendException("Cannot read the message to send it: " + e.getMessage(), e);
        }
        long size = MessageSize.exceeding(message, limits.maxMessageBytes());
        if (size >= 0) {
            throw new MailSendException("The message " + messageId + " is " + size + " bytes once encoded; the limit "
                    + "is " + limits.maxMessageBytes() + " bytes (maxMessageBytes; set it to the mailbox's MaxSendSize "
                    + "if that was raised). Send smaller attachments or share a link. The message was not sent.",
                    "MessageTooLarge", null);
        }
        return new Checked(messageId, from, sender, recipients);
    }

    /**
     * The message's From: checked when the application set it, the configured mailbox when not. Read from the From
     * header itself: {@code getFrom()} answers with the Sender when there is no From.
     */
    private InternetAddress from(Message message) throws MessagingException, UnsupportedEncodingException,
            MailSendException {
        String[] headers = message.getHeader("From");
        List<InternetAddress> from = new ArrayList<>();
        if (headers != null) {
            for (String header : headers) {
                from.addAll(List.of(InternetAddress.parseHeader(header, false)));
            }
        }
        if (from.isEmpty()) {
            InternetAddress own = new InternetAddress(settings.fromAddress().getAddress(), settings.fromName(),
                    "UTF-8");
            message.setFrom(own);
            return own;
        }
        for (InternetAddress address : from) {
            if (!allowedFrom(address)) {
                throw notAllowed("From", address);
            }
        }
        return from.get(0);
    }

    /**
     * The message's Sender: checked when the application set it; else, when the From is not the mailbox that submits
     * the message, that mailbox (Send on Behalf): Graph's mailbox for a shared From, SMTP's {@code username} when it
     * signs in for another address. An application that wants Send As sets Sender to the From itself.
     */
    private InternetAddress sender(Message message, InternetAddress from) throws MessagingException,
            UnsupportedEncodingException, MailSendException {
        if (!(message instanceof MimeMessage mime)) {
            return null;
        }
        Address set = mime.getSender();
        if (set != null) {
            if (!allowedFrom(set) && !isSubmitter(set)) {
                throw notAllowed("Sender", set);
            }
            return (InternetAddress) set;
        }
        InternetAddress submitter = submitterAddress();
        if (submitter == null || from.getAddress().equalsIgnoreCase(submitter.getAddress())) {
            return null;
        }
        mime.setSender(submitter);
        return submitter;
    }

    /** The mailbox that submits, as an address (with fromName when it is fromAddress), or {@code null} when it is none. */
    private InternetAddress submitterAddress() throws UnsupportedEncodingException {
        String submitter = submitter(settings);
        if (submitter.equalsIgnoreCase(settings.fromAddress().getAddress())) {
            return new InternetAddress(settings.fromAddress().getAddress(), settings.fromName(), "UTF-8");
        }
        try {
            InternetAddress address = new InternetAddress(submitter, true);
            return address.getAddress().contains("@") ? address : null;
        } catch (jakarta.mail.internet.AddressException e) {
            return null; // a plain user name on another SMTP server
        }
    }

    private boolean allowedFrom(Address address) {
        return address instanceof InternetAddress a && limits.allowedFromAddresses().stream()
                .anyMatch(allowed -> allowed.getAddress().equalsIgnoreCase(a.getAddress()));
    }

    private boolean isSubmitter(Address address) {
        return address instanceof InternetAddress a && submitter(settings).equalsIgnoreCase(a.getAddress());
    }

    private MailSendException notAllowed(String header, Address address) {
        List<String> allowed = new ArrayList<>();
        limits.allowedFromAddresses().forEach(a -> allowed.add(a.getAddress()));
        String shown = LogText.of(address instanceof InternetAddress a ? a.getAddress() : address);
        return new MailSendException("The message's " + header + " " + shown + " is not allowed for this connection "
                + "factory: it may send as " + allowed + ". Add the address to allowedFromAddresses (the mailbox "
                + submitter(settings) + " must have Send As or Send on Behalf on it), or leave " + header + " unset. "
                + "The message was not sent.", header + "NotAllowed", null);
    }
}
