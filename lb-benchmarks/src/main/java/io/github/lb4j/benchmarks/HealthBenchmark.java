package io.github.lb4j.benchmarks;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.OutlierDetection;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What health tracking costs.
 *
 * <ul>
 *   <li>{@code pick}: one {@code select -> success} with health tracking {@code off} (no outlier detection, no slow
 *       start, no panic), {@code on} (the defaults, nothing happening) and {@code ejected} (the defaults, one backend
 *       ejected: its return is a rebuild scheduled on the shared scheduler, so picks still do not read the clock),
 *       against the floor of an atomic counter and one allocation. Target: {@code on} within 1.2 x {@code off}.
 *   <li>{@code failureMix}: the same with one call in 97 reported as a failure, so the breakers are fed for a while
 *       after each failure.
 *   <li>{@code breakerOnSuccess*}: one resilience4j {@code onSuccess} with and without an event consumer (why the
 *       pool does not subscribe to its breakers' events but reads their state).
 *   <li>{@code transition}: a backend ejected (5 failures) and brought back (its ejection time passes, on a ticker
 *       the benchmark moves, so the first pick after it rebuilds): two health transitions, each a snapshot rebuild,
 *       at 10 and 10 000 backends; {@code membershipUpdate} for reference.
 * </ul>
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar HealthBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HealthBenchmark {

    static final int POOL = 100;

    static LoadBalancer.Builder builder(String strategy, int size, String health) {
        LoadBalancer.Builder b = LoadBalancer.builder("health-bench").backends(SelectBenchmark.backends(size))
                .strategy(SelectBenchmark.strategy(strategy));
        if (health.equals("off")) {
            b.outlierDetection(OutlierDetection.disabled()).slowStart(Duration.ZERO).panicThreshold(0);
        } else {
            // Long ejections, so that an ejection made at setup outlasts the whole trial.
            b.outlierDetection(OutlierDetection.builder().baseEjectionTime(Duration.ofMinutes(10))
                    .maxEjectionTime(Duration.ofMinutes(10)).build());
        }
        return b;
    }

    static void eject(LoadBalancer lb, Backend backend, int failures) {
        for (int i = 0; i < failures; i++) {
            lb.select(RequestContext.ofPinned(backend.id())).failure(new IOException("bench"));
        }
    }

    @State(Scope.Benchmark)
    public static class Pool {
        @Param({"roundRobin", "leastRequests"})
        public String strategy;

        @Param({"off", "on", "ejected"})
        public String health;

        LoadBalancer lb;
        final AtomicInteger calls = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() {
            lb = builder(strategy, POOL, health.equals("off") ? "off" : "on").build();
            if (health.equals("ejected")) {
                eject(lb, lb.backends().get(0), OutlierDetection.DEFAULT_CONSECUTIVE_FAILURES);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lb.close();
        }
    }

    @State(Scope.Benchmark)
    public static class FailingPool {
        @Param({"off", "on"})
        public String health;

        LoadBalancer lb;
        final AtomicInteger calls = new AtomicInteger();
        final IOException failure = new IOException("bench");

        @Setup(Level.Trial)
        public void setUp() {
            lb = builder("roundRobin", POOL, health).build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lb.close();
        }
    }

    /** A pool on a ticker the benchmark moves, for ejecting and bringing back one backend over and over. */
    @State(Scope.Benchmark)
    public static class Transitions {
        @Param({"roundRobin", "leastRequests"})
        public String strategy;

        @Param({"10", "10000"})
        public int size;

        final AtomicLong now = new AtomicLong();
        LoadBalancer lb;
        Backend victim;
        RequestContext pinned;
        final IOException failure = new IOException("bench");

        @Setup(Level.Trial)
        public void setUp() {
            lb = LoadBalancer.builder("transitions").backends(SelectBenchmark.backends(size))
                    .strategy(SelectBenchmark.strategy(strategy)).ticker(now::get).slowStart(Duration.ZERO)
                    .build();
            victim = lb.backends().get(size / 2);
            pinned = RequestContext.ofPinned(victim.id());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lb.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Breakers {
        CircuitBreaker plain;
        CircuitBreaker subscribed;
        final AtomicLong transitions = new AtomicLong();

        @Setup(Level.Trial)
        public void setUp() {
            CircuitBreakerConfig config = CircuitBreakerConfig.custom().slidingWindowSize(50).minimumNumberOfCalls(20)
                    .automaticTransitionFromOpenToHalfOpenEnabled(false).build();
            plain = CircuitBreaker.of("plain", config);
            subscribed = CircuitBreaker.of("subscribed", config);
            subscribed.getEventPublisher().onStateTransition(e -> transitions.incrementAndGet());
        }
    }

    /** The floor: a shared cursor indexing per-backend in-flight counters, one increment, one decrement, one object. */
    @State(Scope.Benchmark)
    public static class Floor {
        final AtomicInteger[] inFlight = new AtomicInteger[POOL];
        final AtomicInteger cursor = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < POOL; i++) {
                inFlight[i] = new AtomicInteger();
            }
        }
    }

    /** What the floor allocates per call, like a {@link Selection}. */
    static final class Ticket {
        final AtomicInteger slot;

        Ticket(AtomicInteger slot) {
            this.slot = slot;
        }
    }

    @Benchmark
    public Ticket floor(Floor f) {
        AtomicInteger slot = f.inFlight[(f.cursor.getAndIncrement() & Integer.MAX_VALUE) % POOL];
        slot.incrementAndGet();
        Ticket t = new Ticket(slot);
        t.slot.decrementAndGet();
        return t;
    }

    @Benchmark
    public Selection pick(Pool pool) {
        Selection s = pool.lb.select();
        s.success();
        return s;
    }

    @Benchmark
    public Selection failureMix(FailingPool pool) {
        Selection s = pool.lb.select();
        if (pool.calls.incrementAndGet() % 97 == 0) {
            s.failure(pool.failure);
        } else {
            s.success();
        }
        return s;
    }

    @Benchmark
    public CircuitBreaker.State breakerOnSuccessPlain(Breakers b) {
        b.plain.onSuccess(0, TimeUnit.NANOSECONDS);
        return b.plain.getState();
    }

    @Benchmark
    public CircuitBreaker.State breakerOnSuccessSubscribed(Breakers b) {
        b.subscribed.onSuccess(0, TimeUnit.NANOSECONDS);
        return b.subscribed.getState();
    }

    /**
     * Two transitions (ejected, back), each a snapshot rebuild, plus six pinned calls. A pinned pick on a new snapshot
     * builds its id map once (O(n)), so this includes two such builds.
     */
    @Benchmark
    public Selection transition(Transitions t) {
        for (int i = 0; i < OutlierDetection.DEFAULT_CONSECUTIVE_FAILURES; i++) {
            t.lb.select(t.pinned).failure(t.failure);
        }
        // Past any ejection (they grow up to the 300 s cap): the next pick brings the victim back.
        t.now.addAndGet(TimeUnit.SECONDS.toNanos(301));
        Selection s = t.lb.select(t.pinned);
        s.close();
        return s;
    }

    /** For reference: a membership update that changes one backend's weight (diff, rebuild, one event). */
    @Benchmark
    public LoadBalancer membershipUpdate(Transitions t) {
        java.util.List<Backend> next = new java.util.ArrayList<>(t.lb.backends());
        int i = t.size / 2;
        next.set(i, next.get(i).withWeight(next.get(i).weight() == 1 ? 2 : 1));
        t.lb.updateBackends(next);
        return t.lb;
    }
}
