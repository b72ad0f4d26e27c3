package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leaked selections (issue 12, item 4): a {@link Selection} that becomes unreachable without an outcome gets its
 * in-flight slot back and one WARN naming the pool, the backend and where it was opened; a completed one never does.
 * Driven by the garbage collector, so every wait is a bounded loop of {@link System#gc()} until the pool saw what it
 * must see, never a sleep; the assertions after it do not depend on how many rounds that took.
 */
class LeakDetectionTest {

    private static final int LEAKS = 1000;
    /** Rounds of GC before a test gives up; each round is one System.gc() and a poll. */
    private static final int GC_ROUNDS = 200;

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private PrintStream originalErr;

    /**
     * slf4j-simple writes to whatever System.err is at each line: keep what the pool logs (a thousand stack traces,
     * so not passed on to the test report).
     */
    @BeforeEach
    void captureLog() {
        originalErr = System.err;
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreLog() {
        System.setErr(originalErr);
    }

    private String log() {
        System.err.flush();
        return logged.toString(StandardCharsets.UTF_8);
    }

    private static DefaultLoadBalancer pool(String name, LeakDetector.Level level) {
        return (DefaultLoadBalancer) LoadBalancer.builder(name).backends(List.of(Backend.of("10.0.0.1", 80)))
                .strategy(Strategy.peakEwma()).leakDetection(level).build();
    }

    private static int inFlight(LoadBalancer pool) {
        return pool.stats().get(0).inFlight(); // stats() also polls for leaks
    }

    /** Collects garbage until {@code done}, at most {@link #GC_ROUNDS} times. */
    private static boolean gcUntil(BooleanSupplier done) {
        for (int i = 0; i < GC_ROUNDS; i++) {
            if (done.getAsBoolean()) {
                return true;
            }
            System.gc();
        }
        return done.getAsBoolean();
    }

    /** Opens selections and drops them, in a frame of its own so nothing on the test's stack keeps them. */
    private static void openAndForget(LoadBalancer pool, int n) {
        for (int i = 0; i < n; i++) {
            pool.select();
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void thousandUnclosedSelectionsGetTheirSlotsBackWithOneWarnEach() {
        try (DefaultLoadBalancer pool = pool("leaky-pool", LeakDetector.Level.ALL)) {
            openAndForget(pool, LEAKS);
            assertThat(gcUntil(() -> inFlight(pool) == 0)).as("in flight back to 0 after GC").isTrue();
            assertThat(pool.leaks.open()).isZero();
            BackendStats stats = pool.stats().get(0);
            assertThat(stats.failures()).as("a leak is neutral, not a failure").isZero();
            assertThat(stats.latencyEwmaNanos()).as("and records no latency (peakEwma would keep it)").isZero();
            String log = log();
            String warning = "pool 'leaky-pool': a Selection of backend 10.0.0.1:80 was garbage-collected without an"
                    + " outcome";
            assertThat(count(log, warning)).as("one WARN per leak").isEqualTo(LEAKS);
            assertThat(log).contains("WARN").contains("the Selection was opened here (lb4j.leakDetection=all)")
                    .contains("at io.github.lb4j.core.LeakDetectionTest.openAndForget(LeakDetectionTest.java:");
        }
    }

    @Test
    void closedAndCompletedSelectionsAreNeverReported() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (DefaultLoadBalancer pool = pool("tidy-pool", LeakDetector.Level.ALL)) {
            List<Selection> elsewhere = new ArrayList<>();
            for (int i = 0; i < LEAKS; i++) {
                Selection s = pool.select();
                switch (i % 4) {
                    case 0:
                        s.close();
                        break;
                    case 1:
                        s.success();
                        break;
                    case 2:
                        s.ignore();
                        break;
                    default:
                        elsewhere.add(s);
                        break;
                }
            }
            // Completed on another thread, then dropped by every thread.
            other.submit(() -> elsewhere.forEach(Selection::success)).get(10, TimeUnit.SECONDS);
            elsewhere.clear();
            assertThat(pool.leaks.open()).as("completed selections are no longer watched").isZero();
            openAndForget(pool, 1); // a real leak, so that GC provably ran long enough to find the others too
            assertThat(gcUntil(() -> inFlight(pool) == 0)).isTrue();
            assertThat(count(log(), "pool 'tidy-pool': a Selection of backend")).isEqualTo(1);
        } finally {
            other.shutdownNow();
        }
    }

    /**
     * Sampled, the choice rides on the count of calls started on the backend: exactly one selection in
     * {@link LeakDetector#SAMPLE_INTERVAL} is watched, so exactly that many leaks are found here; the others stay
     * in flight, which is what sampling trades for its cost.
     */
    @Test
    void sampledWatchesOneSelectionInTheIntervalPerBackend() {
        int leaks = 3 * LeakDetector.SAMPLE_INTERVAL + 5;
        try (DefaultLoadBalancer pool = pool("sampled-pool", LeakDetector.Level.SAMPLED)) {
            openAndForget(pool, leaks);
            int watched = 4; // started calls 0, 1024, 2048 and 3072
            // inFlight first: it polls for leaks
            assertThat(gcUntil(() -> inFlight(pool) == leaks - watched && pool.leaks.open() == 0)).isTrue();
            assertThat(count(log(), "pool 'sampled-pool': a Selection of backend")).isEqualTo(watched);
        }
    }

    @Test
    void offWatchesNothing() {
        try (DefaultLoadBalancer pool = pool("off-pool", LeakDetector.Level.OFF)) {
            assertThat(pool.leaks).isNull();
            assertThat(pool.select()).isExactlyInstanceOf(Selection.class);
        }
    }

    @Test
    void levelComesFromTheSystemPropertyAndABadValueIsNamed() {
        String before = System.getProperty(LeakDetector.PROPERTY);
        try {
            System.setProperty(LeakDetector.PROPERTY, "All");
            assertThat(LeakDetector.Level.fromSystemProperty()).isEqualTo(LeakDetector.Level.ALL);
            System.clearProperty(LeakDetector.PROPERTY);
            assertThat(LeakDetector.Level.fromSystemProperty()).isEqualTo(LeakDetector.Level.SAMPLED);
            System.setProperty(LeakDetector.PROPERTY, "sometimes");
            org.assertj.core.api.Assertions.assertThatThrownBy(LeakDetector.Level::fromSystemProperty)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lb4j.leakDetection").hasMessageContaining("'sometimes'");
        } finally {
            if (before == null) {
                System.clearProperty(LeakDetector.PROPERTY);
            } else {
                System.setProperty(LeakDetector.PROPERTY, before);
            }
        }
    }
}
