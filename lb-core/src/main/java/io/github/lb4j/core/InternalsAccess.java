package io.github.lb4j.core;

import io.github.lb4j.core.internal.PoolInternals;
import io.github.lb4j.core.internal.PoolObserver;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * lb-core's side of {@link PoolInternals}: reads a pool's snapshot for lb4j's own tools. Registered by
 * {@link DefaultLoadBalancer}'s static initializer.
 */
final class InternalsAccess implements PoolInternals.Accessor {

    @Override
    public Map<String, Double> hashShares(LoadBalancer pool) {
        Snapshot s = snapshotOf(pool);
        Map<String, Double> out = new LinkedHashMap<>();
        if (s.picker instanceof RingHashStrategy.RingPicker) {
            double[] shares = ((RingHashStrategy.RingPicker) s.picker).shares();
            for (int i = 0; i < shares.length; i++) {
                out.put(s.eligible[i].id, shares[i]);
            }
            return out;
        }
        if (s.picker instanceof MaglevStrategy.MaglevPicker) {
            int[] table = ((MaglevStrategy.MaglevPicker) s.picker).table();
            long[] counts = new long[s.eligible.length];
            for (int i : table) {
                counts[i]++;
            }
            for (int i = 0; i < counts.length; i++) {
                out.put(s.eligible[i].id, counts[i] / (double) table.length);
            }
            return out;
        }
        return null;
    }

    @Override
    public int maglevTableSize(LoadBalancer pool) {
        Snapshot s = snapshotOf(pool);
        return s.picker instanceof MaglevStrategy.MaglevPicker
                ? ((MaglevStrategy.MaglevPicker) s.picker).table().length : 0;
    }

    @Override
    public PoolObserver.Registration observe(LoadBalancer pool, PoolObserver observer) {
        return poolOf(pool).observe(observer);
    }

    @Override
    public boolean inPanic(LoadBalancer pool) {
        return poolOf(pool).inPanic();
    }

    @Override
    public int[] healthCounts(LoadBalancer pool) {
        DefaultLoadBalancer p = poolOf(pool);
        int[] counts = new int[BackendHealth.values().length];
        for (BackendState s : p.snapshot().members) {
            counts[s.health.ordinal()]++;
        }
        counts[BackendHealth.DRAINING.ordinal()] += p.drainingCount;
        return counts;
    }

    @Override
    public int observedTimingWeight(LoadBalancer pool) {
        return poolOf(pool).observedTimingWeight();
    }

    private static Snapshot snapshotOf(LoadBalancer pool) {
        return poolOf(pool).snapshot();
    }

    private static DefaultLoadBalancer poolOf(LoadBalancer pool) {
        if (!(pool instanceof DefaultLoadBalancer)) {
            throw new IllegalArgumentException("not a pool built by LoadBalancer.builder: " + pool);
        }
        return (DefaultLoadBalancer) pool;
    }

    @Override
    public String toString() {
        return "lb-core's InternalsAccess";
    }
}
