package io.github.lb4j.benchmarks.peers;

import io.github.lb4j.benchmarks.peers.PeerSupport.Slot;
import io.github.lb4j.benchmarks.peers.PeerSupport.Token;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The floors every peer class inherits, so that each JMH run measures its own and ratios hold across runs (the
 * same floors as lb-benchmarks' {@code SelectBenchmark}):
 * <ul>
 *   <li>{@code floor0_emptyCall}: an empty benchmark method, the harness's own cost;
 *   <li>{@code floorA_atomicIndex}: a shared {@link AtomicInteger} cursor indexing an array (a bare round-robin pick);
 *   <li>{@code floorR_randomIndex}: {@link ThreadLocalRandom#nextInt(int)} indexing the same array (a bare random
 *       pick, which also touches a random slot);
 *   <li>{@code floorB_trackedSelection}: (A) plus an in-flight counter taken and released and one 16-byte object,
 *       the least a tracked selection can cost;
 *   <li>{@code floorBR_trackedRandomSelection}: (B) with the slot drawn at random, the floor of strategies whose
 *       picks land on random backends (random, least requests, hashes) and so miss the cache on large pools;
 *   <li>{@code floorC_trackedSelectionTimed}: (B) plus the two {@code System.nanoTime()} reads of a latency-measuring
 *       selection.
 * </ul>
 */
public abstract class PeerFloors {

    /** The floors' own state: plain arrays of per-backend slots, sized like the peers' pools. */
    @State(Scope.Benchmark)
    public static class Floors {
        @Param({"10", "100", "1000", "10000"})
        public int size;

        Slot[] slots;
        final AtomicInteger cursor = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() {
            slots = PeerSupport.slots(size);
        }
    }

    @Benchmark
    public void floor0_emptyCall() {
        // Intentionally empty: what the harness costs per call.
    }

    @Benchmark
    public Slot floorA_atomicIndex(Floors f) {
        return PeerSupport.floorA(f.slots, f.cursor);
    }

    @Benchmark
    public Slot floorR_randomIndex(Floors f) {
        return PeerSupport.floorR(f.slots);
    }

    @Benchmark
    public Token floorB_trackedSelection(Floors f) {
        return PeerSupport.floorB(f.slots, f.cursor);
    }

    @Benchmark
    public Token floorBR_trackedRandomSelection(Floors f) {
        return PeerSupport.track(PeerSupport.floorR(f.slots));
    }

    @Benchmark
    public Token floorC_trackedSelectionTimed(Floors f) {
        return PeerSupport.floorC(f.slots, f.cursor);
    }
}
