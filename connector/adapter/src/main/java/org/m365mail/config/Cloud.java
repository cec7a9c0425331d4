package org.m365mail.config;

/**
 * The Microsoft 365 cloud a tenant lives in, with its sign-in host, Graph host, SMTP host and Exchange Online
 * resource. From https://learn.microsoft.com/en-us/graph/deployments (national cloud endpoints) and
 * https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
 * (Exchange resources per cloud). Large attachments by upload session are not available in the US Government
 * clouds (https://learn.microsoft.com/en-us/graph/api/attachment-createuploadsession, national cloud availability).
 */
public enum Cloud {
    /** Microsoft's global service. */
    GLOBAL("https://login.microsoftonline.com", "https://graph.microsoft.com", "smtp.office365.com",
            "https://outlook.office365.com", true, "office.com", "office365.com", "outlook.com", "microsoft.com"),
    /** Microsoft 365 GCC High (US Government L4). */
    US_GOV("https://login.microsoftonline.us", "https://graph.microsoft.us", "smtp.office365.us",
            "https://outlook.office365.us", false),
    /** Microsoft 365 DoD (US Government L5). */
    US_GOV_DOD("https://login.microsoftonline.us", "https://dod-graph.microsoft.us", "smtp.office365.us",
            "https://outlook.office365.us", false),
    /** Microsoft 365 operated by 21Vianet in China. */
    CHINA("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn", "smtp.partner.outlook.cn",
            "https://partner.outlook.cn", true, "partner.outlook.cn", "chinacloudapi.cn");

    private final String authorityUrl;
    private final String graphUrl;
    private final String smtpHost;
    private final String exchangeResource;
    private final boolean uploadSessions;
    private final java.util.List<String> uploadDomains;

    Cloud(String authorityUrl, String graphUrl, String smtpHost, String exchangeResource, boolean uploadSessions,
          String... uploadDomains) {
        this.authorityUrl = authorityUrl;
        this.graphUrl = graphUrl;
        this.smtpHost = smtpHost;
        this.exchangeResource = exchangeResource;
        this.uploadSessions = uploadSessions;
        this.uploadDomains = java.util.List.of(uploadDomains);
    }

    public String authorityUrl() {
        return authorityUrl;
    }

    public String graphUrl() {
        return graphUrl;
    }

    public String smtpHost() {
        return smtpHost;
    }

    /** The scope for SMTP AUTH with client credentials in this cloud. */
    public String exchangeScope() {
        return exchangeResource + "/.default";
    }

    /**
     * The delegated scope for SMTP AUTH with a user's token: {@code https://outlook.office.com/SMTP.Send} in the global
     * cloud (Microsoft's documented value), the cloud's Exchange resource elsewhere.
     */
    public String delegatedSmtpScope() {
        return (this == GLOBAL ? "https://outlook.office.com" : exchangeResource) + "/SMTP.Send";
    }

    /**
     * Whether {@code host} is one of Microsoft's in this cloud, where Graph's upload sessions may send attachment
     * bytes: Graph answers {@code createUploadSession} with a pre-authenticated URL on Outlook's host
     * ({@code https://outlook.office.com/api/v2.0/Users(...)/Messages(...)/AttachmentSessions(...)?authtoken=...} in
     * https://learn.microsoft.com/en-us/graph/api/attachment-createuploadsession).
     */
    public boolean isMicrosoftHost(String host) {
        String h = host.toLowerCase(java.util.Locale.ROOT);
        return uploadDomains.stream().anyMatch(d -> h.equals(d) || h.endsWith("." + d));
    }

    /** Whether Graph offers upload sessions for large attachments here. */
    public boolean hasUploadSessions() {
        return uploadSessions;
    }
}
