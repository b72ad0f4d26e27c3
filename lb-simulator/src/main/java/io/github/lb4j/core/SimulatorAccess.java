package io.github.lb4j.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Read-only access for lb-simulator to what a pool's hash picker knows exactly: each backend's share of the hash
 * space. It lives in lb-core's package (in the simulator's jar, which is not published) so that lb-core need not make
 * its pickers public. Not API.
 */
public final class SimulatorAccess {

    private SimulatorAccess() {
    }

    /**
     * @param pool a pool built by {@link LoadBalancer#builder}
     * @return backend id to its exact share of the hash space for ring hash (sum of its arcs) and Maglev (its table
     *     slots over the table size); null for strategies without a partition of the hash space (rendezvous)
     */
    public static Map<String, Double> hashShares(LoadBalancer pool) {
        Snapshot s = ((DefaultLoadBalancer) pool).snapshot();
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

    /**
     * @param pool a Maglev pool
     * @return its lookup table's size, or 0 for another strategy
     */
    public static int maglevTableSize(LoadBalancer pool) {
        Snapshot s = ((DefaultLoadBalancer) pool).snapshot();
        return s.picker instanceof MaglevStrategy.MaglevPicker
                ? ((MaglevStrategy.MaglevPicker) s.picker).table().length : 0;
    }
}
