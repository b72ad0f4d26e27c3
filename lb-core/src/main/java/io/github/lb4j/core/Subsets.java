package io.github.lb4j.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subsets by metadata, on the update path: the selectors a pool has seen (at most {@link #max} of them), and for each
 * its own strategy state, so a subset's rotation is its own. Every snapshot build turns them into a
 * {@link SubsetTable}: per selector, the eligible backends that match it, their weights and a picker over them
 * (zone-aware when the pool is, except in panic mode). Eligibility is the pool's ({@link SnapshotBuilder}): health,
 * slow start and ejections apply inside a subset exactly as outside.
 *
 * <p>A selector is registered the first time a request carries it ({@link #register}); the pool then rebuilds its
 * snapshot once, so later picks of that selector find their picker without a lock. Beyond the cap, a new selector is
 * not registered: its requests are served as for an empty subset (the fallback), and the first such selector is
 * logged at WARN (without its values, which may come from request headers).
 *
 * <p>Thread-safety: {@link #register} and {@link #build} run under the pool's lock only.
 */
final class Subsets {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    private final String pool;
    private final SubsetFallback fallback;
    /** Null unless the fallback is {@link SubsetFallback#DEFAULT}. */
    private final SubsetSelector defaultSelector;
    private final int max;
    private final Strategy strategy;
    private final PoolContext context;
    /** The pool's zone-aware routing, or null; each subset gets its own copy (its own per-zone state). */
    private final ZoneRouting zones;
    /** Registered selectors in order of first sight, each with its strategy state. */
    private final Map<SubsetSelector, Slot> slots = new LinkedHashMap<>();
    private boolean warnedFull;

    /** One registered selector's state that survives snapshot swaps. */
    private static final class Slot {
        final PickerFactory factory;
        final ZoneRouting zones;

        Slot(PickerFactory factory, ZoneRouting zones) {
            this.factory = factory;
            this.zones = zones;
        }
    }

    /**
     * @param defaultSelector the default subset, or null unless the fallback is {@link SubsetFallback#DEFAULT}
     * @param max the cap on distinct selectors, the default subset not counted
     * @param zones the pool's zone-aware routing, or null
     */
    Subsets(String pool, SubsetFallback fallback, SubsetSelector defaultSelector, int max, Strategy strategy,
            PoolContext context, ZoneRouting zones) {
        this.pool = pool;
        this.fallback = fallback;
        this.defaultSelector = defaultSelector;
        this.max = max;
        this.strategy = strategy;
        this.context = context;
        this.zones = zones;
        if (defaultSelector != null) {
            register(defaultSelector); // the default subset never waits for a request
        }
    }

    /**
     * @return whether {@code selector} is registered now (false: the cap is reached, and it is served by the
     *     fallback)
     */
    boolean register(SubsetSelector selector) {
        if (slots.containsKey(selector)) {
            return true;
        }
        if (!selector.equals(defaultSelector) && isFull()) {
            if (!warnedFull) {
                warnedFull = true;
                log.warn("pool '{}': {} distinct subset selectors are in use (maxSubsets); requests for further "
                        + "selectors get the subset fallback {}", pool, max, fallback);
            }
            return false;
        }
        slots.put(selector.asKey(), new Slot(strategy.newFactory(context), zones == null ? null : zones.forSubset()));
        return true;
    }

    /**
     * @param members every member, in membership order
     * @param eligible the pool's eligible backends, in membership order
     * @param weights their effective weights
     * @param panic whether the pool is in panic mode (zones are then ignored, as for the whole pool)
     * @return the table for the snapshot being built
     */
    SubsetTable build(BackendState[] members, BackendState[] eligible, int[] weights, boolean panic) {
        Map<SubsetSelector, SubsetTable.Entry> entries = new HashMap<>();
        for (Map.Entry<SubsetSelector, Slot> e : slots.entrySet()) {
            entries.put(e.getKey(), entry(e.getKey(), e.getValue(), members, eligible, weights, panic));
        }
        return new SubsetTable(entries, fallback, defaultSelector == null ? null : entries.get(defaultSelector),
                isFull());
    }

    /** The default subset is registered first (in the constructor) and does not count against the cap. */
    private boolean isFull() {
        return slots.size() - (defaultSelector != null ? 1 : 0) >= max;
    }

    private static SubsetTable.Entry entry(SubsetSelector selector, Slot slot, BackendState[] members,
                                           BackendState[] eligible, int[] weights, boolean panic) {
        List<BackendState> in = new ArrayList<>();
        List<Integer> w = new ArrayList<>();
        for (int i = 0; i < eligible.length; i++) {
            if (selector.matches(eligible[i].backend)) {
                in.add(eligible[i]);
                w.add(weights[i]);
            }
        }
        if (in.isEmpty()) {
            return SubsetTable.Entry.EMPTY;
        }
        BackendState[] b = in.toArray(new BackendState[0]);
        int[] ws = new int[b.length];
        for (int i = 0; i < ws.length; i++) {
            ws[i] = w.get(i);
        }
        if (slot.zones != null && !panic) {
            List<BackendState> matching = new ArrayList<>();
            for (BackendState m : members) {
                if (selector.matches(m.backend)) {
                    matching.add(m);
                }
            }
            return new SubsetTable.Entry(b, slot.zones.newPicker(matching.toArray(new BackendState[0]), b, ws));
        }
        return new SubsetTable.Entry(b, slot.factory.newPicker(b, ws));
    }

    /** @return the number of registered selectors, the default subset included (tests) */
    int registered() {
        return slots.size();
    }
}
