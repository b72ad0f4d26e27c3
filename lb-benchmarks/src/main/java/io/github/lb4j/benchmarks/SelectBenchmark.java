package io.github.lb4j.benchmarks;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The cost of one full {@code select -> success} cycle for every strategy, against floors measured in the same run:
 * (0) an empty call, the harness's own cost; (a) a shared {@link AtomicInteger} indexing an array (a bare pick);
 * (r) {@link ThreadLocalRandom#nextInt(int)} indexing it (a bare random pick); (b) (a) plus an in-flight counter
 * incremented and decremented and one small object allocated (the least any tracked selection can cost); (br) (b)
 * with the slot drawn at random, the floor of strategies whose picks land on random backends; (c) (b) plus two clock
 * reads. The count-free {@code pick} of the O(1) strategies is measured too, against floor (a). A subset select
 * ({@code selectSubset}, issue 17: the same keys with {@code withSubset(version=v2)}) is measured next to the plain
 * select of the same pool ({@code selectPlainOfSubsetPool}); the target is subset / plain at most 1.2.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar SelectBenchmark -t 1 -prof gc
 * java -jar lb-benchmarks/target/benchmarks.jar 'SelectBenchmark.(floorB|selectSuccess)' -p size=100 \
 *     -p strategy=roundRobin,leastRequests -p leakDetection=off,sampled,all -prof gc
 * java -jar lb-benchmarks/target/benchmarks.jar SelectBenchmark -t 2 -prof gc
 * java -jar lb-benchmarks/target/benchmarks.jar 'SelectBenchmark.select(Subset|PlainOfSubsetPool)' -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SelectBenchmark {

    /** Keys cycled through by the hash strategies (a power of two, so the index is a mask). */
    static final int KEYS = 1024;

    @State(Scope.Benchmark)
    public static class Pool {
        @Param({"roundRobin", "random", "leastRequests", "peakEwma", "ringHash", "maglev", "rendezvous"})
        public String strategy;

        @Param({"10", "100", "1000", "10000"})
        public int size;

        /**
         * The pool's leak detection ({@code lb4j.leakDetection}): sampled is the default; compare with
         * {@code -p leakDetection=off,sampled,all} (all captures a stack trace per select: for information).
         */
        @Param({"sampled"})
        public String leakDetection;

        LoadBalancer lb;

        @Setup(Level.Trial)
        public void setUp() {
            System.setProperty("lb4j.leakDetection", leakDetection); // read when the pool is built
            lb = LoadBalancer.builder("bench").backends(backends(size)).strategy(strategy(strategy)).build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lb.close();
        }
    }

    /** The O(1) strategies, for {@link #pick}: the count-free choice of {@link LoadBalancer#pick}. */
    @State(Scope.Benchmark)
    public static class PickPool {
        @Param({"roundRobin", "random", "maglev"})
        public String pickStrategy;

        @Param({"10", "100", "1000", "10000"})
        public int size;

        LoadBalancer lb;

        @Setup(Level.Trial)
        public void setUp() {
            lb = LoadBalancer.builder("bench").backends(backends(size)).strategy(strategy(pickStrategy)).build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lb.close();
        }
    }

    /**
     * A pool whose backends alternate {@code version=v1} and {@code version=v2}, for {@link #selectSubset} against
     * {@link #selectPlainOfSubsetPool}: the subset holds half of the pool.
     */
    @State(Scope.Benchmark)
    public static class SubsetPool {
        @Param({"roundRobin", "leastRequests", "maglev"})
        public String subsetStrategy;

        @Param({"10", "100", "1000"})
        public int size;

        LoadBalancer lb;

        @Setup(Level.Trial)
        public void setUp() {
            List<Backend> backends = new ArrayList<>(size);
            List<Backend> plain = backends(size);
            for (int i = 0; i < size; i++) {
                backends.add(plain.get(i).withMetadata("version", i % 2 == 0 ? "v1" : "v2"));
            }
            lb = LoadBalancer.builder("bench").backends(backends).strategy(strategy(subsetStrategy)).build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lb.close();
        }
    }

    /** The keys of {@link Keys}, each also pre-built with the subset {@code version=v2}. */
    @State(Scope.Thread)
    public static class SubsetKeys {
        final RequestContext[] plain = new RequestContext[KEYS];
        final RequestContext[] subset = new RequestContext[KEYS];
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            Map<String, String> v2 = Map.of("version", "v2");
            for (int i = 0; i < KEYS; i++) {
                plain[i] = RequestContext.ofHashKey("user-" + i * 7919);
                subset[i] = plain[i].withSubset(v2);
            }
        }
    }

    @State(Scope.Thread)
    public static class Keys {
        final RequestContext[] contexts = new RequestContext[KEYS];
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < KEYS; i++) {
                contexts[i] = RequestContext.ofHashKey("user-" + i * 7919);
            }
        }

        RequestContext nextContext() {
            return contexts[next++ & (KEYS - 1)];
        }
    }

    /** The floors: plain arrays of per-backend slots. */
    @State(Scope.Benchmark)
    public static class Floor {
        @Param({"10", "100", "1000", "10000"})
        public int size;

        Slot[] slots;
        final AtomicInteger cursor = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() {
            slots = new Slot[size];
            for (int i = 0; i < size; i++) {
                slots[i] = new Slot();
            }
        }
    }

    static final class Slot {
        final AtomicInteger inFlight = new AtomicInteger();
        long lastLatency;
    }

    static final class Token {
        final Slot slot;

        Token(Slot slot) {
            this.slot = slot;
        }
    }

    static List<Backend> backends(int n) {
        List<Backend> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Backend.of("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), 8080));
        }
        return out;
    }

    static Strategy strategy(String name) {
        switch (name) {
            case "roundRobin": return Strategy.roundRobin();
            case "random": return Strategy.random();
            case "leastRequests": return Strategy.leastRequests();
            case "peakEwma": return Strategy.peakEwma();
            case "ringHash": return Strategy.ringHash();
            case "maglev": return Strategy.maglev();
            case "rendezvous": return Strategy.rendezvous();
            default: throw new IllegalArgumentException("unknown strategy " + name);
        }
    }

    @Benchmark
    public void floor0_emptyCall() {
        // Intentionally empty: what the harness costs per call.
    }

    @Benchmark
    public Slot floorA_atomicIndex(Floor f) {
        Slot[] s = f.slots;
        return s[(f.cursor.getAndIncrement() & Integer.MAX_VALUE) % s.length];
    }

    /** A bare random pick: the generator's cost, and a random slot touched (a cache miss on large arrays). */
    @Benchmark
    public Slot floorR_randomIndex(Floor f) {
        Slot[] s = f.slots;
        return s[ThreadLocalRandom.current().nextInt(s.length)];
    }

    @Benchmark
    public Token floorB_trackedSelection(Floor f) {
        Slot[] s = f.slots;
        return track(s[(f.cursor.getAndIncrement() & Integer.MAX_VALUE) % s.length]);
    }

    /**
     * Floor (b) with the slot drawn at random: the least a tracked selection costs when, as with random, least
     * requests and the hash strategies, consecutive picks land on unrelated backends.
     */
    @Benchmark
    public Token floorBR_trackedRandomSelection(Floor f) {
        Slot[] s = f.slots;
        return track(s[ThreadLocalRandom.current().nextInt(s.length)]);
    }

    private static Token track(Slot slot) {
        slot.inFlight.incrementAndGet();
        Token t = new Token(slot);
        t.slot.inFlight.decrementAndGet();
        return t;
    }

    /**
     * Floor (b) plus the two clock reads that any latency-measuring selection needs (one at the pick, one at the
     * outcome): the floor for {@code peakEwma}.
     */
    @Benchmark
    public Token floorC_trackedSelectionTimed(Floor f) {
        Slot[] s = f.slots;
        long start = System.nanoTime();
        Slot slot = s[(f.cursor.getAndIncrement() & Integer.MAX_VALUE) % s.length];
        slot.inFlight.incrementAndGet();
        Token t = new Token(slot);
        t.slot.inFlight.decrementAndGet();
        t.slot.lastLatency = System.nanoTime() - start;
        return t;
    }

    /**
     * {@link LoadBalancer#pick}: the same choice as {@link #selectSuccess} without the in-flight count and the
     * {@code Selection}; compare with floor (a).
     */
    @Benchmark
    public Backend pick(PickPool pool, Keys keys) {
        return pool.lb.pick(keys.nextContext());
    }

    @Benchmark
    public Selection selectSuccess(Pool pool, Keys keys) {
        Selection s = pool.lb.select(keys.nextContext());
        s.success();
        return s;
    }

    /** The plain select of {@link SubsetPool}: the denominator of the subset select's overhead. */
    @Benchmark
    public Selection selectPlainOfSubsetPool(SubsetPool pool, SubsetKeys keys) {
        Selection s = pool.lb.select(keys.plain[keys.next++ & (KEYS - 1)]);
        s.success();
        return s;
    }

    /** A select within the subset {@code version=v2} of {@link SubsetPool}, with a pre-built context. */
    @Benchmark
    public Selection selectSubset(SubsetPool pool, SubsetKeys keys) {
        Selection s = pool.lb.select(keys.subset[keys.next++ & (KEYS - 1)]);
        s.success();
        return s;
    }
}
