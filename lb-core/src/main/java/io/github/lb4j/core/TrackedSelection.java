package io.github.lb4j.core;

import java.lang.ref.Reference;

/**
 * A {@link Selection} watched by the {@link LeakDetector}: its outcome is decided on its {@link LeakDetector.Leak},
 * which outlives it, so the detector can tell a leaked selection from a completed one without holding it.
 */
final class TrackedSelection extends Selection {

    private final LeakDetector.Leak leak;

    TrackedSelection(Backend backend, BackendState state, long startNanos, LeakDetector detector) {
        super(backend, state, startNanos);
        this.leak = new LeakDetector.Leak(this, detector, state);
    }

    @Override
    boolean claim(Outcome o) {
        try {
            return leak.claim(o);
        } finally {
            // Reachable until the claim is decided: else the collector could find this selection unreachable while
            // its outcome is being reported, and the detector would call a completed selection a leak.
            Reference.reachabilityFence(this);
        }
    }

    @Override
    Outcome outcome() {
        return leak.outcome();
    }
}
