package org.m365mail.api;

import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;

import java.io.Serializable;

/**
 * Hands out connections that send mail through Microsoft 365 (Microsoft Graph or SMTP with OAuth 2.0).
 *
 * <p>The administrator configures the factory (tenant, app registration, sending mailbox, transport) as a
 * connector resource; the application only looks it up and sends:
 *
 * <pre>{@code
 * @Stateless
 * public class InvoiceMailer {
 *
 *     @Resource(lookup = "java:app/mail/Office365")
 *     MailConnectionFactory mail;
 *
 *     public String sendInvoice(String to, byte[] pdf) throws MessagingException, ResourceException {
 *         MimeMessage message = new MimeMessage((Session) null);
 *         message.setRecipients(Message.RecipientType.TO, to);
 *         message.setSubject("Your invoice");
 *         MimeBodyPart text = new MimeBodyPart();
 *         text.setText("Please find your invoice attached.", "UTF-8");
 *         MimeBodyPart attachment = new MimeBodyPart();
 *         attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(pdf, "application/pdf")));
 *         attachment.setFileName("invoice.pdf");
 *         message.setContent(new MimeMultipart(text, attachment));
 *
 *         try (MailConnection connection = mail.getConnection()) {
 *             return connection.send(message).messageId();
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>The sender is the mailbox configured in the factory ({@code fromAddress}); the message needs no
 * {@code From} header. Connections are cheap to obtain and must be closed promptly (try-with-resources):
 * closing returns the underlying, already authenticated connection to the pool.
 *
 * <p>Outside an application server, {@code new MailManagedConnectionFactory().createConnectionFactory()}
 * gives a working factory with the connector's own pool.
 *
 * <p>This interface is all an application gets: it sends. Administration (connecting or resetting a delegated
 * mailbox's consent) is not part of it; that is the connector's console's, behind the administrator role.
 */
public interface MailConnectionFactory extends Serializable, Referenceable {

    /**
     * Returns a connection from the pool, creating one if none is free.
     *
     * @return an open connection; close it when done
     * @throws ResourceException if no connection can be had, for example because the factory's configuration
     *                           is invalid (the message names the property to fix)
     */
    MailConnection getConnection() throws ResourceException;

    /**
     * The factory's durable outbox, when its administrator gave it one ({@code outboxDataSource}): counts of waiting,
     * delivered and failed messages, and retrying or discarding a failed one, for an application's own tooling.
     *
     * @return the outbox, or empty when the factory sends without one
     * @throws ResourceException if the factory's configuration is invalid
     */
    default java.util.Optional<MailOutbox> outbox() throws ResourceException {
        return java.util.Optional.empty();
    }
}
