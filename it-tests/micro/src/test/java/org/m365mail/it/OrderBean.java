package org.m365mail.it;

import jakarta.annotation.Resource;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.OutboxCounts;
import org.m365mail.api.SentMessage;

import javax.naming.InitialContext;
import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An application that saves an order and mails its confirmation in one container-managed transaction, as the
 * transactional tests need: it commits, is marked rollback-only, or fails with a system exception.
 */
@Stateless
public class OrderBean {

    @Resource
    SessionContext context;

    @Resource(lookup = "jdbc/mailOutbox")
    DataSource orders;

    @Resource(lookup = "mail/Office365")
    MailConnectionFactory direct;

    @Resource(lookup = "mail/Outbox")
    MailConnectionFactory withOutbox;

    private MailConnectionFactory factory(String name) {
        return "mail/Outbox".equals(name) ? withOutbox : direct;
    }

    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void prepare() throws Exception {
        try (Connection c = orders.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS IT_ORDERS (SUBJECT VARCHAR(200) PRIMARY KEY)");
        }
    }

    /**
     * Saves an order and sends its confirmation in this method's transaction, then ends as {@code outcome} says:
     * {@code commit}, {@code rollback-only} ({@code setRollbackOnly}) or {@code exception} (a system exception).
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public SentMessage placeOrder(String factory, String subject, String outcome) throws Exception {
        try (Connection c = orders.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO IT_ORDERS (SUBJECT) VALUES (?)")) {
            insert.setString(1, subject);
            insert.executeUpdate();
        }
        SentMessage sent;
        try (MailConnection connection = factory(factory).getConnection()) {
            sent = connection.send(confirmation(subject));
        }
        switch (outcome) {
            case "rollback-only" -> context.setRollbackOnly();
            case "exception" -> throw new IllegalStateException("the order's later work failed");
            default -> { }
        }
        return sent;
    }

    /** Sends without a transaction. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public SentMessage sendOutside(String factory, String subject) throws Exception {
        try (MailConnection connection = factory(factory).getConnection()) {
            return connection.send(confirmation(subject));
        }
    }

    /** Sends asynchronously; says which thread the send completed on, and which thread asked. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public String sendAsync(String factory, String subject) throws Exception {
        CompletableFuture<String> where;
        try (MailConnection connection = factory(factory).getConnection()) {
            where = connection.sendAsync(confirmation(subject)).toCompletableFuture()
                    .thenApply(sent -> sent.messageId() + "\n" + Thread.currentThread().getName());
        }
        return where.get(60, TimeUnit.SECONDS) + "\n" + Thread.currentThread().getName();
    }

    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public boolean orderSaved(String subject) throws Exception {
        try (Connection c = orders.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT COUNT(*) FROM IT_ORDERS WHERE SUBJECT = ?")) {
            select.setString(1, subject);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public OutboxCounts outboxCounts() throws Exception {
        return withOutbox.outbox().orElseThrow().counts();
    }

    private static MimeMessage confirmation(String subject) throws Exception {
        MimeMessage message = new MimeMessage((Session) null);
        message.setRecipients(Message.RecipientType.TO, "adele.vance@contoso.test");
        message.setSubject(subject, "UTF-8");
        message.setText("Thank you for your order.", "UTF-8");
        return message;
    }
}
