package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphStats;
import org.openjdk.jol.vm.VM;

/**
 * Exact heap footprints (JOL's GraphStats walks the object graph reachable from the pool; GraphLayout gives the
 * same totals, slower): bytes per backend at 10 000 backends,
 * and proof that untrusted hash keys leave nothing behind.
 *
 * <p>"The pool's own state" is everything reachable from the pool minus the {@link Backend} values the application
 * handed it (those exist whether or not a pool holds them) and minus the consistent-hash lookup structure, which is
 * reported on its own line: the ring of {@link Strategy#ringHash()} and the table of {@link Strategy#maglev()} are
 * sized by design (see their javadoc), not per backend.
 */
class MemoryFootprintTest {

    static final int BACKENDS = 10_000;
    /** The target of issue 8: at most 1 KiB of pool state per backend. */
    static final long MAX_BYTES_PER_BACKEND = 1024;
    /** Regression bound with a circuit breaker on every backend (above the target; see that test). */
    static final long MAX_BYTES_PER_BACKEND_WITH_BREAKERS = 4096;

    private static final RuntimeException FAILURE = new RuntimeException("simulated failure");

    static List<Strategy> strategies() {
        return StrategyCases.all();
    }

    static List<Backend> backends(int n) {
        List<Backend> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(Backend.of("10." + (i >> 16) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff), 8080)
                    .withWeight(1 + i % 4).withZone("zone-" + (i % 3)));
        }
        return list;
    }

    /**
     * One pool per strategy over the same 10 000 backends, in the state of a healthy pool (successes, ignored and
     * abandoned calls, no failure). The bounded-load variants keep exactly the state of their base strategy (one
     * more field), so the seven base strategies cover all ten.
     */
    @Test
    void poolStateStaysWithinOneKibPerBackendAtTenThousandBackends() throws Exception {
        List<Backend> members = backends(BACKENDS);
        long valueBytes = valueBytes(members);
        for (Strategy strategy : List.of(Strategy.roundRobin(), Strategy.random(), Strategy.leastRequests(),
                Strategy.peakEwma(), Strategy.ringHash(), Strategy.maglev(), Strategy.rendezvous())) {
            try (LoadBalancer pool = builder("mem", new ManualClock()).backends(members).strategy(strategy)
                    .random(new SplittableRandom(7)).build()) {
                warmUp(pool);
                double perBackend = report(strategy.name(), pool, valueBytes);
                assertThat(perBackend).as("pool state bytes per backend, %s", strategy.name())
                        .isLessThanOrEqualTo(MAX_BYTES_PER_BACKEND);
            }
        }
    }

    /**
     * Passive health gives a backend a circuit breaker at its first failure and drops it again once a full window of
     * successes follows. While every backend has a breaker (each failed once, recently) the pool's state is above the
     * 1 KiB target (resilience4j's count-based window holds one Measurement object per slot, 50 by default: about
     * 2.9 KB per backend); the bound here only catches regressions. The breaker does not depend on the strategy, so
     * the default strategy stands for all.
     */
    @Test
    void poolStateWithABreakerOnEveryBackend() throws Exception {
        List<Backend> members = backends(BACKENDS);
        long valueBytes = valueBytes(members);
        try (LoadBalancer pool = builder("mem", new ManualClock()).backends(members).random(new SplittableRandom(7))
                .build()) {
            warmUp(pool);
            touchEveryBackend(pool, members);
            double perBackend = report("roundRobin, every backend failed once", pool, valueBytes);
            assertThat(perBackend).as("pool state bytes per backend with breakers")
                    .isLessThanOrEqualTo(MAX_BYTES_PER_BACKEND_WITH_BREAKERS);
        }
    }

    /** After a full window of successes the breakers are dropped and the pool is back within the target. */
    @Test
    void breakersAreDroppedAfterAWindowOfSuccesses() throws Exception {
        List<Backend> members = backends(BACKENDS);
        long valueBytes = valueBytes(members);
        try (LoadBalancer pool = builder("mem", new ManualClock()).backends(members).random(new SplittableRandom(7))
                .build()) {
            warmUp(pool);
            touchEveryBackend(pool, members);
            for (Backend b : members) {
                RequestContext pin = RequestContext.ofPinned(b.id());
                for (int i = 0; i < OutlierDetection.DEFAULT_SLIDING_WINDOW_SIZE; i++) {
                    try (Selection s = pool.select(pin)) {
                        s.success();
                    }
                }
            }
            double perBackend = report("roundRobin, failed once, then recovered", pool, valueBytes);
            assertThat(perBackend).as("pool state bytes per backend after recovery")
                    .isLessThanOrEqualTo(MAX_BYTES_PER_BACKEND);
        }
    }

    private static long valueBytes(List<Backend> members) {
        Backend[] values = members.toArray(new Backend[0]);
        return GraphStats.parseInstance((Object) values).totalSize() - VM.current().sizeOf(values);
    }

    /** Prints one line of figures and returns the pool state per backend. */
    private static double report(String what, LoadBalancer pool, long valueBytes) throws Exception {
        long total = GraphStats.parseInstance(pool).totalSize();
        long lookup = lookupStructureBytes((DefaultLoadBalancer) pool);
        long own = total - valueBytes - lookup;
        double perBackend = own / (double) BACKENDS;
        System.out.printf(Locale.ROOT, "footprint %-38s pool state %5.0f B/backend (%,d B); lookup structure %,d B"
                + " (%.0f B/backend); Backend values %,d B (%.0f B/backend)%n", what, perBackend, own, lookup,
                lookup / (double) BACKENDS, valueBytes, valueBytes / (double) BACKENDS);
        return perBackend;
    }

    /**
     * A pool whose health timers go to a {@link ManualClock}: the shared scheduler's thread would drag the whole
     * JVM (thread group, class loaders) into the measured graph. The default health settings stay on.
     */
    /**
     * Leak detection sampled, not the test run's "all": these pools open millions of selections, all closed, and a
     * stack trace for each would triple the module's test time (the detector's own footprint is still measured:
     * sampled selections come and go through it).
     */
    private static LoadBalancer.Builder builder(String name, ManualClock clock) {
        return LoadBalancer.builder(name).ticker(clock).checkScheduler(clock)
                .leakDetection(LeakDetector.Level.SAMPLED);
    }

    /** Picks and completes (success, ignore, close) so that lazily created state exists before measuring. */
    private static void warmUp(LoadBalancer pool) {
        for (int i = 0; i < 1000; i++) {
            try (Selection s = pool.select(RequestContext.ofHashKey("warm-" + i))) {
                switch (i % 3) {
                    case 0: s.success(); break;
                    case 1: s.ignore(); break;
                    default: break; // close() only
                }
            }
        }
    }

    /**
     * One failure and one success on every backend (pinned picks): every per-backend structure that health keeps
     * (failure counters, breakers) then exists, so the figure is the full per-backend state, not a lazy minimum.
     */
    private static void touchEveryBackend(LoadBalancer pool, List<Backend> members) {
        for (Backend b : members) {
            RequestContext pin = RequestContext.ofPinned(b.id());
            try (Selection s = pool.select(pin)) {
                s.failure(FAILURE);
            }
            try (Selection s = pool.select(pin)) {
                s.success();
            }
        }
    }

    /** The ring (with its lookup index) or Maglev table of the current picker, 0 for strategies that keep none. */
    static long lookupStructureBytes(DefaultLoadBalancer pool) throws ReflectiveOperationException {
        Picker picker = pool.snapshot().picker;
        if (picker instanceof MaglevStrategy.MaglevPicker) {
            return VM.current().sizeOf(((MaglevStrategy.MaglevPicker) picker).table());
        }
        if (picker instanceof RingHashStrategy.RingPicker) {
            Field ring = RingHashStrategy.RingPicker.class.getDeclaredField("ring");
            Field index = RingHashStrategy.RingPicker.class.getDeclaredField("index");
            ring.setAccessible(true);
            index.setAccessible(true);
            return VM.current().sizeOf(ring.get(picker)) + VM.current().sizeOf(index.get(picker));
        }
        return 0;
    }

    /**
     * A million distinct keys (what an attacker controls with a header or cookie) go through every strategy; the
     * pool's footprint is the same byte for byte, object for object, before and after: nothing is cached per key.
     */
    @Test
    void aMillionDistinctHashKeysChangeNothingInThePoolsFootprint() {
        int keys = 1_000_000;
        List<Backend> members = backends(16);
        for (Strategy strategy : strategies()) {
            try (LoadBalancer pool = builder("keys", new ManualClock()).backends(members).strategy(strategy)
                    .random(new SplittableRandom(11)).build()) {
                warmUp(pool);
                GraphStats before = GraphStats.parseInstance(pool);
                StringBuilder key = new StringBuilder("session=");
                for (int i = 0; i < keys; i++) {
                    key.setLength(8);
                    key.append(i * 0x9E3779B97F4A7C15L);
                    try (Selection s = pool.select(RequestContext.ofHashKey(key.toString()))) {
                        // No failures here: they would eject backends, a change of health, not of keys.
                        if ((i & 3) == 0) {
                            s.ignore();
                        } else {
                            s.success();
                        }
                    }
                }
                GraphStats after = GraphStats.parseInstance(pool);
                System.out.printf(Locale.ROOT, "1M keys %-32s before %,d B in %,d objects; after %,d B in %,d"
                        + " objects%n", strategy.name(), before.totalSize(), before.totalCount(), after.totalSize(),
                        after.totalCount());
                assertThat(after.totalSize()).as("bytes, %s", strategy.name()).isEqualTo(before.totalSize());
                assertThat(after.totalCount()).as("objects, %s", strategy.name()).isEqualTo(before.totalCount());
            }
        }
    }
}
