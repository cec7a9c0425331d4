package org.m365mail.alert;

import jakarta.mail.Message;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailSendException;

import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Another connection factory of the server that carries a pool's alerts when the pool itself cannot send
 * ({@code alertFallbackFactory}). Its JNDI name comes from the pool's configuration, checked to be a plain or
 * {@code java:global/} name; it is looked up when an alert goes out, so the fallback pool may be created later.
 */
final class FallbackPool {

    private final String jndiName;

    FallbackPool(String jndiName) {
        this.jndiName = jndiName;
    }

    String name() {
        return jndiName;
    }

    void send(Message message) throws MailSendException {
        Object found;
        try {
            found = new InitialContext().lookup(jndiName);
        } catch (NamingException e) {
            throw new MailSendException("alertFallbackFactory " + jndiName + " is not a name the server knows: " + e,
                    e);
        }
        if (!(found instanceof MailConnectionFactory factory)) {
            throw new MailSendException("alertFallbackFactory " + jndiName + " is not a connection factory of this "
                    + "connector (found " + (found == null ? "nothing" : found.getClass().getName()) + ")");
        }
        try (MailConnection connection = factory.getConnection()) {
            connection.send(message);
        } catch (MailSendException e) {
            throw e;
        } catch (Exception e) {
            throw new MailSendException("alertFallbackFactory " + jndiName + " could not send: " + e, e);
        }
    }
}
