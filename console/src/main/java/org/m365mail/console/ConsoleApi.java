package org.m365mail.console;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The console's JSON API under {@code api/}, which its pages (and scripts) use: the factories and their details,
 * Send test mail, Check setup and the setup assistant. Behind the same sign-in, role and CSRF check as every URL of
 * the console (web.xml); a POST carries the session's CSRF token as the {@code X-CSRF-Token} header.
 */
@ApplicationPath("api")
public class ConsoleApi extends Application {
}
