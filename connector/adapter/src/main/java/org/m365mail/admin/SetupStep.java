package org.m365mail.admin;

/**
 * One step of a connection factory's setup, as Check setup found it.
 *
 * @param name   the step, as the setup guide names it ("Sign in to Entra", "Mail.Send permission", ...)
 * @param ok     whether it is done; {@code null} when it could not be checked because an earlier step failed
 * @param detail what was found, and when not done, what to do
 */
public record SetupStep(String name, Boolean ok, String detail) {
}
