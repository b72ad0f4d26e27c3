package io.github.lb4j.core;

import java.time.Duration;

/**
 * Power of two choices on {@code ewma(latency) x (inFlight + 1)}, with candidates drawn by weight. An unmeasured backend (no call completed
 * yet) borrows its rival's estimate, so it competes on in-flight calls alone: it is neither starved (as a pessimistic
 * default would) nor flooded (as an estimate of zero would). A failed call counts as twice its latency, and a run of
 * failures doubles the estimate each time ({@link BackendState#observeFailure}); costs within {@link #TIE} of each
 * other go to the candidate drawn first, so an idle pool follows the weights.
 */
final class PeakEwmaStrategy extends Strategy {

    /**
     * Costs within 1/16 of each other are a tie. Wide enough to cover the decay of a sequential idle pool (a backend
     * idle for 1/16 of the decay window, 625 ms at the default 10 s) and ordinary jitter between equally fast
     * backends; narrow enough that one call more in flight still counts up to 15 calls in flight per backend.
     */
    static final double TIE = 1.0 + 1.0 / 16;

    private final Duration decay;
    final double tauNanos;

    PeakEwmaStrategy(Duration decay) {
        this.decay = decay;
        this.tauNanos = decay.toNanos();
    }

    @Override
    public String name() {
        return decay.equals(DEFAULT_EWMA_DECAY) ? "peakEwma" : "peakEwma(" + decay + ")";
    }

    @Override
    boolean usesClock() {
        return true;
    }

    @Override
    boolean tracksLatency() {
        return true;
    }

    double tauNanos() {
        return tauNanos;
    }

    @Override
    PickerFactory newFactory(PoolContext context) {
        double tau = tauNanos;
        return (backends, weights) -> new TwoChoices(backends, weights, context.random) {
            @Override
            BackendState choose(int a, int b, long now) {
                BackendState sa = backends[a];
                BackendState sb = backends[b];
                int fa = sa.inFlight();
                int fb = sb.inFlight();
                // Decay stands in for samples that stopped coming because a backend is idle, so that an idle slow
                // backend is tried again. A backend with calls in flight is not idle: its samples stopped because
                // those calls have not come back, which is evidence of slowness, not of recovery. Decaying it then
                // made a backend whose every call times out look faster the longer it stayed broken (the Linkerd
                // scenario of lb-simulator: success fell from 99.6% to 94.5% over the 30 s slow phase).
                double ea = fa > 0 ? sa.ewma() : sa.decayedEwma(now, tau);
                double eb = fb > 0 ? sb.ewma() : sb.decayedEwma(now, tau);
                if (ea <= 0.0) {
                    ea = eb;
                }
                if (eb <= 0.0) {
                    eb = ea;
                }
                if (ea <= 0.0) {
                    ea = eb = 1.0; // neither measured: compare calls in flight only
                }
                // Weights decide how often a backend is drawn as a candidate, not its cost: dividing the cost by
                // the weight would make the heavier of two idle, equally fast backends win every time. The first
                // candidate (drawn by weight) wins costs within TIE of each other, for two reasons. On an idle
                // pool, estimates of equally fast backends differ only by how long each has been decaying, and a
                // strict comparison would favour the least recently used one and level the picks instead of
                // weighting them. And a backend recovering from a slow spell approaches its rivals' estimate
                // from above: without the band it would win only once its decay undercut them, one call at a time.
                double ca = ea * (fa + 1);
                double cb = eb * (fb + 1);
                return ca <= cb * TIE ? sa : sb;
            }
        };
    }
}
