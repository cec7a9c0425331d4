package org.m365mail.alert;

import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.resource.ResourceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.testing.TestNaming;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The other pool that carries alerts: looked up when an alert goes out, and only if it is one of this connector's. */
class FallbackPoolTest {

    private static final String NAME = "java:global/mail/Fallback";
    private AutoCloseable naming;
    private final FallbackPool fallback = new FallbackPool(NAME);
    private final Message message = new MimeMessage(jakarta.mail.Session.getInstance(new java.util.Properties()));

    @BeforeEach
    void install() {
        naming = TestNaming.install();
    }

    @AfterEach
    void uninstall() throws Exception {
        naming.close();
    }

    @Test
    void itIsKnownByItsJndiName() {
        assertEquals(NAME, fallback.name());
    }

    @Test
    void aFactoryFoundUnderTheNameSendsTheMessageOnAConnectionItClosesAfter() throws Exception {
        FakeFactory factory = new FakeFactory();
        TestNaming.bind(NAME, factory);
        fallback.send(message);
        assertEquals(List.of(message), factory.sent);
        assertEquals(1, factory.closed.get(), "the connection goes back to its pool");
    }

    @Test
    void aNameTheServerDoesNotKnowFailsTheSendNamingIt() {
        MailSendException e = assertThrows(MailSendException.class, () -> fallback.send(message));
        assertTrue(e.getMessage().startsWith("alertFallbackFactory java:global/mail/Fallback is not a name the "
                + "server knows"), e.getMessage());
    }

    @Test
    void somethingElseUnderTheNameIsRefusedNamingWhatWasFound() {
        TestNaming.bind(NAME, "a string");
        MailSendException e = assertThrows(MailSendException.class, () -> fallback.send(message));
        assertEquals("alertFallbackFactory java:global/mail/Fallback is not a connection factory of this connector "
                + "(found java.lang.String)", e.getMessage());
    }

    @Test
    void aNameBoundToNothingIsRefused() {
        TestNaming.bind(NAME, null);
        MailSendException e = assertThrows(MailSendException.class, () -> fallback.send(message));
        assertEquals("alertFallbackFactory java:global/mail/Fallback is not a connection factory of this connector "
                + "(found nothing)", e.getMessage());
    }

    @Test
    void theFallbacksOwnSendFailureIsPassedOnAsItIs() {
        FakeFactory factory = new FakeFactory();
        factory.sendFails = new MailSendException("Throttled", "429", null);
        TestNaming.bind(NAME, factory);
        assertSame(factory.sendFails, assertThrows(MailSendException.class, () -> fallback.send(message)));
        assertEquals(1, factory.closed.get());
    }

    @Test
    void aConnectionThatCannotBeHadFailsTheSendWithTheCause() {
        FakeFactory factory = new FakeFactory();
        factory.connectionFails = new ResourceException("pool exhausted");
        TestNaming.bind(NAME, factory);
        MailSendException e = assertThrows(MailSendException.class, () -> fallback.send(message));
        assertTrue(e.getMessage().startsWith("alertFallbackFactory java:global/mail/Fallback could not send: "),
                e.getMessage());
        assertInstanceOf(ResourceException.class, e.getCause());
    }
}
