package org.m365mail.sandbox;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The stand-in's Entra ID directory and Exchange Online organisation: tenants, app registrations with their
 * consented application permissions, mailboxes and mailbox permissions. Tests change it while the sandbox runs.
 */
public final class SandboxDirectory {

    /** Microsoft Graph's application id, one of the identifiers its tokens may be requested for. */
    public static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
    /** Office 365 Exchange Online's application id. */
    public static final String EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000";

    /** The resources (APIs) a token can be requested for. */
    public enum Resource { GRAPH, EXCHANGE }

    private final Map<String, Tenant> tenantsById = new ConcurrentHashMap<>();
    private final List<String> graphIdentifiers = new CopyOnWriteArrayList<>(
            List.of("https://graph.microsoft.com", GRAPH_APP_ID));
    private final List<String> exchangeIdentifiers = List.of(
            "https://outlook.office365.com", "https://outlook.office.com", EXCHANGE_APP_ID);

    /** The directory the demo and most tests use; its names are in {@link SandboxDefaults}. */
    public static SandboxDirectory standard() {
        SandboxDirectory directory = new SandboxDirectory();
        Tenant tenant = directory.addTenant(SandboxDefaults.TENANT_ID, SandboxDefaults.TENANT_DOMAIN);
        App app = tenant.registerApp(SandboxDefaults.CLIENT_ID, SandboxDefaults.CLIENT_SECRET)
                .grant(Resource.GRAPH, "Mail.Send")
                .grant(Resource.GRAPH, "Mail.ReadWrite")
                .grant(Resource.EXCHANGE, "SMTP.SendAsApp");
        // The managed identities' service principals, granted app roles with PowerShell as Microsoft documents
        // (managed identities have no app registration page to grant them on).
        App systemAssigned = tenant.addManagedIdentity(SandboxDefaults.MANAGED_IDENTITY_CLIENT_ID)
                .grant(Resource.GRAPH, "Mail.Send")
                .grant(Resource.EXCHANGE, "SMTP.SendAsApp");
        App userAssigned = tenant.addManagedIdentity(SandboxDefaults.USER_ASSIGNED_IDENTITY_CLIENT_ID)
                .grant(Resource.GRAPH, "Mail.Send");
        tenant.addMailbox(SandboxDefaults.SENDER, "Contoso Notifications").grantFullAccess(app)
                .grantFullAccess(systemAssigned).grantFullAccess(userAssigned);
        tenant.addMailbox(SandboxDefaults.SHARED_MAILBOX, "Contoso Support (shared)").grantFullAccess(app);
        tenant.addMailbox(SandboxDefaults.RECIPIENT, "Alex Wilber");
        tenant.addMailbox(SandboxDefaults.USER, "Megan Bowen").password(SandboxDefaults.USER_PASSWORD);
        tenant.addMailbox(SandboxDefaults.OTHER_USER, "Adele Vance").password(SandboxDefaults.OTHER_USER_PASSWORD);
        tenant.mailbox(SandboxDefaults.SHARED_MAILBOX).orElseThrow()
                .grantSendAs(SandboxDefaults.USER).grantSendOnBehalf(SandboxDefaults.SENDER);
        return directory;
    }

    public Tenant addTenant(String tenantId, String domain) {
        Tenant tenant = new Tenant(tenantId.toLowerCase(Locale.ROOT), domain.toLowerCase(Locale.ROOT));
        tenantsById.put(tenant.id(), tenant);
        return tenant;
    }

    /** Finds a tenant by its id or by one of its domains, as Entra resolves the {tenant} path segment. */
    public Optional<Tenant> tenant(String idOrDomain) {
        String key = idOrDomain.toLowerCase(Locale.ROOT);
        Tenant byId = tenantsById.get(key);
        if (byId != null) {
            return Optional.of(byId);
        }
        return tenantsById.values().stream().filter(t -> t.domain().equals(key)).findFirst();
    }

    /** Which resource an identifier (the part of a scope before {@code /.default}) names, if any. */
    Optional<Resource> resource(String identifier) {
        String id = identifier.endsWith("/") ? identifier.substring(0, identifier.length() - 1) : identifier;
        if (graphIdentifiers.stream().anyMatch(g -> g.equalsIgnoreCase(id))) {
            return Optional.of(Resource.GRAPH);
        }
        if (exchangeIdentifiers.stream().anyMatch(e -> e.equalsIgnoreCase(id))) {
            return Optional.of(Resource.EXCHANGE);
        }
        return Optional.empty();
    }

    boolean isAudienceOf(Resource resource, String audience) {
        String aud = audience.endsWith("/") ? audience.substring(0, audience.length() - 1) : audience;
        List<String> ids = resource == Resource.GRAPH ? graphIdentifiers : exchangeIdentifiers;
        return ids.stream().anyMatch(i -> i.equalsIgnoreCase(aud));
    }

    /**
     * The stand-in's Graph answers at its own URL, so that URL is also a Graph identifier ({graphUrl}/.default); a
     * test that puts another server where Graph would be registers that one's URL too.
     */
    public void addGraphIdentifier(String url) {
        graphIdentifiers.add(url);
    }

    /** An Entra tenant with its Exchange Online organisation. */
    public static final class Tenant {
        private final String id;
        private final String domain;
        private volatile boolean smtpClientAuthenticationDisabled;
        private volatile BasicAuthentication basicAuthentication = BasicAuthentication.ALLOWED;
        private final Map<String, App> apps = new ConcurrentHashMap<>();
        private final Map<String, Mailbox> mailboxes = new ConcurrentHashMap<>();

        Tenant(String id, String domain) {
            this.id = id;
            this.domain = domain;
        }

        public String id() {
            return id;
        }

        public String domain() {
            return domain;
        }

        public App registerApp(String clientId, String secret) {
            App app = new App(clientId.toLowerCase(Locale.ROOT), UUID.randomUUID().toString());
            app.addSecret(secret);
            apps.put(app.clientId(), app);
            return app;
        }

        /** A managed identity's service principal: it has no secrets or certificates to sign in with. */
        public App addManagedIdentity(String clientId) {
            App identity = new App(clientId.toLowerCase(Locale.ROOT), UUID.randomUUID().toString());
            identity.managedIdentity = true;
            apps.put(identity.clientId(), identity);
            return identity;
        }

        public Optional<App> app(String clientId) {
            return Optional.ofNullable(apps.get(clientId.toLowerCase(Locale.ROOT)));
        }

        public Mailbox addMailbox(String address, String displayName) {
            Mailbox mailbox = new Mailbox(address.toLowerCase(Locale.ROOT), displayName);
            mailboxes.put(mailbox.address(), mailbox);
            return mailbox;
        }

        public Optional<Mailbox> mailbox(String address) {
            return Optional.ofNullable(mailboxes.get(address.toLowerCase(Locale.ROOT)));
        }

        /** {@code Set-TransportConfig -SmtpClientAuthenticationDisabled}: SMTP AUTH off for the organisation. */
        public Tenant smtpClientAuthenticationDisabled(boolean disabled) {
            this.smtpClientAuthenticationDisabled = disabled;
            return this;
        }

        boolean smtpClientAuthenticationDisabled() {
            return smtpClientAuthenticationDisabled;
        }

        /** Whether SMTP AUTH with a password (LOGIN) works: Microsoft is retiring it. */
        public Tenant basicAuthentication(BasicAuthentication state) {
            this.basicAuthentication = state;
            return this;
        }

        BasicAuthentication basicAuthentication() {
            return basicAuthentication;
        }
    }

    /**
     * The state of basic authentication for SMTP client submission in a tenant: allowed, turned off (security
     * defaults, or the end-of-2026 default for existing tenants: {@code 535 5.7.139}), or retired
     * ({@code 550 5.7.30}).
     */
    public enum BasicAuthentication { ALLOWED, DISABLED, RETIRED }

    /** An app registration, its client secrets, its service principal and its admin-consented app roles. */
    public static final class App {
        private final String clientId;
        private final String servicePrincipalId;
        /** Each client secret and when it expires; {@link Instant#MAX} for one that never does. */
        private final Map<String, Instant> secrets = new ConcurrentHashMap<>();
        private final List<java.security.cert.X509Certificate> certificates = new CopyOnWriteArrayList<>();
        private final Map<Resource, Set<String>> roles = new ConcurrentHashMap<>();

        private boolean managedIdentity;

        App(String clientId, String servicePrincipalId) {
            this.clientId = clientId;
            this.servicePrincipalId = servicePrincipalId;
        }

        public String clientId() {
            return clientId;
        }

        public String servicePrincipalId() {
            return servicePrincipalId;
        }

        /** Whether this is a managed identity rather than an app registration. */
        public boolean isManagedIdentity() {
            return managedIdentity;
        }

        /** Adds a client secret that never expires. */
        public App addSecret(String secret) {
            return addSecret(secret, null);
        }

        /**
         * Adds a client secret (Certificates &amp; secrets, New client secret) that stops working at {@code expires},
         * or never when {@code null}. The admin center lets a new secret live at most 24 months
         * (https://learn.microsoft.com/en-us/entra/identity-platform/how-to-add-credentials?tabs=client-secret);
         * the stand-in takes any date, so a test can put the expiry wherever its clock needs it. Adding a secret
         * again replaces its expiry.
         */
        public App addSecret(String secret, Instant expires) {
            Objects.requireNonNull(secret, "secret");
            secrets.put(secret, expires == null ? Instant.MAX : expires);
            return this;
        }

        /** Deletes one client secret; a request presenting it is then refused as one that never existed. */
        public App removeSecret(String secret) {
            if (secret != null) {
                secrets.remove(secret);
            }
            return this;
        }

        public App removeSecrets() {
            secrets.clear();
            return this;
        }

        /** Whether {@code candidate} is one of the app's secrets, expired or not. */
        boolean hasSecret(String candidate) {
            return candidate != null && secrets.containsKey(candidate);
        }

        /** Whether {@code candidate} is one of the app's secrets and its expiry is not after {@code now}. */
        boolean secretExpired(String candidate, Instant now) {
            Instant expires = candidate == null ? null : secrets.get(candidate);
            return expires != null && !expires.isAfter(now);
        }

        private final Set<String> redirectUris = ConcurrentHashMap.newKeySet();

        /** Adds a redirect URI (Authentication, Web platform) the authorization code may be sent to. */
        public App addRedirectUri(String uri) {
            redirectUris.add(uri);
            return this;
        }

        Set<String> redirectUris() {
            return Set.copyOf(redirectUris);
        }

        /** Uploads a certificate's public part to the app registration (Certificates &amp; secrets). */
        public App addCertificate(java.security.cert.X509Certificate certificate) {
            certificates.add(certificate);
            return this;
        }

        List<java.security.cert.X509Certificate> certificates() {
            return List.copyOf(certificates);
        }

        /** Grants an application permission with admin consent, e.g. {@code grant(GRAPH, "Mail.Send")}. */
        public App grant(Resource resource, String role) {
            roles.computeIfAbsent(resource, r -> ConcurrentHashMap.newKeySet()).add(role);
            return this;
        }

        public App revoke(Resource resource, String role) {
            roles.getOrDefault(resource, Set.of()).remove(role);
            return this;
        }

        Collection<String> roles(Resource resource) {
            return List.copyOf(roles.getOrDefault(resource, Set.of()));
        }
    }

    /** An Exchange Online mailbox (user or shared) and who may use it. */
    public static final class Mailbox {
        private final String address;
        private final String displayName;
        private final Set<String> fullAccessPrincipals = ConcurrentHashMap.newKeySet();
        private final Set<String> sendAs = ConcurrentHashMap.newKeySet();
        private final Set<String> sendOnBehalf = ConcurrentHashMap.newKeySet();
        private volatile String password;
        private volatile Boolean smtpClientAuthenticationDisabled;
        private volatile boolean restApiEnabled = true;
        private final Set<String> blockedApps = ConcurrentHashMap.newKeySet();
        /** Exchange Online's default recipient rate limit: 10,000 recipients a day. */
        private volatile int dailyRecipientLimit = 10_000;
        /** Exchange Online's default MaxSendSize: 35 MB. */
        private volatile int maxSendSize = 35 * 1024 * 1024;

        Mailbox(String address, String displayName) {
            this.address = address;
            this.displayName = displayName;
        }

        public String address() {
            return address;
        }

        public String displayName() {
            return displayName;
        }

        /** {@code Add-MailboxPermission -User <service principal> -AccessRights FullAccess}: needed for SMTP.SendAsApp. */
        public Mailbox grantFullAccess(App app) {
            fullAccessPrincipals.add(app.servicePrincipalId());
            return this;
        }

        public Mailbox revokeFullAccess(App app) {
            fullAccessPrincipals.remove(app.servicePrincipalId());
            return this;
        }

        boolean hasFullAccess(String servicePrincipalId) {
            return fullAccessPrincipals.contains(servicePrincipalId);
        }

        /**
         * An application access policy ({@code New-ApplicationAccessPolicy -AccessRight RestrictAccess}) that leaves
         * this mailbox out of the app's reach.
         */
        public Mailbox blockApp(App app) {
            blockedApps.add(app.clientId());
            return this;
        }

        public Mailbox unblockApp(App app) {
            blockedApps.remove(app.clientId());
            return this;
        }

        boolean blocks(String appId) {
            return appId != null && blockedApps.contains(appId.toLowerCase(Locale.ROOT));
        }

        /** Whether Graph can reach the mailbox (false: no Exchange Online licence, inactive, on-premises). */
        public Mailbox restApiEnabled(boolean enabled) {
            this.restApiEnabled = enabled;
            return this;
        }

        boolean restApiEnabled() {
            return restApiEnabled;
        }

        /** {@code Add-RecipientPermission -AccessRights SendAs -Trustee <user>}: the user may send as this mailbox. */
        public Mailbox grantSendAs(String userAddress) {
            sendAs.add(userAddress.toLowerCase(Locale.ROOT));
            return this;
        }

        /** {@code Set-Mailbox -GrantSendOnBehalfTo <user>}: the user may send on behalf of this mailbox. */
        public Mailbox grantSendOnBehalf(String userAddress) {
            sendOnBehalf.add(userAddress.toLowerCase(Locale.ROOT));
            return this;
        }

        boolean allowsSendAs(String userAddress) {
            return userAddress != null && sendAs.contains(userAddress.toLowerCase(Locale.ROOT));
        }

        boolean allowsSendOnBehalf(String userAddress) {
            return userAddress != null && sendOnBehalf.contains(userAddress.toLowerCase(Locale.ROOT));
        }

        /** The user's password, for basic authentication (SMTP AUTH LOGIN). */
        public Mailbox password(String password) {
            this.password = password;
            return this;
        }

        boolean passwordMatches(String candidate) {
            return password != null && password.equals(candidate);
        }

        /** {@code Set-CASMailbox -SmtpClientAuthenticationDisabled}; {@code null} follows the tenant. */
        public Mailbox smtpClientAuthenticationDisabled(Boolean disabled) {
            this.smtpClientAuthenticationDisabled = disabled;
            return this;
        }

        Boolean smtpClientAuthenticationDisabled() {
            return smtpClientAuthenticationDisabled;
        }

        public Mailbox dailyRecipientLimit(int limit) {
            this.dailyRecipientLimit = limit;
            return this;
        }

        int dailyRecipientLimit() {
            return dailyRecipientLimit;
        }

        public Mailbox maxSendSize(int bytes) {
            this.maxSendSize = bytes;
            return this;
        }

        int maxSendSize() {
            return maxSendSize;
        }
    }
}
