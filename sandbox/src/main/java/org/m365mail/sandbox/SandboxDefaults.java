package org.m365mail.sandbox;

/**
 * The names in {@link SandboxDirectory#standard()}: what the demo and the tests configure the connector with.
 * The secret is a test value known to everyone; it opens nothing but the stand-in.
 */
public final class SandboxDefaults {

    public static final String TENANT_ID = "5f0c9a3e-2b41-4c8e-9d7a-1e6b3c2d4f50";
    public static final String TENANT_DOMAIN = "contoso.test";
    public static final String CLIENT_ID = "8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736";
    public static final String CLIENT_SECRET = "sandbox~secret.value-not-for-production";
    public static final String SENDER = "notifications@contoso.test";
    public static final String SHARED_MAILBOX = "support@contoso.test";
    public static final String RECIPIENT = "alex.wilber@contoso.test";
    /** A user mailbox with a password (basic authentication) and Send As on the shared mailbox. */
    public static final String USER = "megan.bowen@contoso.test";
    public static final String USER_PASSWORD = "sandbox-user-password";
    /** Another user with a password, who may sign in but is not the user a delegated pool sends as. */
    public static final String OTHER_USER = "adele.vance@contoso.test";
    public static final String OTHER_USER_PASSWORD = "sandbox-other-user-password";
    public static final String TRUST_STORE_PASSWORD = "changeit";
    /** Client ID of the system-assigned managed identity of the "Azure resource" the stand-in plays. */
    public static final String MANAGED_IDENTITY_CLIENT_ID = "3c7d2f9a-61b8-4e0d-8a5c-0f4e9b1d2a67";
    /** Client ID of a user-assigned managed identity assigned to that resource too. */
    public static final String USER_ASSIGNED_IDENTITY_CLIENT_ID = "b9e4a1c3-5d72-4f86-9e0b-7c2d1a3f5e48";
    /** The value App Service puts in IDENTITY_HEADER (and expects back in X-IDENTITY-HEADER). */
    public static final String IDENTITY_HEADER = "sandbox-identity-header-value";

    private SandboxDefaults() {
    }
}
