package io.github.lb4j.simulator;

import java.time.Duration;

/**
 * The published setups the simulator reproduces, so that its numbers can be held against the published ones.
 *
 * <p>Thread-safety: stateless.
 */
public final class Scenarios {

    private Scenarios() {
    }

    /**
     * Linkerd's "Beyond Round Robin" (2016) experiment: 11 backends with latency median 167 ms (sd 5 ms), 1000 req/s,
     * one backend slowed to 2 s from t = 15 s to t = 45 s of a 60 s run, and a 1 s client timeout. Their published
     * success rates: round robin about 95%, least loaded about 99%, peak EWMA about 99.9%.
     *
     * @param scale 1.0 for the published 60 s run; smaller values shrink every time (0.25 runs 15 s, slow from
     *     3.75 s to 11.25 s) while keeping the rate, so tests can run a faster but equivalent version
     * @param seed the random seed
     * @return the scenario
     */
    public static Scenario linkerd(double scale, long seed) {
        if (!(scale > 0 && scale <= 10)) {
            throw new IllegalArgumentException("scale must be in (0, 10], got " + scale);
        }
        return Scenario.builder("linkerd-beyond-round-robin")
                .backends(11, LatencyDistribution.normal(167, 5))
                .rate(1000)
                .poisson(false)
                .duration(seconds(60 * scale))
                .timeout(Duration.ofSeconds(1))
                .seed(seed)
                .at(seconds(15 * scale), Scenario.Event.slowDown("b10", LatencyDistribution.normal(2000, 5)))
                .at(seconds(45 * scale), Scenario.Event.recover("b10"))
                .build();
    }

    /**
     * Load-dependent queues: {@code n} single-server backends with exponential service times (mean 10 ms) and
     * Poisson arrivals at {@code utilisation} of total capacity: the supermarket model of Mitzenmacher's "The power
     * of two choices in randomized load balancing" (M/M/1 queues), for which {@link QueueTheory} gives the
     * expected response times.
     *
     * @param n backends
     * @param utilisation offered load in (0, 1)
     * @param requests arrivals to simulate (the first fifth is warm-up)
     * @param seed the random seed
     * @return the scenario
     */
    public static Scenario queues(int n, double utilisation, int requests, long seed) {
        if (!(utilisation > 0 && utilisation < 1)) {
            throw new IllegalArgumentException("utilisation must be in (0, 1), got " + utilisation);
        }
        double meanMs = 10;
        double rate = utilisation * n * 1000 / meanMs;
        double seconds = requests / rate;
        return Scenario.builder(String.format(java.util.Locale.ROOT, "queues-n%d-rho%.2f", n, utilisation))
                .backends(n, LatencyDistribution.exponential(meanMs), 1)
                .rate(rate)
                .duration(seconds(seconds))
                .warmup(seconds(seconds / 5))
                .seed(seed)
                .build();
    }

    static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }
}
