package io.github.lb4j.core;

import java.time.Duration;

/**
 * Power of two choices on {@code ewma(latency) x (inFlight + 1)}, with candidates drawn by weight. An unmeasured backend (no call completed
 * yet) borrows its rival's estimate, so it competes on in-flight calls alone: it is neither starved (as a pessimistic
 * default would) nor flooded (as an estimate of zero would).
 */
final class PeakEwmaStrategy extends Strategy {

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
                // the weight would make the heavier of two idle, equally fast backends win every time.
                double ca = ea * (fa + 1);
                double cb = eb * (fb + 1);
                return ca <= cb ? sa : sb;
            }
        };
    }
}
