package org.m365mail.it.ear;

import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.SentMessage;

/** An enterprise bean in the EAR sending through the RAR embedded in the same EAR. */
@Stateless
public class EarMailBean {

    @Resource(lookup = "java:app/mail/EarGraph")
    MailConnectionFactory mail;

    // Outside a transaction: the rotation test counts every failed send, which must reach the caller.
    @jakarta.ejb.TransactionAttribute(jakarta.ejb.TransactionAttributeType.NOT_SUPPORTED)
    public SentMessage send(String to, String subject, String text) throws Exception {
        MimeMessage message = new MimeMessage((Session) null);
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(subject, "UTF-8");
        message.setText(text, "UTF-8");
        try (MailConnection connection = mail.getConnection()) {
            return connection.send(message);
        }
    }
}
