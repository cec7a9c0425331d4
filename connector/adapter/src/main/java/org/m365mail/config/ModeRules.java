package org.m365mail.config;

/** How the factory sends and signs in: {@code transport} and {@code authentication}, and whether they fit. */
final class ModeRules {

    /** @param transport GRAPH or SMTP; @param authentication how the connector signs in */
    record Modes(TransportKind transport, AuthenticationMode authentication) {
    }

    private ModeRules() {
    }

    static Modes check(MailProperties p, Problems problems) {
        TransportKind transport = problems.choice("transport", p.getTransport(), TransportKind.class,
                PropertyDefaults.TRANSPORT);
        AuthenticationMode authentication = problems.choice("authentication", p.getAuthentication(),
                AuthenticationMode.class, PropertyDefaults.AUTHENTICATION);
        if (authentication == AuthenticationMode.PASSWORD && transport == TransportKind.GRAPH) {
            problems.add("authentication PASSWORD works with transport SMTP; with transport GRAPH use "
                    + "CLIENT_CREDENTIALS, MANAGED_IDENTITY or DELEGATED");
        }
        return new Modes(transport, authentication);
    }
}
