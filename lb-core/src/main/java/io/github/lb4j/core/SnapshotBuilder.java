package io.github.lb4j.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a pool's members into the next {@link Snapshot}: who is eligible (healthy primaries, backups, panic), the
 * weights a slow-start ramp gives them, and when the snapshot goes stale (the next ramp step, the end of an
 * ejection or of an overload window). Called under the pool's lock only; queues a
 * {@link LoadBalancerEvent.PanicModeChanged} when panic mode starts or ends.
 *
 * <p>Who is eligible: the healthy primaries, unless fewer than the panic threshold of the primaries are healthy;
 * then, if no primary is healthy but a backup is, the healthy backups; otherwise (panic) every primary regardless of
 * health. With panic mode off, only healthy backends are ever eligible. Backends waiting for their first health
 * check count nowhere, and neither do {@link BackendHealth#OVERLOADED} ones (never picked, even in panic mode: the
 * backend itself asked for the pause, see {@link Overload}). With zone-aware routing on, the picker over the
 * eligible backends is {@link ZoneRouting}'s (a zone by precomputed probabilities, then the strategy within it),
 * except in panic mode. Each subset by metadata seen so far gets its own picker over the eligible backends that
 * match it ({@link Subsets}).
 */
final class SnapshotBuilder {

    /**
     * Steps of a slow-start ramp. During a ramp every weight is scaled by this so that a ramping backend's share
     * can be expressed in integers (round robin's schedule then reduces them by their greatest common divisor).
     */
    static final int RAMP_STEPS = 10;

    private final String pool;
    private final PickerFactory factory;
    private final EventDispatcher events;
    private final long slowStartNanos;
    private final int slowStartFloorPercent;
    private final boolean rampWeights;
    private final int panicThresholdPercent;
    /** Whether deadlines are met by a scheduled rebuild, so the snapshot need not make picks read the clock. */
    private final boolean scheduledRefresh;
    /** Panic mode as last reported. */
    private boolean panic;
    /** Zone-aware routing, or null when off; bypassed in panic mode. */
    private ZoneRouting zones;
    /** Subsets by metadata, or null (tests that build snapshots alone). */
    private Subsets subsets;

    SnapshotBuilder(String pool, PickerFactory factory, EventDispatcher events, long slowStartNanos,
                    int slowStartFloorPercent, boolean rampWeights, int panicThresholdPercent,
                    boolean scheduledRefresh) {
        this.pool = pool;
        this.factory = factory;
        this.events = events;
        this.slowStartNanos = slowStartNanos;
        this.slowStartFloorPercent = slowStartFloorPercent;
        this.rampWeights = rampWeights;
        this.panicThresholdPercent = panicThresholdPercent;
        this.scheduledRefresh = scheduledRefresh;
    }

    /** Turns zone-aware routing on (before the first build). */
    void zoneRouting(ZoneRouting zones) {
        this.zones = zones;
    }

    /** Builds the subsets by metadata with every snapshot (before the first build). */
    void subsets(Subsets subsets) {
        this.subsets = subsets;
    }

    /** A snapshot and its next deadline. */
    static final class Built {
        final Snapshot snapshot;
        final boolean hasDeadline;
        final long deadline;

        Built(Snapshot snapshot, boolean hasDeadline, long deadline) {
            this.snapshot = snapshot;
            this.hasDeadline = hasDeadline;
            this.deadline = deadline;
        }
    }

    /** The next snapshot of {@code all} (the members, in membership order) at {@code now}. */
    Built build(BackendState[] all, long now) {
        BackendState[] picked = eligible(all, now);
        boolean panicNow = panic;
        int[] weights = new int[picked.length];
        long deadline = Long.MAX_VALUE;
        boolean hasDeadline = false;
        boolean ramping = rampWeights && !panicNow && endRamps(picked, now);
        for (int i = 0; i < picked.length; i++) {
            BackendState s = picked[i];
            int w = s.backend.weight();
            if (!ramping) {
                weights[i] = w;
            } else if (s.rampStartNanos == BackendState.NO_RAMP) {
                weights[i] = w * RAMP_STEPS;
            } else {
                long elapsed = Math.max(0L, now - s.rampStartNanos);
                int step = (int) (elapsed * RAMP_STEPS / slowStartNanos);
                weights[i] = rampWeight(w, step, slowStartFloorPercent);
                long due = s.rampStartNanos + ceilDiv(slowStartNanos * (step + 1), RAMP_STEPS);
                if (!hasDeadline || due - deadline < 0) {
                    deadline = due;
                    hasDeadline = true;
                }
            }
        }
        for (BackendState s : all) {
            boolean timed = s.health == BackendHealth.EJECTED || s.health == BackendHealth.OVERLOADED;
            long until = s.health == BackendHealth.EJECTED ? s.ejectedUntilNanos : s.overloadedUntilNanos;
            if (timed && (!hasDeadline || until - deadline < 0)) {
                deadline = until;
                hasDeadline = true;
            }
        }
        Picker picker = picked.length == 0 ? null
                : zones != null && !panicNow ? zones.newPicker(all, picked, weights)
                : factory.newPicker(picked, weights);
        SubsetTable table = subsets == null ? Snapshot.NO_SUBSETS : subsets.build(all, picked, weights, panicNow);
        Snapshot snapshot = new Snapshot(all, picked, weights, picker, false, hasDeadline && !scheduledRefresh,
                deadline, panicNow, table);
        return new Built(snapshot, hasDeadline, deadline);
    }

    /** Eligibility and panic mode (see the class javadoc); queues the event when panic mode changes. */
    private BackendState[] eligible(BackendState[] all, long now) {
        int primaries = 0;
        int primariesUp = 0;
        int backups = 0;
        int backupsUp = 0;
        for (BackendState s : all) {
            if (s.awaitingFirstCheck || s.health == BackendHealth.OVERLOADED) {
                continue;
            }
            boolean up = s.health == BackendHealth.HEALTHY;
            if (s.backend.isBackup()) {
                backups++;
                backupsUp += up ? 1 : 0;
            } else {
                primaries++;
                primariesUp += up ? 1 : 0;
            }
        }
        boolean panicNow = false;
        List<BackendState> eligible = new ArrayList<>(all.length);
        boolean panicAllowed = panicThresholdPercent > 0;
        boolean belowThreshold = (long) primariesUp * 100 < (long) panicThresholdPercent * primaries;
        if (primariesUp > 0 && (!belowThreshold || !panicAllowed)) {
            addHealthy(all, false, eligible);
        } else if (primariesUp == 0 && backupsUp > 0) {
            addHealthy(all, true, eligible);
        } else if (panicAllowed && primaries > 0) {
            panicNow = true;
            addAll(all, false, eligible);
        } else if (panicAllowed && backups > 0) {
            // A pool of backups only: the same rule within them.
            panicNow = true;
            addAll(all, true, eligible);
        }
        if (panicNow != panic) {
            panic = panicNow;
            events.enqueue(new LoadBalancerEvent.PanicModeChanged(pool, panicNow, primariesUp, primaries, now));
        }
        return eligible.toArray(new BackendState[0]);
    }

    /** Ends the ramps that are complete. @return whether any backend is still ramping */
    private boolean endRamps(BackendState[] picked, long now) {
        boolean ramping = false;
        for (BackendState s : picked) {
            if (s.rampStartNanos != BackendState.NO_RAMP) {
                if (now - s.rampStartNanos >= slowStartNanos) {
                    s.rampStartNanos = BackendState.NO_RAMP;
                } else {
                    ramping = true;
                }
            }
        }
        return ramping;
    }

    /** Weight (scaled by {@link #RAMP_STEPS}) at a step: from the floor toward full, linearly, never below 1. */
    static int rampWeight(int weight, int step, int floorPercent) {
        long num = (long) weight * (floorPercent * (long) RAMP_STEPS + (100L - floorPercent) * step);
        return (int) Math.max(1L, (num + 50) / 100);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static void addHealthy(BackendState[] all, boolean backup, List<BackendState> out) {
        for (BackendState s : all) {
            if (s.backend.isBackup() == backup && s.health == BackendHealth.HEALTHY) {
                out.add(s);
            }
        }
    }

    private static void addAll(BackendState[] all, boolean backup, List<BackendState> out) {
        for (BackendState s : all) {
            if (s.backend.isBackup() == backup && !s.awaitingFirstCheck && s.health != BackendHealth.OVERLOADED) {
                out.add(s);
            }
        }
    }
}
