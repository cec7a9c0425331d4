/**
 * The public API of the Microsoft 365 mail connector: the only types an application compiles against
 * (add {@code org.m365mail:m365-mail-api} with scope {@code provided}).
 *
 * <p>An application obtains a {@link org.m365mail.api.MailConnectionFactory} from JNDI, opens a
 * {@link org.m365mail.api.MailConnection}, sends a Jakarta Mail message and closes the connection, which
 * returns it to the application server's pool. See {@link org.m365mail.api.MailConnectionFactory} for an example.
 */
package org.m365mail.api;
