package org.m365mail.outbox;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/outbox.md gives an administrator the DDL the connector itself runs, for every database it names. */
class OutboxDocsTest {

    @Test
    void theDocumentedDdlIsTheDdlTheConnectorRuns() throws Exception {
        String doc = Files.readString(Path.of("../../docs/outbox.md"));
        for (String database : new String[]{"PostgreSQL", "Oracle", "Microsoft SQL Server", "MySQL", "H2"}) {
            for (String statement : OutboxSchema.ddl(database)) {
                assertTrue(doc.contains(statement + ";"), database + ": docs/outbox.md lacks " + statement);
            }
        }
    }
}
