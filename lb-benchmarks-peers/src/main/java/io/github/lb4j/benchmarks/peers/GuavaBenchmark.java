package io.github.lb4j.benchmarks.peers;

import com.google.common.hash.Hashing;
import io.github.lb4j.benchmarks.peers.PeerSupport.Slot;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * Guava's jump consistent hash ({@code Hashing.consistentHash(long, buckets)}, O(log n), no table, no membership
 * beyond a count) against lb4j's hash strategies. Guava's is a pure function of a precomputed 64-bit hash, so it is
 * compared with lb4j's full select -> success on a context whose hash is also precomputed, and with the bare
 * floor; {@code guava_consistentHash_hashKey} also hashes the key string each time (murmur3_128).
 *
 * <pre>
 * java -jar lb-benchmarks-peers/target/benchmarks-peers.jar GuavaBenchmark -p size=10,1000 -f 1 -wi 2 -i 3 -w 1 -r 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GuavaBenchmark extends PeerFloors {

    @State(Scope.Benchmark)
    public static class Pools {
        @Param({"10", "100", "1000", "10000"})
        public int size;

        LoadBalancer lbMaglev;
        LoadBalancer lbRingHash;
        Slot[] buckets;

        @Setup(Level.Trial)
        public void setUp() {
            buckets = PeerSupport.slots(size);
            lbMaglev = PeerSupport.pool(Strategy.maglev(), PeerSupport.backends(size));
            lbRingHash = PeerSupport.pool(Strategy.ringHash(), PeerSupport.backends(size));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (LoadBalancer lb : List.of(lbMaglev, lbRingHash)) {
                lb.close();
            }
        }
    }

    @State(Scope.Thread)
    public static class Keys {
        final RequestContext[] contexts = PeerSupport.contexts();
        final long[] hashes = new long[PeerSupport.KEYS];
        final String[] keys = new String[PeerSupport.KEYS];
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < PeerSupport.KEYS; i++) {
                keys[i] = PeerSupport.key(i);
                hashes[i] = Hashing.murmur3_128().hashString(keys[i], StandardCharsets.UTF_8).asLong();
            }
        }

        int nextIndex() {
            return next++ & (PeerSupport.KEYS - 1);
        }
    }

    // ---- lb4j ----

    @Benchmark
    public Selection lb4j_maglev(Pools p, Keys k) {
        return PeerSupport.selectSuccess(p.lbMaglev, k.contexts[k.nextIndex()]);
    }

    /** The same Maglev choice without a Selection (LoadBalancer.pick): what Guava's pure function is to compare with. */
    @Benchmark
    public Backend lb4j_maglevPick(Pools p, Keys k) {
        return p.lbMaglev.pick(k.contexts[k.nextIndex()]);
    }

    @Benchmark
    public Selection lb4j_ringHash(Pools p, Keys k) {
        return PeerSupport.selectSuccess(p.lbRingHash, k.contexts[k.nextIndex()]);
    }

    // ---- Guava ----

    @Benchmark
    public Slot guava_consistentHash(Pools p, Keys k) {
        return p.buckets[Hashing.consistentHash(k.hashes[k.nextIndex()], p.size)];
    }

    @Benchmark
    public Slot guava_consistentHash_hashKey(Pools p, Keys k) {
        long h = Hashing.murmur3_128().hashString(k.keys[k.nextIndex()], StandardCharsets.UTF_8).asLong();
        return p.buckets[Hashing.consistentHash(h, p.size)];
    }
}
