package org.m365mail.api;

import jakarta.resource.ResourceException;

/**
 * A message was not accepted by Microsoft 365.
 *
 * <p>The message text says what went wrong and, where an administrator can fix it, which setting to change.
 * {@link #getErrorCode()} carries the service's code where there is one (for example {@code AADSTS7000215},
 * {@code ErrorAccessDenied} or {@code 535 5.7.3}). The text never contains a secret or an access token.
 */
public class MailSendException extends ResourceException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong and what to change
     */
    public MailSendException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and what to change
     * @param cause   the underlying failure
     */
    public MailSendException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param message   what went wrong and what to change
     * @param errorCode the service's error code
     * @param cause     the underlying failure; may be {@code null}
     */
    public MailSendException(String message, String errorCode, Throwable cause) {
        super(message, errorCode);
        if (cause != null) {
            initCause(cause);
        }
    }
}
