package org.m365mail.outbox;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.m365mail.api.MailSendException;
import org.m365mail.api.OutboxEntry;
import org.m365mail.api.SentMessage;
import org.m365mail.config.MailSettings;
import org.m365mail.delivery.DeliveryChannels;
import org.m365mail.monitor.PoolMonitor;
import org.m365mail.outbound.MailManagedConnectionFactory;
import org.m365mail.policy.SendingPolicy;
import org.m365mail.runtime.ConnectorRuntime;
import org.m365mail.testing.Await;
import org.m365mail.testing.CapturedLog;
import org.m365mail.testing.ManualClock;
import org.m365mail.transport.MailChannel;
import org.m365mail.transport.MailTransport;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox's delivering threads with a transport of the test's own (so each attempt's outcome is the test's
 * choice), on H2, with a clock the test moves: what each outcome leaves in the table and in the log, when a message is
 * tried again, what housekeeping finds, and how a database that fails is waited out.
 */
class OutboxDeliveryTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();
    private final ConnectorRuntime runtime = new ConnectorRuntime("outbox-delivery-test");
    private final ExecutorService own = Executors.newSingleThreadExecutor();
    private final JdbcDataSource h2 = new JdbcDataSource();
    private final PoolMonitor monitor = new PoolMonitor("test pool", Duration.ofMinutes(5), clock);
    /** The outcomes the transport gives, per subject, in turn; once used up (or none), it accepts. */
    private final Map<String, Deque<Outcome>> script = new ConcurrentHashMap<>();
    /** How often the transport was asked to send each subject. */
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Logger logger = Logger.getLogger(OutboxDelivery.class.getName());
    private final Level level = logger.getLevel();
    private final CapturedLog log = new CapturedLog(OutboxDelivery.class);
    private OutboxDelivery delivery;
    private JdbcOutbox outbox;

    /** What one attempt of the transport does: refuse, or wait for the test first. */
    private record Outcome(MailSendException refusal, CountDownLatch release, CountDownLatch started) {
    }

    private final MailTransport transport = new MailTransport() {
        @Override
        public MailChannel open() {
            return new MailChannel() {
                @Override
                public SentMessage send(Message message) throws MailSendException {
                    try {
                        String subject = message.getSubject();
                        attempts.computeIfAbsent(subject, s -> new AtomicInteger()).incrementAndGet();
                        Outcome next = script.getOrDefault(subject, new ArrayDeque<>()).poll();
                        if (next != null && next.release() != null) {
                            next.started().countDown();
                            next.release().await();
                        }
                        if (next != null && next.refusal() != null) {
                            throw next.refusal();
                        }
                        return new SentMessage(message.getHeader("Message-ID")[0], "GRAPH", "ref-" + subject,
                                clock.instant());
                    } catch (MessagingException e) {
                        throw new MailSendException("unreadable", e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new MailSendException("interrupted", e);
                    }
                }

                @Override
                public boolean isBroken() {
                    return false;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void close() {
        }
    };

    OutboxDeliveryTest() {
        h2.setURL("jdbc:h2:mem:outbox-delivery-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        logger.setLevel(Level.FINE);
    }

    @AfterEach
    void stop() throws Exception {
        if (delivery != null) {
            delivery.close();
        }
        log.close();
        logger.setLevel(level);
        own.shutdownNow();
        runtime.close();
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }

    private static MailSettings settings(Consumer<MailManagedConnectionFactory> more) throws Exception {
        MailManagedConnectionFactory p = new MailManagedConnectionFactory();
        p.setTenantId("contoso.onmicrosoft.com");
        p.setClientId("8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736");
        p.setClientSecret("client-secret-value");
        p.setFromAddress("notifications@contoso.com");
        p.setOutboxDeliveryThreads(1);
        more.accept(p);
        return MailSettings.validate(p);
    }

    /** The outbox on {@code source}, not yet delivering. */
    private JdbcOutbox outbox(DataSource source, MailSettings settings) {
        outbox = new JdbcOutbox("jdbc/outbox", () -> source, JdbcOutboxTest.KEY,
                new SendingPolicy(settings, runtime, clock), clock, own);
        return outbox;
    }

    private void start(DataSource source, MailSettings settings) {
        if (outbox == null) {
            outbox(source, settings);
        }
        delivery = new OutboxDelivery(outbox, new DeliveryChannels(() -> transport), monitor, clock, settings)
                .start(runtime);
    }

    private void start(Consumer<MailManagedConnectionFactory> more) throws Exception {
        start(h2, settings(more));
    }

    private String enqueue(String subject, Outcome... outcomes) throws Exception {
        script.put(subject, new ArrayDeque<>(List.of(outcomes)));
        if (outbox == null) {
            outbox(h2, settings(p -> { }));
        }
        try (Connection c = h2.getConnection()) {
            return outbox.enqueue(c, JdbcOutboxTest.message(subject, "body"));
        }
    }

    private static Outcome refusal(String code) {
        return new Outcome(new MailSendException("refused with " + code, code, null), null, null);
    }

    private OutboxEntry awaitEntry(String messageId, OutboxEntry.State state) throws Exception {
        Await.until(() -> entry(messageId, state) != null, BOUND, messageId + " " + state);
        return entry(messageId, state);
    }

    private OutboxEntry entry(String messageId, OutboxEntry.State state) {
        try {
            return outbox.entries(state, 100).stream().filter(e -> e.messageId().equals(messageId)).findFirst()
                    .orElse(null);
        } catch (MailSendException e) {
            throw new AssertionError(e);
        }
    }

    /** The attempts of {@code messageId} if it is waiting, else -1 (one read: the state may change any moment). */
    private int waitingAfter(String messageId) {
        OutboxEntry waiting = entry(messageId, OutboxEntry.State.WAITING);
        return waiting == null ? -1 : waiting.attempts();
    }

    private int attempts(String subject) {
        return attempts.getOrDefault(subject, new AtomicInteger()).get();
    }

    private List<String> logged(Level at, String code) {
        return log.records().stream().filter(r -> r.getLevel() == at).map(LogRecord::getMessage)
                .filter(m -> m.startsWith(code)).toList();
    }

    private String column(String messageId, String column) throws SQLException {
        try (Connection c = h2.getConnection(); PreparedStatement s = c.prepareStatement("SELECT " + column + " FROM "
                + OutboxSchema.TABLE + " WHERE MESSAGE_ID = ?")) {
            s.setString(1, messageId);
            try (var rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void anAcceptedMessageIsRecordedDeliveredWithItsReferenceAndCounted() throws Exception {
        String messageId = enqueue("accepted");
        start(p -> { });
        OutboxEntry entry = awaitEntry(messageId, OutboxEntry.State.DELIVERED);
        assertEquals(1, entry.attempts());
        assertEquals("ref-accepted", column(messageId, "SERVICE_REFERENCE"));
        Await.until(() -> monitor.metrics().snapshot().sent() == 1, BOUND, "counted as sent");
        assertEquals(1, attempts("accepted"));
        List<String> started = logged(Level.INFO, "M365MAIL-7001");
        assertEquals(1, started.size());
        assertTrue(started.get(0).contains("jdbc/outbox") && started.get(0).contains("1 threads")
                && started.get(0).contains(delivery.owner()), started.get(0));
        Await.until(() -> logged(Level.FINE, "M365MAIL-7009").size() == 1, BOUND, "the delivery logged");
        assertTrue(delivery.owner().startsWith("m365mail-"));
    }

    @Test
    void aRefusalForGoodIsKeptFailedReportedAndNotTriedAgain() throws Exception {
        String rejected = enqueue("rejected", refusal("550 5.1.1"));
        String refused = enqueue("refused", refusal("TooManyRecipients"));
        String missing = enqueue("missing");
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM " + OutboxSchema.PARTS + " WHERE ID = '" + column(missing, "ID") + "'");
        }
        start(p -> { });
        OutboxEntry failed = awaitEntry(rejected, OutboxEntry.State.FAILED);
        assertEquals("refused with 550 5.1.1, error code: 550 5.1.1", failed.lastError());
        awaitEntry(refused, OutboxEntry.State.FAILED);
        OutboxEntry empty = awaitEntry(missing, OutboxEntry.State.FAILED);
        assertTrue(empty.lastError().contains("holds no content"), empty.lastError());
        assertEquals(0, attempts("missing"), "nothing to send");
        Await.until(() -> logged(Level.WARNING, "M365MAIL-7003").size() == 3, BOUND, "each reported");
        assertTrue(logged(Level.WARNING, "M365MAIL-7003").stream().allMatch(m -> m.contains("will not be retried")
                && m.contains("kept as FAILED")), log.warnings().toString());
        assertEquals(3, monitor.metrics().snapshot().failedTotal());

        clock.advance(Duration.ofHours(1));
        delivery.wake();
        String after = enqueue("after");
        delivery.wake();
        awaitEntry(after, OutboxEntry.State.DELIVERED);
        assertEquals(1, attempts("rejected"), "not tried again");
        assertEquals(1, attempts("refused"));
    }

    @Test
    void aFailureThatMayPassIsTriedAgainAfterAGrowingPause() throws Exception {
        String messageId = enqueue("unavailable", refusal("503"), refusal("503"));
        start(p -> { });
        Instant first = clock.instant();
        Await.until(() -> attempts("unavailable") == 1 && waitingAfter(messageId) == 1, BOUND,
                "the first attempt recorded");
        OutboxEntry waiting = entry(messageId, OutboxEntry.State.WAITING);
        long pause = Duration.between(first, waiting.nextAttemptAt()).toMillis();
        assertTrue(pause >= 4000 && pause <= 6000, "5 s ± 20 %: " + pause);
        assertEquals("refused with 503, error code: 503", waiting.lastError());
        Await.until(() -> logged(Level.FINE, "M365MAIL-7006").size() == 1, BOUND, "the attempt logged");
        assertTrue(logged(Level.FINE, "M365MAIL-7006").get(0).contains("attempt 1 failed (connectivity)"),
                logged(Level.FINE, "M365MAIL-7006").toString());

        // The table keeps milliseconds, the clock finer: move it to the very millisecond the attempt is due.
        clock.advance(Duration.between(clock.instant(), waiting.nextAttemptAt()));
        delivery.wake();
        Await.until(() -> attempts("unavailable") == 2 && waitingAfter(messageId) == 2, BOUND,
                "the second attempt recorded");
        Instant next = entry(messageId, OutboxEntry.State.WAITING).nextAttemptAt();
        long longer = Duration.between(clock.instant(), next).toMillis();
        assertTrue(longer >= 8000 && longer <= 12000, "10 s ± 20 %: " + longer);

        clock.advance(Duration.between(clock.instant(), next));
        delivery.wake();
        assertEquals(3, awaitEntry(messageId, OutboxEntry.State.DELIVERED).attempts());
        assertEquals(2, monitor.metrics().snapshot().failedTotal());
    }

    @Test
    void aThrottledMessageWaitsAtLeastAMinute() throws Exception {
        String messageId = enqueue("throttled", refusal("429"));
        start(p -> { });
        Instant now = clock.instant();
        Await.until(() -> waitingAfter(messageId) == 1, BOUND, "the attempt recorded");
        long pause = Duration.between(now, entry(messageId, OutboxEntry.State.WAITING).nextAttemptAt()).toMillis();
        assertTrue(pause >= 48_000 && pause <= 72_000, "a minute ± 20 %: " + pause);
    }

    @Test
    void aMessageStillFailingAfterOutboxRetryHoursIsKeptFailedWithItsAttempts() throws Exception {
        String messageId = enqueue("too long", refusal("503"));
        clock.advance(Duration.ofHours(1).plusMillis(1));
        start(p -> p.setOutboxRetryHours(1));
        OutboxEntry failed = awaitEntry(messageId, OutboxEntry.State.FAILED);
        assertEquals("refused with 503, error code: 503", failed.lastError());
        Await.until(() -> logged(Level.WARNING, "M365MAIL-7003").size() == 1, BOUND, "reported");
        String text = logged(Level.WARNING, "M365MAIL-7003").get(0);
        assertTrue(text.contains("after 1 attempts over 1 h (outboxRetryHours)"), text);
    }

    @Test
    void aMessageWithinOutboxRetryHoursIsStillRetried() throws Exception {
        String messageId = enqueue("just in time", refusal("503"));
        // The table keeps milliseconds, the clock finer: a millisecond less is within the hour.
        clock.advance(Duration.ofHours(1).minusMillis(1));
        start(p -> p.setOutboxRetryHours(1));
        Await.until(() -> waitingAfter(messageId) == 1, BOUND, "put back in line");
    }

    @Test
    void anAnswerThatNeverCameIsHeldInDoubtOrSentAgainAsOutboxInDoubtSays() throws Exception {
        MailSendException unknown = new MailSendException("the answer never came", "OutcomeUnknown", null);
        String held = enqueue("held", new Outcome(unknown, null, null));
        start(p -> { });
        OutboxEntry doubtful = awaitEntry(held, OutboxEntry.State.IN_DOUBT);
        assertEquals("the answer never came, error code: OutcomeUnknown", doubtful.lastError());
        Await.until(() -> logged(Level.WARNING, "M365MAIL-7004").size() == 1, BOUND, "reported");
        assertTrue(logged(Level.WARNING, "M365MAIL-7004").get(0).contains("not sent again on its own"));
        assertEquals(1L, monitor.metrics().snapshot().failed().get("connectivity"));
        delivery.close();
        delivery = null;
        outbox = null;

        String resent = enqueue("resent", new Outcome(unknown, null, null));
        start(p -> p.setOutboxInDoubt("RESEND"));
        assertEquals(2, awaitEntry(resent, OutboxEntry.State.DELIVERED).attempts(), "sent again at once");
        assertEquals(1, logged(Level.WARNING, "M365MAIL-7004").size(), "only the held one");
        assertEquals(1, attempts("held"));
    }

    @Test
    void housekeepingFindsADeadInstancesClaimsAndRemovesOldDeliveredMessages() throws Exception {
        String doubtful = enqueue("claimed by the dead");
        clock.advance(Duration.ofMillis(1));
        String old = enqueue("old");
        try (Connection c = h2.getConnection()) {
            assertEquals(doubtful, outbox.claimNext(c, "dead-instance", Duration.ofMillis(1), 1).orElseThrow()
                    .messageId());
        }
        clock.advance(Duration.ofMillis(2));
        start(p -> p.setOutboxKeepDeliveredHours(1));
        OutboxEntry inDoubt = awaitEntry(doubtful, OutboxEntry.State.IN_DOUBT);
        assertTrue(inDoubt.lastError().contains("dead-instance"), inDoubt.lastError());
        awaitEntry(old, OutboxEntry.State.DELIVERED);
        Await.until(() -> logged(Level.WARNING, "M365MAIL-7011").size() == 1, BOUND, "reported");
        assertTrue(logged(Level.WARNING, "M365MAIL-7011").get(0).contains("kept as IN_DOUBT"));
        assertEquals(1L, monitor.metrics().snapshot().failed().get("connectivity"), "counted as a failure");
        assertEquals(0, attempts("claimed by the dead"), "not sent again on its own");

        // Housekeeping runs every 15 s; the delivered one is an hour old by then.
        clock.advance(Duration.ofHours(1).plusSeconds(15));
        delivery.wake();
        Await.until(() -> entry(old, OutboxEntry.State.DELIVERED) == null, BOUND, "the old delivered row removed");
        Await.until(() -> logged(Level.FINE, "M365MAIL-7008").size() == 1, BOUND, "the removal logged");
        assertTrue(logged(Level.FINE, "M365MAIL-7008").get(0).contains("Removed 1 delivered"));
        assertTrue(entry(doubtful, OutboxEntry.State.IN_DOUBT) != null, "an in-doubt one is kept");
    }

    @Test
    void housekeepingWaitsFifteenSecondsBetweenRounds() throws Exception {
        String ghost = enqueue("ghost");
        try (Connection c = h2.getConnection()) {
            outbox.claimNext(c, "dead-instance", Duration.ofHours(1).minusSeconds(2), 1).orElseThrow();
        }
        String old = enqueue("old");
        start(p -> p.setOutboxKeepDeliveredHours(1));
        awaitEntry(old, OutboxEntry.State.DELIVERED);
        // A round at the hour, less a second: the ghost's claim has expired, the delivered row is not old enough.
        clock.advance(Duration.ofHours(1).minusSeconds(1));
        delivery.wake();
        awaitEntry(ghost, OutboxEntry.State.IN_DOUBT);
        assertTrue(entry(old, OutboxEntry.State.DELIVERED) != null);
        // 14 s later the row is old enough, but the next round is not due.
        clock.advance(Duration.ofSeconds(14));
        delivery.wake();
        String marker = enqueue("marker");
        delivery.wake();
        awaitEntry(marker, OutboxEntry.State.DELIVERED);
        assertTrue(entry(old, OutboxEntry.State.DELIVERED) != null, "the next round is not due yet");
        clock.advance(Duration.ofSeconds(1));
        delivery.wake();
        Await.until(() -> entry(old, OutboxEntry.State.DELIVERED) == null, BOUND, "the old delivered row removed");
    }

    @Test
    void aDeadInstancesClaimIsSentAgainWithResend() throws Exception {
        String claimed = enqueue("claimed");
        try (Connection c = h2.getConnection()) {
            outbox.claimNext(c, "dead-instance", Duration.ofMillis(1), 1).orElseThrow();
        }
        clock.advance(Duration.ofMillis(2));
        start(p -> p.setOutboxInDoubt("RESEND"));
        assertEquals(2, awaitEntry(claimed, OutboxEntry.State.DELIVERED).attempts());
        Await.until(() -> logged(Level.WARNING, "M365MAIL-7011").size() == 1, BOUND, "reported");
        assertTrue(logged(Level.WARNING, "M365MAIL-7011").get(0).contains("it is sent again (outboxInDoubt=RESEND)"));
        assertEquals(0L, monitor.metrics().snapshot().failed().get("connectivity"), "not a failure");
        assertEquals(0, monitor.metrics().snapshot().failedTotal());
    }

    @Test
    void aDatabaseThatFailsIsReportedOnceAMinuteAndWaitedOut() throws Exception {
        AtomicInteger failing = new AtomicInteger(Integer.MAX_VALUE);
        DataSource flaky = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && failing.getAndDecrement() > 0) {
                        throw new SQLException("the database is down", "08001");
                    }
                    try {
                        return method.invoke(h2, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        MailSettings settings = settings(p -> { });
        JdbcOutbox writer = new JdbcOutbox("jdbc/outbox", () -> h2, JdbcOutboxTest.KEY,
                new SendingPolicy(settings, runtime, clock), clock, own);
        String messageId;
        try (Connection c = h2.getConnection()) {
            messageId = writer.enqueue(c, JdbcOutboxTest.message("waited out", "body"));
        }
        outbox(flaky, settings);
        start(flaky, settings);
        Await.until(() -> logged(Level.WARNING, "M365MAIL-7005").size() == 1, BOUND, "reported");
        String text = logged(Level.WARNING, "M365MAIL-7005").get(0);
        assertTrue(text.contains("outboxDataSource jdbc/outbox") && text.contains("database is down")
                && text.contains("Check the JDBC resource"), text);
        // Tried again when woken (every 5 s otherwise), not reported again within the minute.
        int before = failing.get();
        delivery.wake();
        Await.until(() -> failing.get() < before, BOUND, "tried again");
        clock.advance(Duration.ofSeconds(59));
        int again = failing.get();
        delivery.wake();
        Await.until(() -> failing.get() < again, BOUND, "tried again");
        assertEquals(1, logged(Level.WARNING, "M365MAIL-7005").size());
        clock.advance(Duration.ofSeconds(1));
        int third = failing.get();
        delivery.wake();
        Await.until(() -> failing.get() < third, BOUND, "tried again");
        Await.until(() -> logged(Level.WARNING, "M365MAIL-7005").size() == 2, BOUND, "reported a minute on");

        failing.set(0);
        delivery.wake();
        try (Connection c = h2.getConnection()) {
            Await.until(() -> "DELIVERED".equals(state(c, messageId)), BOUND, "delivered once the database is back");
        }
        assertEquals(1, attempts("waited out"));
    }

    private static String state(Connection c, String messageId) {
        try (PreparedStatement s = c.prepareStatement("SELECT STATE FROM " + OutboxSchema.TABLE
                + " WHERE MESSAGE_ID = ?")) {
            s.setString(1, messageId);
            try (var rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** A data source whose statements recording a delivery fail {@code times} times. */
    private DataSource failingDeliveredRecord(AtomicInteger times) {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(method, h2, args);
                    if (!(result instanceof Connection real)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("prepareStatement") && String.valueOf(a[0])
                                        .contains("DELIVERED_AT = ?") && times.getAndDecrement() > 0) {
                                    throw new SQLException("the connection broke", "08006");
                                }
                                return invoke(m, real, a);
                            });
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void anAcceptedMessageWhoseRecordFailsIsRecordedOnANewSession() throws Exception {
        AtomicInteger times = new AtomicInteger(2);
        MailSettings settings = settings(p -> { });
        DataSource source = failingDeliveredRecord(times);
        outbox(source, settings);
        String messageId = enqueue("recorded late");
        start(source, settings);
        assertEquals(1, awaitEntry(messageId, OutboxEntry.State.DELIVERED).attempts());
        assertEquals(1, attempts("recorded late"), "sent once");
        assertTrue(logged(Level.SEVERE, "M365MAIL-7010").isEmpty());
        String next = enqueue("next");
        delivery.wake();
        awaitEntry(next, OutboxEntry.State.DELIVERED);
        assertTrue(logged(Level.WARNING, "M365MAIL-7005").isEmpty(), "the thread's own session was kept, not closed");
    }

    @Test
    void anAcceptedMessageWhoseRecordKeepsFailingIsReportedAndLeftToItsLease() throws Exception {
        AtomicInteger times = new AtomicInteger(5);
        MailSettings settings = settings(p -> { });
        DataSource source = failingDeliveredRecord(times);
        outbox(source, settings);
        String messageId = enqueue("not recorded");
        start(source, settings);
        Await.until(() -> logged(Level.SEVERE, "M365MAIL-7010").size() == 1, BOUND, "reported");
        assertTrue(logged(Level.SEVERE, "M365MAIL-7010").get(0).contains("accepted by Microsoft 365 but cannot be "
                + "recorded"));
        assertEquals(0, times.get(), "five attempts");
        assertEquals("SENDING", column(messageId, "STATE"), "its claim will expire and it will be in doubt");
        assertEquals(1, attempts("not recorded"));
    }

    @Test
    void anIdleThreadGivesItsDatabaseSessionBack() throws Exception {
        AtomicInteger open = new AtomicInteger();
        DataSource counted = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{DataSource.class}, (proxy, method, args) -> {
                    Object result = invoke(method, h2, args);
                    if (!(result instanceof Connection real)) {
                        return result;
                    }
                    open.incrementAndGet();
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("close") && !real.isClosed()) {
                                    open.decrementAndGet();
                                }
                                return invoke(m, real, a);
                            });
                });
        MailSettings settings = settings(p -> { });
        outbox(counted, settings);
        String messageId = enqueue("before idling");
        start(counted, settings);
        awaitEntry(messageId, OutboxEntry.State.DELIVERED);
        // Looks again after 20 ms, 40 ms, ... and gives the session back once the pause reaches a second.
        Await.until(() -> open.get() == 0, BOUND, "the session given back");
    }

    @Test
    void closingWaitsForTheSendInProgressAndThenClaimsNoMore() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        String sending = enqueue("in progress", new Outcome(null, release, started));
        start(p -> { });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        Thread closer = new Thread(delivery::close, "closer");
        closer.start();
        // Waiting for the delivering thread to end: closed to new claims by then.
        Await.until(() -> closer.getState() == Thread.State.TIMED_WAITING, BOUND, "close waiting");
        String later = enqueue("after close");
        release.countDown();
        closer.join(10_000);
        assertFalse(closer.isAlive(), "close returned");
        assertEquals("DELIVERED", column(sending, "STATE"), "the send in progress is recorded");
        assertEquals("WAITING", column(later, "STATE"), "nothing claimed after close");
        assertEquals(0, attempts("after close"));
        assertFalse(logged(Level.INFO, "M365MAIL-7001").isEmpty());
    }
}
