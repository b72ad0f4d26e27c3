package io.github.lb4j.core;

import java.util.HashMap;
import java.util.Map;

/**
 * One immutable view of a pool, published through a single volatile field: the members, the pickable subset with
 * their effective weights, and the picker over it. A pick reads one snapshot and never mixes two.
 */
final class Snapshot {

    /** Before {@link #CLOSED}, which uses it. */
    static final SubsetTable NO_SUBSETS = new SubsetTable(Map.of(), SubsetFallback.NONE, null, false);
    static final Snapshot CLOSED = new Snapshot(new BackendState[0], new BackendState[0], new int[0], null, true);

    final BackendState[] members;
    final BackendState[] eligible;
    final int[] weights;
    /** Null when nothing is eligible. */
    final Picker picker;
    final boolean closed;
    /**
     * Whether this snapshot goes stale at {@link #refreshAtNanos} (an ejection ends, a slow-start ramp takes its next
     * step): only then does a pick read the clock to find out.
     */
    final boolean hasDeadline;
    final long refreshAtNanos;
    /** Whether the eligible backends are all primaries regardless of health (panic mode). */
    final boolean panic;
    /** The subsets by metadata seen so far; never null. */
    final SubsetTable subsets;
    private volatile Map<String, BackendState> eligibleById;

    Snapshot(BackendState[] members, BackendState[] eligible, int[] weights, Picker picker, boolean closed) {
        this(members, eligible, weights, picker, closed, false, 0L, false, NO_SUBSETS);
    }

    Snapshot(BackendState[] members, BackendState[] eligible, int[] weights, Picker picker, boolean closed,
             boolean hasDeadline, long refreshAtNanos, boolean panic, SubsetTable subsets) {
        this.members = members;
        this.eligible = eligible;
        this.weights = weights;
        this.picker = picker;
        this.closed = closed;
        this.hasDeadline = hasDeadline;
        this.refreshAtNanos = refreshAtNanos;
        this.panic = panic;
        this.subsets = subsets;
    }

    /** @return whether the deadline has passed at {@code now} (ticker times compared by difference: no overflow) */
    boolean isStale(long now) {
        return hasDeadline && now - refreshAtNanos >= 0;
    }

    /** For pinned requests; built on first use (racy but idempotent). */
    BackendState eligible(String id) {
        Map<String, BackendState> map = eligibleById;
        if (map == null) {
            map = new HashMap<>();
            for (BackendState s : eligible) {
                map.put(s.id, s);
            }
            eligibleById = map;
        }
        return map.get(id);
    }

    boolean contains(BackendState s) {
        for (BackendState e : eligible) {
            if (e == s) {
                return true;
            }
        }
        return false;
    }

    /** @return whether every eligible backend is excluded by the context (then the exclusion is waived) */
    boolean allExcluded(RequestContext ctx) {
        return allExcluded(eligible, ctx);
    }

    /** @return whether the context excludes every backend of {@code in} */
    static boolean allExcluded(BackendState[] in, RequestContext ctx) {
        for (BackendState e : in) {
            if (!ctx.isExcluded(e.id)) {
                return false;
            }
        }
        return true;
    }
}
