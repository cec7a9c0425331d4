package org.m365mail.config;

/** How the connector proves who it is to Microsoft 365. */
public enum AuthenticationMode {
    /** App-only token (client credentials): Graph {@code Mail.Send} or SMTP {@code SMTP.SendAsApp}. */
    CLIENT_CREDENTIALS,
    /** A user's token from the user's consent ({@code SMTP.Send} with {@code offline_access}). */
    DELEGATED,
    /**
     * App-only token of the Azure resource's managed identity (App Service, Container Apps, virtual machine, Arc): no
     * secret to keep; {@code clientId} chooses a user-assigned identity.
     */
    MANAGED_IDENTITY,
    /** SMTP AUTH LOGIN/PLAIN with {@code username} and {@code password}: basic authentication. */
    PASSWORD
}
