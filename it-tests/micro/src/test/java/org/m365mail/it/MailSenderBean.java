package org.m365mail.it;

import jakarta.activation.DataHandler;
import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import jakarta.resource.ConnectionFactoryDefinition;
import jakarta.resource.spi.TransactionSupport;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.SentMessage;

import javax.naming.InitialContext;

/**
 * The application under test: an EJB that sends through connection factories defined in the three ways an
 * administrator or developer can define them.
 */
@Stateless
@ConnectionFactoryDefinition(
        name = "java:app/mail/AnnotationGraph",
        interfaceName = "org.m365mail.api.MailConnectionFactory",
        resourceAdapter = "m365-mail-connector",
        transactionSupport = TransactionSupport.TransactionSupportLevel.NoTransaction,
        properties = {
                "transport=GRAPH",
                "tenantId=5f0c9a3e-2b41-4c8e-9d7a-1e6b3c2d4f50",
                "clientId=8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736",
                "clientSecret=sandbox~secret.value-not-for-production",
                "fromAddress=notifications@contoso.test",
                "fromName=Contoso Notifications",
                "authorityUrl=" + SandboxEndpoints.AUTHORITY_URL,
                "graphUrl=" + SandboxEndpoints.GRAPH_URL,
                "trustStorePath=" + SandboxEndpoints.TRUST_STORE,
                "trustStorePassword=changeit",
                "allowedFromAddresses=support@contoso.test"})
public class MailSenderBean {

    @Resource(lookup = "java:app/mail/AnnotationGraph")
    MailConnectionFactory annotationGraph;

    @Resource(lookup = "java:app/mail/ResourcesXmlSmtp")
    MailConnectionFactory resourcesXmlSmtp;

    @Resource(lookup = "mail/Office365")
    MailConnectionFactory asadminGraph;

    @Resource(lookup = "mail/Office365Smtp")
    MailConnectionFactory asadminSmtp;

    /**
     * Sends one message, with an attachment of {@code attachmentSize} bytes of {@code seed}-random data if asked.
     * Outside a transaction, so the send happens (and fails) before the call returns, as these tests of sending
     * expect; sending inside a transaction has tests of its own (TransactionalSendIT).
     *
     * @param factory annotation-graph, resources-xml-smtp, asadmin-graph, asadmin-smtp, or a JNDI name
     */
    @jakarta.ejb.TransactionAttribute(jakarta.ejb.TransactionAttributeType.NOT_SUPPORTED)
    public SentMessage send(String factory, String from, String to, String subject, String text, int attachmentSize,
                            long seed) throws Exception {
        MimeMessage message = new MimeMessage((Session) null);
        if (from != null && !from.isBlank()) {
            message.setFrom(from);
        }
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(subject, "UTF-8");
        if (attachmentSize > 0) {
            byte[] data = new byte[attachmentSize];
            new java.util.Random(seed).nextBytes(data);
            MimeBodyPart body = new MimeBodyPart();
            body.setText(text, "UTF-8");
            MimeBodyPart attachment = new MimeBodyPart();
            attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(data, "application/octet-stream")));
            attachment.setFileName("data.bin");
            message.setContent(new MimeMultipart(body, attachment));
        } else {
            message.setText(text, "UTF-8");
        }
        try (MailConnection connection = factory(factory).getConnection()) {
            return connection.send(message);
        }
    }

    @jakarta.annotation.Resource
    jakarta.transaction.TransactionSynchronizationRegistry transactions;

    /**
     * Sends inside this EJB's container-managed transaction, then fails, so the container rolls the transaction
     * back, as an application whose later work fails would: what the send did to the token store must survive. The
     * pool used (mail/DelegatedJdbc) has transactionalSend=IMMEDIATE, so the send happens inside the transaction.
     */
    @jakarta.ejb.TransactionAttribute(jakarta.ejb.TransactionAttributeType.REQUIRED)
    public SentMessage sendThenFail(String factory, String to, String subject) throws Exception {
        if (transactions.getTransactionStatus() != jakarta.transaction.Status.STATUS_ACTIVE) {
            throw new IllegalStateException("no active transaction");
        }
        SentMessage sent = send(factory, "", to, subject, "rolled back afterwards", 0, 0);
        throw new IllegalStateException("later work failed after sending " + sent.messageId()
                + " in transaction " + transactions.getTransactionKey());
    }

    private MailConnectionFactory factory(String name) throws Exception {
        return switch (name) {
            case "annotation-graph" -> annotationGraph;
            case "resources-xml-smtp" -> resourcesXmlSmtp;
            case "asadmin-graph" -> asadminGraph;
            case "asadmin-smtp" -> asadminSmtp;
            default -> (MailConnectionFactory) new InitialContext().lookup(name);
        };
    }
}
