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
    public static final String TRUST_STORE_PASSWORD = "changeit";

    private SandboxDefaults() {
    }
}
