package org.m365mail.outbox;

import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.m365mail.admin.FactoryAdministration;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.api.MailOutbox;
import org.m365mail.sandbox.DeliveredMessage;
import org.m365mail.testing.Await;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances on one outbox, on H2 and on a real PostgreSQL, deliver each of a thousand messages once: their claims
 * never overlap. A class of its own because it runs for half a minute per database, which mutation testing (PIT) would
 * pay for every outbox mutant; {@link OutboxTest} covers the same code path on a few messages.
 */
class OutboxConcurrencyTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-outbox-concurrency");
    private static final OutboxRig RIG = new OutboxRig(SANDBOX);

    @AfterEach
    void stopAdapters() {
        RIG.stopAdapters();
    }

    @AfterAll
    static void stopDatabases() throws Exception {
        RIG.close();
    }

    @ParameterizedTest
    @EnumSource(OutboxDatabases.Kind.class)
    void twoInstancesOnOneOutboxDeliverEachOfAThousandMessagesOnce(OutboxDatabases.Kind kind) throws Exception {
        DataSource ds = RIG.fresh(kind);
        // Two resource adapters (two deployments, as on two servers), two delivering threads each.
        MailConnectionFactory first = RIG.factory(ds, "GRAPH", mcf -> mcf.setOutboxDeliveryThreads(2));
        MailConnectionFactory second = RIG.factory(ds, "GRAPH", mcf -> mcf.setOutboxDeliveryThreads(2));
        MailOutbox outbox = first.outbox().orElseThrow();
        String prefix = kind + " thousand ";
        int total = 1000;
        for (int batch = 0; batch < total / 50; batch++) {
            MimeMessage[] messages = new MimeMessage[50];
            for (int i = 0; i < 50; i++) {
                messages[i] = SandboxFactories.textMessage(prefix + (batch * 50 + i), "x");
            }
            OutboxRig.commit(ds, (batch % 2 == 0 ? first : second).outbox().orElseThrow(), true, messages);
        }
        Await.until(() -> OutboxRig.counts(outbox).delivered() == total, Duration.ofSeconds(180), "all delivered");
        Map<String, Long> bySubject = SANDBOX.get().outbox().messages().stream()
                .filter(m -> m.subject().startsWith(prefix))
                .collect(Collectors.groupingBy(DeliveredMessage::subject, Collectors.counting()));
        assertEquals(total, bySubject.size(), "none lost");
        assertEquals(List.of(), bySubject.entrySet().stream().filter(e -> e.getValue() != 1).toList(), "none twice");
        long byFirst = FactoryAdministration.of(first).metrics().sent();
        long bySecond = FactoryAdministration.of(second).metrics().sent();
        assertEquals(total, byFirst + bySecond);
        assertTrue(byFirst > 0 && bySecond > 0, "both instances delivered: " + byFirst + " and " + bySecond);
    }
}
