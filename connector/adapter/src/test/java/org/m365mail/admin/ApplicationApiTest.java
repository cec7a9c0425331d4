package org.m365mail.admin;

import org.junit.jupiter.api.Test;
import org.m365mail.api.MailConnectionFactory;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What every application gets only sends: administration (a mailbox's consent) is not reachable through the
 * application API, and the admin types are not in the API package applications compile against.
 */
class ApplicationApiTest {

    @Test
    void theFactoryApplicationsGetHandsOutConnectionsAndItsOutboxOnly() {
        Set<String> methods = Arrays.stream(MailConnectionFactory.class.getMethods()).map(Method::getName)
                .collect(Collectors.toSet());
        // getConnection, the Referenceable contract the JCA specification requires of a connection factory, and the
        // outbox (its messages' counts, retry and discard: the application's own mail, for its own tooling).
        assertEquals(Set.of("getConnection", "getReference", "setReference", "outbox"), methods);
    }

    @Test
    void noAdministrationTypeIsInTheApiPackage() {
        for (String name : new String[]{"MailboxConsent", "FactoryAdministration"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName("org.m365mail.api." + name), name);
        }
    }
}
