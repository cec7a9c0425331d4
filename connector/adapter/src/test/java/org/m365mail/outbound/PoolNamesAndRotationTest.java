package org.m365mail.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.m365mail.api.MailSendException;
import org.m365mail.sandbox.SandboxDefaults;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.SandboxExtension;
import org.m365mail.testing.SandboxFactories;
import org.m365mail.testing.StandaloneAdapter;
import org.m365mail.testing.TestNaming;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The names a server binds a pool under, as its connection manager tells them: each named pool has a monitor of its
 * own, and a pool the server re-created with changed properties takes over from the factory applications hold, which
 * ends what it had wired; a re-created pool with invalid properties does not.
 */
class PoolNamesAndRotationTest {

    @RegisterExtension
    static final SandboxExtension SANDBOX = new SandboxExtension("target/sandbox-pool-names");
    @RegisterExtension
    final StandaloneAdapter adapter = new StandaloneAdapter();

    /** A server's connection manager that says the name it binds its pool's connection factory under. */
    public static final class NamedManager implements ConnectionManager {
        private final String name;

        NamedManager(String name) {
            this.name = name;
        }

        public String getJndiName() {
            return name;
        }

        @Override
        public Object allocateConnection(ManagedConnectionFactory mcf, ConnectionRequestInfo info)
                throws ResourceException {
            throw new ResourceException("not asked in these tests");
        }
    }

    private MailManagedConnectionFactory pool(String secret) {
        MailManagedConnectionFactory mcf = SandboxFactories.factory(SANDBOX.get(), "GRAPH");
        mcf.setClientSecret(secret);
        return adapter.attach(mcf);
    }

    @Test
    void eachNameAServerBindsAPoolUnderHasAMonitorOfItsOwn() throws Exception {
        MailManagedConnectionFactory a = pool(SandboxDefaults.CLIENT_SECRET);
        MailManagedConnectionFactory b = pool(SandboxDefaults.CLIENT_SECRET);
        MailManagedConnectionFactory aNonTransactional = pool(SandboxDefaults.CLIENT_SECRET);
        MailManagedConnectionFactory unnamed = pool(SandboxDefaults.CLIENT_SECRET);
        MailManagedConnectionFactory blank = pool(SandboxDefaults.CLIENT_SECRET);

        Object made = a.createConnectionFactory(new NamedManager("mail/PoolA"));
        b.createConnectionFactory(new NamedManager("mail/PoolB"));
        aNonTransactional.createConnectionFactory(new NamedManager("mail/PoolA__nontx"));
        blank.createConnectionFactory(new NamedManager(" "));

        assertSame(a, assertInstanceOf(MailConnectionFactoryImpl.class, made).managedConnectionFactory());
        assertNotSame(a.monitor(), b.monitor(), "same settings, another pool");
        assertSame(a.monitor(), aNonTransactional.monitor(), "the server's second name of the same pool");
        assertNotSame(a.monitor(), unnamed.monitor());
        assertSame(unnamed.monitor(), blank.monitor(), "a blank name is no name");
    }

    @Test
    void aPoolReCreatedWithANewSecretTakesOverAndTheOldWiringEnds() throws Exception {
        MailManagedConnectionFactory before = pool("Ab1Q~old.secret-of-the-named-pool");
        before.createConnectionFactory();
        FactoryServices oldServices = before.services();
        Map<String, Object> bound = new ConcurrentHashMap<>();
        before.boundAs("mail/Rotated", bound::get);
        MailManagedConnectionFactory after = pool("Cd2Q~new.secret-of-the-named-pool");
        bound.put("mail/Rotated", after.createConnectionFactory());

        try (CapturedLog log = new CapturedLog(MailManagedConnectionFactory.class)) {
            assertSame(after, before.current());
            List<String> lines = log.records().stream().map(LogRecord::getMessage)
                    .filter(m -> m.startsWith("M365MAIL-1006")).toList();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("M365MAIL-1006 The pool bound as mail/Rotated was changed "
                    + "(clientSecret): "), lines.get(0));
        }
        MailSendException e = assertThrows(MailSendException.class, () -> oldServices.deferred()
                .sendAsync(SandboxFactories.textMessage("through the old wiring", "x")));
        assertEquals("ConnectionClosedByPool", e.getErrorCode());
        assertSame(after.services(), before.services(), "the pool is served by the new factory");
    }

    @Test
    void aPoolReCreatedWithInvalidPropertiesDoesNotTakeOver() throws Exception {
        MailManagedConnectionFactory before = pool(SandboxDefaults.CLIENT_SECRET);
        before.createConnectionFactory();
        MailManagedConnectionFactory invalid = pool(SandboxDefaults.CLIENT_SECRET);
        invalid.setTenantId(null);
        invalid.setAuthorityUrl("not a url");
        before.boundAs("mail/Broken", name -> new MailConnectionFactoryImpl(invalid, new NamedManager(name)));

        assertSame(before, before.current());
    }

    @Test
    void theBoundNameIsLookedUpInTheServersNaming() throws Exception {
        MailManagedConnectionFactory before = pool("Ef3Q~old.secret-looked-up-by-name");
        before.createConnectionFactory();
        MailManagedConnectionFactory after = pool("Gh4Q~new.secret-looked-up-by-name");
        try (AutoCloseable naming = TestNaming.install(Map.of("mail/Named", after.createConnectionFactory()))) {
            before.boundAs("mail/Named", null);
            assertSame(after, before.current());
        }
    }
}
