package org.m365mail.admin;

import java.time.Instant;

/**
 * The last failure of a connection factory that concerned the whole pool (its credentials, permissions, the way to
 * Microsoft, the mailbox's quota), with what to do about it. Never carries a secret.
 *
 * @param at     when it happened
 * @param kind   {@code authentication}, {@code permission}, {@code connectivity}, {@code throttling}, {@code quota}
 * @param detail what failed, naming the setting or step to fix
 * @param advice what an administrator does about this kind of failure
 */
public record LastFailure(Instant at, String kind, String detail, String advice) {
}
