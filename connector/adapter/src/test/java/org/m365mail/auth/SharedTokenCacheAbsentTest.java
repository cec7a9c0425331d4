package org.m365mail.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailConnection;
import org.m365mail.api.MailConnectionFactory;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.ra.MailResourceAdapter;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;

import java.util.List;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tokenCache=JCACHE where the server has no JCache (here: no JNDI at all): one WARNING, then tokens per instance. */
class SharedTokenCacheAbsentTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-no-jcache");

    @Test
    void withoutJCacheTheFactoryWarnsOnceAndStillSends() throws Exception {
        List<LogRecord> warnings;
        try (CapturedLog log = new CapturedLog(JCacheSharedTokens.class);
             MailResourceAdapter deployment = MailResourceAdapter.standalone()) {
            for (String transport : List.of("GRAPH", "SMTP")) {
                MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), transport);
                mcf.setResourceAdapter(deployment);
                mcf.setTokenCache("JCACHE");
                mcf.setTokenCacheKey("cluster-cache-key, sixteen+");
                try (MailConnection c = ((MailConnectionFactory) mcf.createConnectionFactory()).getConnection()) {
                    c.send(SandboxFactories.textMessage("no jcache " + transport, "x"));
                }
            }
            warnings = log.warnings();
        }
        assertEquals(1, SANDBOX.get().outbox().withSubject("no jcache GRAPH").size());
        assertEquals(1, SANDBOX.get().outbox().withSubject("no jcache SMTP").size());
        assertEquals(1, warnings.size(), "one WARNING per deployment, not per factory");
        assertTrue(warnings.get(0).getMessage().contains("M365MAIL-2401")
                && warnings.get(0).getMessage().contains("tokenCache=LOCAL"), warnings.get(0).getMessage());
    }
}
