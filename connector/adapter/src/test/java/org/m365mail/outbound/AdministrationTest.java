package org.m365mail.outbound;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.admin.SetupReport;
import org.m365mail.admin.SetupStep;
import org.m365mail.admin.Setting;
import org.m365mail.admin.TokenState;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.sandbox.SandboxDirectory;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the console reads from a factory: its effective configuration, its token, and Check setup, on the stand-in. */
class AdministrationTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-administration");

    private static FactoryAdministration admin(MailManagedConnectionFactory mcf) throws Exception {
        return FactoryAdministration.of((MailConnectionFactory) mcf.createConnectionFactory());
    }

    @Test
    void everyPropertyIsShownOnceInAGroupWithItsDescriptionAndNoSecretIsReadOut() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setCertificatePassword("pfx-password-value");
        mcf.setMessagesPerMinute(12);
        List<Setting> settings = admin(mcf).configuration();

        List<String> grouped = settings.stream().map(Setting::name).toList();
        List<String> declared = new ArrayList<>(PoolConfiguration.properties().keySet());
        assertEquals(declared.stream().sorted().toList(), grouped.stream().sorted().toList(),
                "every @ConfigProperty is in exactly one group");
        assertTrue(settings.stream().allMatch(s -> !s.description().isBlank()), "each has a description");

        Map<String, Setting> byName = settings.stream().collect(Collectors.toMap(Setting::name, s -> s));
        Setting secret = byName.get("clientSecret");
        assertTrue(secret.confidential() && secret.set());
        assertEquals("(set)", secret.value());
        assertNull(byName.get("tokenStoreKey").value(), "an unset secret shows as unset");
        String all = settings.toString();
        assertFalse(all.contains(SandboxDefaults.CLIENT_SECRET), all);
        assertFalse(all.contains("pfx-password-value"), all);

        Setting pace = byName.get("messagesPerMinute");
        assertEquals("12", pace.value());
        assertEquals("30", pace.defaultValue());
        assertTrue(pace.set(), "differs from its default");
        assertFalse(byName.get("alertIntervalMinutes").set(), "left at its default");
        assertEquals("60", byName.get("alertIntervalMinutes").defaultValue());
        assertEquals("Sign-in to Microsoft Entra ID", byName.get("tenantId").group());
    }

    @Test
    void checkSetupNamesTheMissingPermissionAndTheTokensClaims() throws Exception {
        FactoryAdministration admin = admin(SandboxFactories.withoutMailPermission(SANDBOX.get(), "SMTP"));

        SetupReport report = admin.checkSetup();

        assertFalse(report.ok(), report.toString());
        SetupStep missing = report.firstMissing();
        assertEquals("Application permission SMTP.SendAsApp", missing.name(), report.toString());
        assertTrue(missing.detail().contains("APIs my organization uses → Office 365 Exchange Online → Application "
                + "permissions → SMTP.SendAsApp, then Grant admin consent"), missing.detail());
        assertEquals(SandboxDefaults.TENANT_ID, report.tenantId());
        assertNotNull(report.audience());
        assertNotNull(report.expiresAt());
        assertTrue(report.steps().get(1).ok(), "signed in: " + report);
        assertNull(report.steps().get(report.steps().size() - 1).ok(), "SMTP is not tried: " + report);
        assertEquals("DOWN", admin.status().state(), "the pool's readiness says the same");
        assertTrue(admin.lastFailure().orElseThrow().advice().contains("SMTP.SendAsApp"));

        // A send's failure as the server hands it on, wrapped: the advice for its kind.
        jakarta.resource.ResourceException wrapped = new jakarta.resource.ResourceException("Error in allocating a "
                + "connection");
        wrapped.initCause(new org.m365mail.api.MailSendException(missing.detail(), "PermissionMissing", null));
        assertTrue(admin.adviceFor(wrapped).orElseThrow().startsWith("Grant what the failure above names"));
        assertTrue(admin.adviceFor(new IllegalStateException("not a send")).isEmpty());
    }

    @Test
    void aGraphTokenWithoutMailSendIsNotConfirmedRatherThanRefusedForExchangeRoleAssignmentsGrantItUnseen()
            throws Exception {
        FactoryAdministration admin = admin(SandboxFactories.withoutMailPermission(SANDBOX.get(), "GRAPH"));

        SetupReport report = admin.checkSetup();

        SetupStep permission = report.steps().stream().filter(s -> s.name().equals("Application permission Mail.Send"))
                .findFirst().orElseThrow();
        assertNull(permission.ok(), report.toString());
        assertTrue(permission.detail().contains("'Application Mail.Send' (RBAC for Applications"), permission.detail());
        assertTrue(permission.detail().contains("Application permissions → Mail.Send"), permission.detail());
        assertEquals(List.of("User.Read.All"), report.roles());
        assertEquals("UP", admin.status().state(), "not refused: only a send can tell");
    }

    @Test
    void checkSetupOfAWrongSecretStopsAtTheSignIn() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        mcf.setClientSecret("wrong~secret.value-for-check-setup");
        SetupReport report = admin(mcf).checkSetup();

        SetupStep missing = report.firstMissing();
        assertEquals("Sign in to Microsoft Entra ID", missing.name(), report.toString());
        assertFalse(missing.ok());
        assertTrue(missing.detail().contains("AADSTS7000215"), missing.detail());
        assertFalse(report.toString().contains("wrong~secret"), report.toString());
        assertNull(report.steps().get(report.steps().size() - 1).ok(), "SMTP is not tried: " + report);
    }

    @Test
    void checkSetupOfAGoodSmtpFactorySignsInToTheSmtpServerAndTheTokenIsThenHeld() throws Exception {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "SMTP");
        FactoryAdministration admin = admin(mcf);
        assertFalse(admin.token().present(), "no token before the first use");

        SetupReport report = admin.checkSetup();

        assertTrue(report.ok(), report.toString());
        assertEquals("SMTP AUTH at " + mcf.getSmtpHost() + ":" + mcf.getSmtpPort(),
                report.steps().get(report.steps().size() - 1).name());
        assertTrue(report.roles().contains("SMTP.SendAsApp"), report.toString());
        TokenState token = admin.token();
        assertTrue(token.present());
        assertTrue(token.expiresAt().isAfter(token.acquiredAt()));
        assertTrue(token.requests() >= 1);
        assertEquals("UP", admin.status().state());
        try (MailConnection ignored = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
            assertEquals(1, SANDBOX.get().tokenRequests().issued(), "the send's connection used the same token");
        }
        mcf.close();
    }

    /**
     * Payara's admin console writes every value its form shows into the pool: a default declared to the server would
     * be frozen into each pool made there. So none is declared, no field starts with one, and each property's
     * description says its default, the one {@link org.m365mail.config.PropertyDefaults} applies.
     */
    @Test
    void noPropertyDeclaresADefaultToTheServerAndEachDescriptionSaysItsDefault() throws Exception {
        MailManagedConnectionFactory fresh = new MailManagedConnectionFactory();
        Map<String, String> defaults = org.m365mail.config.PropertyDefaults.byProperty();
        for (Field f : PoolConfiguration.properties().values()) {
            jakarta.resource.spi.ConfigProperty declared = f.getAnnotation(jakarta.resource.spi.ConfigProperty.class);
            assertEquals("", declared.defaultValue(), f.getName() + " declares a default to the server");
            f.setAccessible(true);
            assertNull(f.get(fresh), f.getName() + " starts with a value");
            String description = String.join(" ", declared.description());
            if (defaults.containsKey(f.getName())) {
                assertTrue(description.endsWith("Default: " + defaults.get(f.getName())), f.getName() + ": "
                        + description);
            } else {
                assertFalse(description.contains("Default: "), f.getName() + ": " + description);
            }
        }
        assertTrue(PoolConfiguration.properties().keySet().containsAll(defaults.keySet()), defaults.keySet()
                .toString());
    }

    /** The secrets are transient fields: the view reads none of them out whatever their name. */
    @Test
    void confidentialPropertiesAreTheTransientSecretFields() {
        for (Field f : PoolConfiguration.properties().values()) {
            boolean confidential = f.getAnnotation(jakarta.resource.spi.ConfigProperty.class).confidential();
            if (confidential) {
                assertTrue(java.lang.reflect.Modifier.isTransient(f.getModifiers()), f.getName());
            }
        }
    }
}
