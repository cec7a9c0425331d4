package org.m365mail.delivery;

import jakarta.mail.Message;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.api.SentMessage;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.MailTransport;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The factory's own channels for sends after a commit, sendAsync and the outbox: a channel that still works is kept
 * for the next send, a broken one is closed, one of a replaced transport is not used again, at most eight wait idle,
 * and closing the factory closes them all.
 */
class DeliveryChannelsTest {

    /** A transport whose channels keep their state for the test to see and set. */
    private static final class FakeTransport implements MailTransport {
        final List<FakeChannel> opened = new CopyOnWriteArrayList<>();
        /** Where each send waits, to have sends at the same time; {@code null}: none waits. */
        volatile CyclicBarrier sendGate;
        /** Whether a send meets the test a second time before it ends (once in it, once to be let go). */
        volatile boolean meetTwice;

        @Override
        public FakeChannel open() {
            FakeChannel c = new FakeChannel(this);
            opened.add(c);
            return c;
        }

        @Override
        public void close() {
        }
    }

    private static final class FakeChannel implements MailChannel {
        final FakeTransport transport;
        int sends;
        boolean broken;
        boolean breaksOnSend;
        MailSendException failure;
        volatile int closes;

        FakeChannel(FakeTransport transport) {
            this.transport = transport;
        }

        @Override
        public SentMessage send(Message message) throws MailSendException {
            sends++;
            CyclicBarrier gate = transport.sendGate;
            if (gate != null) {
                try {
                    gate.await(10, TimeUnit.SECONDS);
                    if (transport.meetTwice) {
                        gate.await(10, TimeUnit.SECONDS);
                    }
                } catch (Exception e) {
                    throw new MailSendException("the test's senders did not meet", e);
                }
            }
            broken |= breaksOnSend;
            if (failure != null) {
                throw failure;
            }
            return null;
        }

        @Override
        public boolean isBroken() {
            return broken;
        }

        @Override
        public void close() {
            closes++;
        }
    }

    @Test
    void aWorkingChannelIsKeptForTheNextSend() throws Exception {
        FakeTransport transport = new FakeTransport();
        DeliveryChannels channels = new DeliveryChannels(() -> transport);
        channels.send(null);
        channels.send(null);
        assertEquals(1, transport.opened.size());
        assertEquals(2, transport.opened.get(0).sends);
        assertEquals(0, transport.opened.get(0).closes);
    }

    @Test
    void aChannelThatBrokeInItsSendIsClosedAndTheNextSendOpensAnother() throws Exception {
        FakeTransport transport = new FakeTransport();
        DeliveryChannels channels = new DeliveryChannels(() -> transport);
        channels.send(null);
        transport.opened.get(0).breaksOnSend = true;
        channels.send(null);
        assertEquals(1, transport.opened.get(0).closes);
        channels.send(null);
        assertEquals(2, transport.opened.size());
    }

    @Test
    void aRefusedSendKeepsAWorkingChannelAndClosesABrokenOneAndTheRefusalReachesTheCaller() throws Exception {
        FakeTransport transport = new FakeTransport();
        DeliveryChannels channels = new DeliveryChannels(() -> transport);
        MailSendException refused = new MailSendException("refused");
        channels.send(null);
        FakeChannel first = transport.opened.get(0);
        first.failure = refused;
        assertSame(refused, assertThrows(MailSendException.class, () -> channels.send(null)));
        assertEquals(0, first.closes, "a refusal of one message leaves the connection usable");
        first.breaksOnSend = true;
        assertSame(refused, assertThrows(MailSendException.class, () -> channels.send(null)));
        assertEquals(1, first.closes);
        first.failure = null;
        channels.send(null);
        assertEquals(2, transport.opened.size());
    }

    @Test
    void anIdleChannelThatBrokeMeanwhileIsClosedNotUsed() throws Exception {
        FakeTransport transport = new FakeTransport();
        DeliveryChannels channels = new DeliveryChannels(() -> transport);
        channels.send(null);
        FakeChannel idle = transport.opened.get(0);
        idle.broken = true;
        channels.send(null);
        assertEquals(1, idle.sends);
        assertEquals(1, idle.closes);
        assertEquals(2, transport.opened.size());
    }

    @Test
    void theChannelsOfAReplacedTransportAreClosedNotUsed() throws Exception {
        FakeTransport before = new FakeTransport();
        FakeTransport after = new FakeTransport();
        FakeTransport[] current = {before};
        DeliveryChannels channels = new DeliveryChannels(() -> current[0]);
        channels.send(null);
        current[0] = after;
        channels.send(null);
        assertEquals(1, before.opened.get(0).sends);
        assertEquals(1, before.opened.get(0).closes);
        assertEquals(1, after.opened.size());
    }

    @Test
    void atMostEightWaitIdleAndClosingClosesThem() throws Exception {
        FakeTransport transport = new FakeTransport();
        CyclicBarrier allSending = new CyclicBarrier(10);
        transport.sendGate = allSending;
        DeliveryChannels channels = new DeliveryChannels(() -> transport);
        List<Thread> senders = new ArrayList<>();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 10; i++) {
            senders.add(new Thread(() -> {
                try {
                    channels.send(null);
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        senders.forEach(Thread::start);
        for (Thread t : senders) {
            t.join(10_000);
        }
        assertTrue(failures.isEmpty(), failures.toString());
        assertEquals(10, transport.opened.size(), "ten sends at once, on ten channels");
        assertEquals(2, transport.opened.stream().filter(c -> c.closes == 1).count(), "eight are kept");

        channels.close();
        assertTrue(transport.opened.stream().allMatch(c -> c.closes == 1));
    }

    @Test
    void aChannelWhoseSendEndsAfterTheFactoryClosedIsClosed() throws Exception {
        FakeTransport transport = new FakeTransport();
        CyclicBarrier inSend = new CyclicBarrier(2);
        transport.sendGate = inSend;
        transport.meetTwice = true;
        DeliveryChannels channels = new DeliveryChannels(() -> transport);
        Thread sender = new Thread(() -> {
            try {
                channels.send(null);
            } catch (MailSendException e) {
                throw new IllegalStateException(e);
            }
        });
        sender.start();
        inSend.await(10, TimeUnit.SECONDS);
        channels.close();
        inSend.await(10, TimeUnit.SECONDS);
        sender.join(10_000);
        assertEquals(1, transport.opened.get(0).closes);
    }
}
