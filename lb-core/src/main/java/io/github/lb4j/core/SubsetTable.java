package io.github.lb4j.core;

import java.util.Map;

/**
 * The subsets of one {@link Snapshot}: per registered selector, its eligible backends and their picker, built by
 * {@link Subsets} under the pool's lock and read lock-free by picks. A lookup hashes the selector once (its hash is
 * cached) and compares its arrays.
 *
 * <p>Thread-safety: immutable once built.
 */
final class SubsetTable {

    /** A subset's eligible backends and their picker; {@link #EMPTY} when none is available. */
    static final class Entry {
        static final Entry EMPTY = new Entry(new BackendState[0], null);

        final BackendState[] eligible;
        /** Null when nothing is eligible. */
        final Picker picker;

        Entry(BackendState[] eligible, Picker picker) {
            this.eligible = eligible;
            this.picker = picker;
        }
    }

    private final Map<SubsetSelector, Entry> entries;
    final SubsetFallback fallback;
    /** The default subset's entry; null unless the fallback is {@link SubsetFallback#DEFAULT}. */
    final Entry defaultEntry;
    /** Whether the cap on distinct selectors is reached: an unknown selector then goes to the fallback, no lock. */
    final boolean full;

    SubsetTable(Map<SubsetSelector, Entry> entries, SubsetFallback fallback, Entry defaultEntry, boolean full) {
        this.entries = entries;
        this.fallback = fallback;
        this.defaultEntry = defaultEntry;
        this.full = full;
    }

    /** @return the selector's entry, or null if the selector is not registered */
    Entry get(SubsetSelector selector) {
        return entries.get(selector);
    }

    /**
     * The pick inside a subset: its picker, with exclusions waived inside the subset when they exclude all of it.
     *
     * @return the backend, or null when the entry has nothing available (the caller applies the fallback)
     */
    static BackendState pick(Entry e, RequestContext ctx, long now) {
        if (e.picker == null) {
            return null;
        }
        if (ctx.hasExclusions() && Snapshot.allExcluded(e.eligible, ctx)) {
            ctx = ctx.withoutExclusions();
        }
        return e.picker.pick(ctx, now);
    }
}
