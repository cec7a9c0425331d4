package org.m365mail.rar;

import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.Connector;
import org.junit.jupiter.api.Test;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.ra.MailResourceAdapter;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The RAR's metadata (annotations, no ra.xml) as servers turn it into their own descriptors. Open Liberty writes
 * every config property's description unescaped into a generated metatype XML: one '&amp;' or '&lt;' there makes it
 * drop all the adapter's properties (CWWKE0700W, and every lookup fails). The portable suite finds that on Liberty;
 * this finds it in every build.
 */
class DeploymentMetadataTest {

    @Test
    void descriptionsHoldNoCharacterThatAGeneratedXmlDescriptorWouldHaveToEscape() {
        List<String> texts = new ArrayList<>();
        Connector connector = MailResourceAdapter.class.getAnnotation(Connector.class);
        texts.addAll(List.of(connector.description()));
        texts.addAll(List.of(connector.displayName()));
        for (Class<?> type : List.of(MailResourceAdapter.class, MailManagedConnectionFactory.class)) {
            for (Field field : type.getDeclaredFields()) {
                ConfigProperty property = field.getAnnotation(ConfigProperty.class);
                if (property != null) {
                    for (String description : property.description()) {
                        texts.add(type.getSimpleName() + "." + field.getName() + ": " + description);
                    }
                }
            }
        }
        assertEquals(true, texts.size() > 30, "the properties were found: " + texts.size());
        List<String> unsafe = texts.stream().filter(t -> t.matches("(?s).*[&<>].*")).toList();
        assertEquals(List.of(), unsafe, "descriptions with &, < or >");
    }
}
