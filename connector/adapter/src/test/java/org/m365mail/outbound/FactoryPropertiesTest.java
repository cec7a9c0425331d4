package org.m365mail.outbound;

import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.TransactionSupport.TransactionSupportLevel;
import org.junit.jupiter.api.Test;
import org.m365mail.config.MailSettings;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The factory's JavaBean properties as the server sets them: each setter's value comes back from its getter, takes
 * part in equality (the pool tells its factories apart by it) and clears the validated settings, and no confidential
 * value shows in {@code toString()}.
 */
class FactoryPropertiesTest {

    private static List<Field> properties() {
        List<Field> fields = new ArrayList<>();
        for (Field f : MailManagedConnectionFactory.class.getDeclaredFields()) {
            if (f.isAnnotationPresent(ConfigProperty.class)) {
                fields.add(f);
            }
        }
        return fields;
    }

    private static String capitalised(Field f) {
        return Character.toUpperCase(f.getName().charAt(0)) + f.getName().substring(1);
    }

    /** A value of the property's type that no other property gets. */
    private static Object distinctValue(Field f, int i) {
        Class<?> type = f.getType();
        if (type == String.class) {
            return "value-" + i + "-of-" + f.getName();
        } else if (type == Integer.class) {
            return 1000 + i;
        } else if (type == Long.class) {
            return 100_000L + i;
        } else if (type == Boolean.class) {
            return Boolean.TRUE;
        }
        throw new AssertionError("a property of an unexpected type: " + f);
    }

    private static void set(MailManagedConnectionFactory factory, Field f, Object value) throws Exception {
        Method setter = MailManagedConnectionFactory.class.getMethod("set" + capitalised(f), f.getType());
        setter.invoke(factory, value);
    }

    private static Object get(MailManagedConnectionFactory factory, Field f) throws Exception {
        return MailManagedConnectionFactory.class.getMethod("get" + capitalised(f)).invoke(factory);
    }

    private static MailManagedConnectionFactory everyPropertySet() throws Exception {
        MailManagedConnectionFactory factory = new MailManagedConnectionFactory();
        int i = 0;
        for (Field f : properties()) {
            set(factory, f, distinctValue(f, i++));
        }
        return factory;
    }

    @Test
    void everyPropertyComesBackFromItsGetter() throws Exception {
        List<Field> fields = properties();
        assertTrue(fields.size() > 40, "the factory's properties were found: " + fields.size());
        MailManagedConnectionFactory factory = everyPropertySet();
        int i = 0;
        for (Field f : fields) {
            assertEquals(distinctValue(f, i++), get(factory, f), f.getName());
        }
    }

    @Test
    void everyPropertyTellsTwoFactoriesApart() throws Exception {
        MailManagedConnectionFactory one = everyPropertySet();
        MailManagedConnectionFactory same = everyPropertySet();
        assertEquals(one, same);
        assertEquals(one.hashCode(), same.hashCode());
        assertNotEquals(one, new Object());
        int i = 0;
        for (Field f : properties()) {
            MailManagedConnectionFactory other = everyPropertySet();
            Object changed = f.getType() == Boolean.class ? Boolean.FALSE : distinctValue(f, 500 + i++);
            set(other, f, changed);
            assertNotEquals(one, other, f.getName() + " differs");
        }
    }

    @Test
    void confidentialValuesStayOutOfToStringAndTheRestNamesThePool() throws Exception {
        MailManagedConnectionFactory factory = everyPropertySet();
        String text = factory.toString();
        int i = 0;
        for (Field f : properties()) {
            Object value = distinctValue(f, i++);
            if (f.getAnnotation(ConfigProperty.class).confidential()) {
                assertFalse(text.contains(value.toString()), f.getName() + " shown: " + text);
            }
        }
        for (String naming : List.of("transport", "tenantId", "clientId", "fromAddress", "smtpHost", "smtpPort")) {
            Field f = MailManagedConnectionFactory.class.getDeclaredField(naming);
            f.setAccessible(true);
            assertTrue(text.contains(naming + "=" + f.get(factory)), naming + " missing: " + text);
        }
    }

    @Test
    void aSetterClearsTheValidatedSettings() throws Exception {
        MailManagedConnectionFactory factory = new MailManagedConnectionFactory();
        factory.setTenantId("11111111-2222-3333-4444-555555555555");
        factory.setClientId("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        factory.setClientSecret("not-a-real-secret");
        factory.setFromAddress("first@contoso.com");
        MailSettings before = factory.settings();
        assertEquals("first@contoso.com", before.fromAddress().getAddress());
        assertTrue(before == factory.settings(), "validated once");

        factory.setFromAddress("second@contoso.com");
        assertEquals("second@contoso.com", factory.settings().fromAddress().getAddress());
        factory.setMaxRecipientsPerMessage(7);
        assertEquals(7, factory.settings().sending().maxRecipients());
    }

    @Test
    void theFactoryDeclaresNoTransactions() {
        assertEquals(TransactionSupportLevel.NoTransaction,
                new MailManagedConnectionFactory().getTransactionSupport());
    }
}
