package org.m365mail.config;

/** How messages leave: through Microsoft Graph's REST API or through SMTP client submission. */
public enum TransportKind {
    /** {@code POST /users/{fromAddress}/sendMail} on Microsoft Graph; needs the Mail.Send application permission. */
    GRAPH,
    /** SMTP AUTH XOAUTH2 on smtp.office365.com:587; needs SMTP.SendAsApp and a mailbox permission. */
    SMTP
}
