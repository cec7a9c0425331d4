package org.m365mail.testing;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;

import java.util.Properties;

/** Connection factories configured for a running stand-in, and simple messages, for tests. */
public final class SandboxFactories {

    private SandboxFactories() {
    }

    public static MailManagedConnectionFactory factory(M365Sandbox sandbox, String transport) {
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
        mcf.setTransport(transport);
        mcf.setTenantId(SandboxDefaults.TENANT_ID);
        mcf.setClientId(SandboxDefaults.CLIENT_ID);
        mcf.setClientSecret(SandboxDefaults.CLIENT_SECRET);
        mcf.setAuthorityUrl(sandbox.authorityUrl());
        mcf.setGraphUrl(sandbox.graphUrl());
        mcf.setFromAddress(SandboxDefaults.SENDER);
        mcf.setFromName("Contoso Notifications");
        mcf.setSmtpHost(sandbox.smtpHost());
        mcf.setSmtpPort(sandbox.smtpPort());
        mcf.setTrustStorePath(sandbox.trustStorePath().toString());
        mcf.setTrustStorePassword(sandbox.trustStorePassword());
        // Tests send faster than Exchange's 30 a minute; the pace has tests of its own.
        mcf.setMessagesPerMinute(0);
        return mcf;
    }

    /** An app registration of the stand-in's tenant that may read users but send no mail. */
    public static final String NO_MAIL_PERMISSION_CLIENT = "6e1f3a5c-8d2b-4c7e-9f0a-2b4d6c8e1a37";
    private static final String NO_MAIL_PERMISSION_SECRET = "no-mail-permission~secret.for-tests";

    /**
     * As {@link #factory}, signed in as an app with no mail permission ({@code User.Read.All} only), registered in the
     * stand-in on first use: its tokens are issued, and every send, Ping and readiness check must name what to grant.
     */
    public static MailManagedConnectionFactory withoutMailPermission(M365Sandbox sandbox, String transport) {
        org.m365mail.sandbox.SandboxDirectory.Tenant tenant = sandbox.directory()
                .tenant(SandboxDefaults.TENANT_ID).orElseThrow();
        if (tenant.app(NO_MAIL_PERMISSION_CLIENT).isEmpty()) {
            tenant.registerApp(NO_MAIL_PERMISSION_CLIENT, NO_MAIL_PERMISSION_SECRET)
                    .grant(org.m365mail.sandbox.SandboxDirectory.Resource.GRAPH, "User.Read.All");
        }
        MailManagedConnectionFactory mcf = factory(sandbox, transport);
        mcf.setClientId(NO_MAIL_PERMISSION_CLIENT);
        mcf.setClientSecret(NO_MAIL_PERMISSION_SECRET);
        return mcf;
    }

    /** Sends {@code count} text messages ("{prefix} n") from {@code threads} threads at once; fails if any fails. */
    public static void sendInParallel(org.m365mail.api.MailConnectionFactory factory, int threads, int count,
                                      String prefix) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.List<java.util.concurrent.Future<?>> sends = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                String subject = prefix + " " + i;
                sends.add(pool.submit(() -> {
                    try (org.m365mail.api.MailConnection c = factory.getConnection()) {
                        c.send(textMessage(subject, subject));
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : sends) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    public static MimeMessage textMessage(String subject, String text) throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setRecipients(Message.RecipientType.TO, SandboxDefaults.RECIPIENT);
        message.setSubject(subject, "UTF-8");
        message.setText(text, "UTF-8");
        return message;
    }
}
