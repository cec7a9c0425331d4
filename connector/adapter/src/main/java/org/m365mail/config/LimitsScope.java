package org.m365mail.config;

/** Whose sends a mailbox's limits count ({@code limitsScope}). */
public enum LimitsScope {
    /** This server's sends only: each instance of a cluster keeps the limits on its own. */
    INSTANCE,
    /**
     * Every instance's sends from the mailbox, counted together through the server's data grid (JCache; Payara's
     * Hazelcast), so that the cluster as a whole stays within the mailbox's limits.
     */
    CLUSTER
}
