package org.m365mail.config;

/**
 * The connector's properties as the server set them on a connection factory, not yet checked: what
 * {@link MailSettings#validate(MailProperties)} reads. The managed connection factory is one; a test can be another.
 * Getter names follow the properties' names, so that the factory's JavaBean getters serve.
 */
public interface MailProperties {

    String getTransport();

    String getTenantId();

    String getClientId();

    String getClientSecret();

    /** The client secret under its other name, for servers that decode only properties named password. */
    String getApplicationPassword();

    String getCertificatePath();

    String getCertificatePassword();

    String getAuthentication();

    String getUsername();

    String getPassword();

    String getCloud();

    String getAuthorityUrl();

    String getGraphUrl();

    String getFromAddress();

    String getFromName();

    String getAllowedFromAddresses();

    String getSmtpHost();

    Integer getSmtpPort();

    String getSmtpTls();

    String getTrustStorePath();

    String getTrustStorePassword();

    Integer getSmtpMaxConcurrentSends();

    Integer getMessagesPerMinute();

    Integer getMaxRecipientsPerMessage();

    Long getMaxMessageBytes();

    Boolean getSaveToSentItems();

    Integer getGraphMaxConcurrentRequests();

    Integer getSendTimeoutSeconds();

    String getHttpProxy();

    Integer getConnectTimeoutMillis();

    Integer getReadTimeoutMillis();

    String getTokenStoreFile();

    String getTokenStoreKey();

    String getTokenStoreDataSource();

    String getTokenCache();

    String getTokenCacheKey();

    String getConsentRedirectUri();

    String getClientSecretExpires();

    String getAlertAddress();

    Integer getAlertIntervalMinutes();

    String getAlertFallbackFactory();

    Integer getUnhealthyAfterSeconds();

    Integer getExpiryWarningDays();

    String getLimitsScope();

    String getTransactionalSend();

    Integer getPendingSendsLimit();

    Integer getPendingSendsWaitMillis();

    String getOutboxDataSource();

    Integer getOutboxDeliveryThreads();

    Integer getOutboxRetryHours();

    Integer getOutboxKeepDeliveredHours();

    String getOutboxInDoubt();
}
