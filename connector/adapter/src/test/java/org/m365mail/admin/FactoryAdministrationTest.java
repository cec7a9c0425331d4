package org.m365mail.admin;

import jakarta.resource.ResourceException;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailConnectionFactory;

import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console reaches a factory's administration only for this connector's own factories. */
class FactoryAdministrationTest {

    /** A stand-in factory: {@code administration} is what it hands out when it is one of the connector's. */
    private static MailConnectionFactory factory(FactoryAdministration administration, boolean administered) {
        Class<?>[] types = administered
                ? new Class<?>[]{MailConnectionFactory.class, FactoryAdministration.Administered.class}
                : new Class<?>[]{MailConnectionFactory.class};
        return (MailConnectionFactory) Proxy.newProxyInstance(FactoryAdministrationTest.class.getClassLoader(), types,
                (proxy, method, args) -> {
                    if (method.getName().equals("administration")) {
                        return administration;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static FactoryAdministration administration() {
        return (FactoryAdministration) Proxy.newProxyInstance(FactoryAdministrationTest.class.getClassLoader(),
                new Class<?>[]{FactoryAdministration.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aFactoryOfThisConnectorHandsOutItsAdministration() throws Exception {
        FactoryAdministration administration = administration();
        assertSame(administration, FactoryAdministration.of(factory(administration, true)));
    }

    @Test
    void anotherConnectorsFactoryIsRefused() {
        ResourceException e = assertThrows(ResourceException.class,
                () -> FactoryAdministration.of(factory(administration(), false)));
        assertTrue(e.getMessage().contains("Not a connection factory of the Microsoft 365 mail connector"),
                e.getMessage());
    }
}
