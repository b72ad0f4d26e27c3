package io.github.lb4j.core;

import java.util.HashMap;
import java.util.Map;

/**
 * One immutable view of a pool, published through a single volatile field: the members, the pickable subset with
 * their effective weights, and the picker over it. A pick reads one snapshot and never mixes two.
 */
final class Snapshot {

    static final Snapshot CLOSED = new Snapshot(new BackendState[0], new BackendState[0], new int[0], null, true);

    final BackendState[] members;
    final BackendState[] eligible;
    final int[] weights;
    /** Null when nothing is eligible. */
    final Picker picker;
    final boolean closed;
    private volatile Map<String, BackendState> eligibleById;

    Snapshot(BackendState[] members, BackendState[] eligible, int[] weights, Picker picker, boolean closed) {
        this.members = members;
        this.eligible = eligible;
        this.weights = weights;
        this.picker = picker;
        this.closed = closed;
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
        for (BackendState e : eligible) {
            if (!ctx.isExcluded(e.id)) {
                return false;
            }
        }
        return true;
    }
}
