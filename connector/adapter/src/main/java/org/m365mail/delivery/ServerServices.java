package org.m365mail.delivery;

/**
 * What the application server gave the resource adapter for sends that leave the caller's thread: its transactions
 * (to send after a commit) and its work manager (to send asynchronously). Plain Java has neither:
 * {@link TransactionScope#NONE} and the connector's own threads.
 *
 * @param transactions the caller's transaction, as the server's synchronization registry shows it
 * @param work         where deferred sends run
 */
public record ServerServices(TransactionScope transactions, WorkRunner work) {
}
