package io.github.lb4j.benchmarks.peers;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every peer benchmark shares: the backends (the addresses of lb-benchmarks' SelectBenchmark), the floor slots
 * (copied from SelectBenchmark so that every run measures its own floors) and lb4j's select -> success cycle.
 */
final class PeerSupport {

    /** Keys cycled through by the hash benchmarks (a power of two, so the index is a mask). */
    static final int KEYS = 1024;

    private PeerSupport() {
    }

    static String host(int i) {
        return "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255);
    }

    static List<Backend> backends(int n) {
        List<Backend> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Backend.of(host(i), 8080));
        }
        return out;
    }

    /** Weights 1, 2, 3, 1, 2, 3, ... for the weighted families. */
    static int weight(int i) {
        return 1 + i % 3;
    }

    static List<Backend> weightedBackends(int n) {
        List<Backend> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Backend.of(host(i), 8080).withWeight(weight(i)));
        }
        return out;
    }

    static LoadBalancer pool(Strategy s, List<Backend> backends) {
        return LoadBalancer.builder("bench-" + s.name()).backends(backends).strategy(s).build();
    }

    static String key(int i) {
        return "user-" + i * 7919;
    }

    static RequestContext[] contexts() {
        RequestContext[] c = new RequestContext[KEYS];
        for (int i = 0; i < KEYS; i++) {
            c[i] = RequestContext.ofHashKey(key(i));
        }
        return c;
    }

    /** lb4j's full cycle, as in SelectBenchmark.selectSuccess. */
    static Selection selectSuccess(LoadBalancer lb, RequestContext ctx) {
        Selection s = lb.select(ctx);
        s.success();
        return s;
    }

    // The floors of lb-benchmarks' SelectBenchmark, shared so every peer class measures its own in the same run
    // (the benchmark methods are in PeerFloors).

    /** Floor (a): a shared cursor indexing an array. */
    static Slot floorA(Slot[] s, AtomicInteger cursor) {
        return s[(cursor.getAndIncrement() & Integer.MAX_VALUE) % s.length];
    }

    /** A bare random pick: {@link ThreadLocalRandom} indexing the array. */
    static Slot floorR(Slot[] s) {
        return s[ThreadLocalRandom.current().nextInt(s.length)];
    }

    /** Floor (b): (a) plus an in-flight counter taken and released and one small allocation. */
    static Token floorB(Slot[] s, AtomicInteger cursor) {
        return track(floorA(s, cursor));
    }

    /** What a tracked selection adds to a bare pick: the slot's in-flight count up and down, one small object. */
    static Token track(Slot slot) {
        slot.inFlight.incrementAndGet();
        Token t = new Token(slot);
        t.slot.inFlight.decrementAndGet();
        return t;
    }

    /** Floor (c): (b) plus the two clock reads a latency-measuring selection needs. */
    static Token floorC(Slot[] s, AtomicInteger cursor) {
        long start = System.nanoTime();
        Token t = floorB(s, cursor);
        t.slot.lastLatency = System.nanoTime() - start;
        return t;
    }

    static Slot[] slots(int n) {
        Slot[] s = new Slot[n];
        for (int i = 0; i < n; i++) {
            s[i] = new Slot();
        }
        return s;
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
}
