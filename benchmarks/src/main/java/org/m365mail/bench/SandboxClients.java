package org.m365mail.bench;

import jakarta.json.Json;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.sandbox.M365Sandbox;
import org.m365mail.sandbox.SandboxDefaults;

import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** What each contender needs to talk to the stand-in: the connector's factory, and hand-written clients. */
final class SandboxClients {

    private final M365Sandbox sandbox;
    private final HttpClient http;

    SandboxClients(M365Sandbox sandbox) throws java.io.IOException {
        this.sandbox = sandbox;
        this.http = HttpClient.newBuilder().sslContext(sandbox.clientSslContext()).build();
    }

    /** The connector, non-managed, as an application outside a server uses it, with its own pool. */
    MailManagedConnectionFactory connector(String transport) {
        MailManagedConnectionFactory mcf = new MailManagedConnectionFactory();
        mcf.setTransport(transport);
        mcf.setTenantId(SandboxDefaults.TENANT_ID);
        mcf.setClientId(SandboxDefaults.CLIENT_ID);
        mcf.setClientSecret(SandboxDefaults.CLIENT_SECRET);
        mcf.setAuthorityUrl(sandbox.authorityUrl());
        mcf.setGraphUrl(sandbox.graphUrl());
        mcf.setFromAddress(SandboxDefaults.SENDER);
        mcf.setSmtpHost(sandbox.smtpHost());
        mcf.setSmtpPort(sandbox.smtpPort());
        mcf.setTrustStorePath(sandbox.trustStorePath().toString());
        mcf.setTrustStorePassword(sandbox.trustStorePassword());
        return mcf;
    }

    /** A client credentials token, asked for by hand as application code without a library would. */
    String token(String scope) throws Exception {
        String form = "client_id=" + enc(SandboxDefaults.CLIENT_ID) + "&client_secret="
                + enc(SandboxDefaults.CLIENT_SECRET) + "&scope=" + enc(scope) + "&grant_type=client_credentials";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(sandbox.authorityUrl() + "/"
                        + SandboxDefaults.TENANT_ID + "/oauth2/v2.0/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("token request failed: " + response.statusCode());
        }
        return Json.createReader(new StringReader(response.body())).readObject().getString("access_token");
    }

    /** Angus Mail set up for Exchange Online's SMTP submission: STARTTLS required, XOAUTH2. */
    Session smtpSession() throws java.io.IOException {
        Properties p = new Properties();
        p.put("mail.smtp.host", sandbox.smtpHost());
        p.put("mail.smtp.port", String.valueOf(sandbox.smtpPort()));
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.auth.mechanisms", "XOAUTH2");
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.socketFactory", sandbox.clientSslContext().getSocketFactory());
        p.put("mail.smtp.ssl.checkserveridentity", "false");
        return Session.getInstance(p);
    }

    static MimeMessage message(Session session, String subject) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(SandboxDefaults.SENDER);
        message.setRecipients(Message.RecipientType.TO, SandboxDefaults.RECIPIENT);
        message.setSubject(subject, "UTF-8");
        message.setText("A small message, as applications send them: an order confirmation, a password reset.",
                "UTF-8");
        return message;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
