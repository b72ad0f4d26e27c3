package io.github.lb4j.simulator;

import io.github.lb4j.core.Strategy;
import java.time.Duration;
import java.util.Objects;

/**
 * What one {@link TailSimulator} run simulates: a pool of equivalent backends (replicas), an open-loop Poisson
 * stream of single requests and another of fan-out requests (a fan-out request sends {@code fanOut} sub-requests at
 * once and completes when the last one does), a per-request service-time distribution and the retry budget that
 * hedges spend.
 *
 * <p>Backends serve without queueing (unlimited concurrency): a request's service time is drawn from the
 * distribution independently of the load, so the slow mode is interference from outside the request (a GC pause, a
 * queue behind a slow neighbour on a shared machine), independent across requests and backends, as in the paper
 * this scenario reproduces. Extra requests therefore do not slow other requests down here; what they cost is
 * reported as extra server time (see {@link TailResult}).
 *
 * <pre>{@code
 * TailScenario s = TailScenario.tailAtScale(100, 1);               // 100 s of virtual time, seed 1
 * TailScenario o = TailScenario.outage(100, 1);                    // the same, every backend 10 x slower
 * TailScenario c = TailScenario.builder("custom").backends(10).fanOut(10).duration(Duration.ofSeconds(5)).build();
 * }</pre>
 *
 * <p>Thread-safety: immutable once built; the builder is not thread-safe.
 */
public final class TailScenario {

    /**
     * The service time of {@link #tailAtScale}: mostly a few milliseconds (log-normal, median 3 ms), 1% of requests
     * stall for a log-normal 80 ms (about 40-150 ms: a young-generation pause, a queue behind a slow neighbour) and
     * 0.1% for a log-normal 800 ms (about 450-1400 ms: a full collection, a compaction on the same disk).
     */
    public static final LatencyDistribution INTERFERENCE = LatencyDistribution.logNormal(3, 0.5)
            .withStall(0.01, LatencyDistribution.logNormal(80, 0.4))
            .withStall(0.001, LatencyDistribution.logNormal(800, 0.35));

    /** How much slower every backend is in {@link #outage}. */
    public static final double OUTAGE_FACTOR = 10;

    final String name;
    final int backends;
    final int fanOut;
    final double singleRate;
    final double fanOutRate;
    final long durationNanos;
    final LatencyDistribution latency;
    final Strategy strategy;
    final double budgetRatio;
    final int budgetMinPerSecond;
    final long seed;

    private TailScenario(Builder b) {
        this.name = b.name;
        this.backends = b.backends;
        this.fanOut = b.fanOut;
        this.singleRate = b.singleRate;
        this.fanOutRate = b.fanOutRate;
        this.durationNanos = b.duration;
        this.latency = b.latency;
        this.strategy = b.strategy;
        this.budgetRatio = b.budgetRatio;
        this.budgetMinPerSecond = b.budgetMinPerSecond;
        this.seed = b.seed;
    }

    /**
     * The "Tail at Scale" setup: 100 backends serving {@link #INTERFERENCE}, 1000 single requests and 100 fan-out
     * requests of 100 sub-requests each per second (11 000 requests per second in all), picked by round robin (so a
     * fan-out touches every backend once, as a read of keys spread over 100 servers does), with lb-http's default
     * retry budget (20% of requests plus 10 per second over 10 s).
     *
     * @param seconds virtual time of arrivals, positive (100 in the report, less in tests)
     * @param seed the random seed
     * @return the scenario
     */
    public static TailScenario tailAtScale(double seconds, long seed) {
        return standard("tail-at-scale", INTERFERENCE, seconds, seed);
    }

    /**
     * {@link #tailAtScale} with every backend {@value #OUTAGE_FACTOR} times slower for the whole run (every
     * service time, stalls included, multiplied): a fixed hedge delay now fires for almost every request, and only
     * the retry budget keeps the extra load bounded.
     *
     * @param seconds virtual time of arrivals, positive
     * @param seed the random seed
     * @return the scenario
     */
    public static TailScenario outage(double seconds, long seed) {
        return standard("tail-at-scale-outage-x10", INTERFERENCE.scaled(OUTAGE_FACTOR), seconds, seed);
    }

    private static TailScenario standard(String name, LatencyDistribution latency, double seconds, long seed) {
        if (!(seconds > 0 && seconds <= 3600)) {
            throw new IllegalArgumentException("seconds must be in (0, 3600], got " + seconds);
        }
        return builder(name).backends(100).fanOut(100).singleRate(1000).fanOutRate(100)
                .duration(Scenarios.seconds(seconds)).latency(latency).seed(seed).build();
    }

    /**
     * @param name shown in reports
     * @return a builder with 100 backends, 100-way fan-out, 1000 single and 100 fan-out requests per second for
     *     10 s, {@link #INTERFERENCE}, round robin and lb-http's default retry budget
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** @return the scenario's name */
    public String name() {
        return name;
    }

    /** @return the backends' service-time distribution */
    public LatencyDistribution latency() {
        return latency;
    }

    /** @return the share of requests the retry budget grants hedges on top of its per-second floor */
    public double budgetRatio() {
        return budgetRatio;
    }

    /** @return hedges per second the budget always grants (over its 10 s window) */
    public int budgetMinPerSecond() {
        return budgetMinPerSecond;
    }

    /** Configures a {@link TailScenario}; every setter validates at once. */
    public static final class Builder {
        private final String name;
        private int backends = 100;
        private int fanOut = 100;
        private double singleRate = 1000;
        private double fanOutRate = 100;
        private long duration = Duration.ofSeconds(10).toNanos();
        private LatencyDistribution latency = INTERFERENCE;
        private Strategy strategy = Strategy.roundRobin();
        private double budgetRatio = HedgeBudget.DEFAULT_RATIO;
        private int budgetMinPerSecond = HedgeBudget.DEFAULT_MIN_PER_SECOND;
        private long seed = 1;

        Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * @param n backends, at least 2 (a hedge needs another backend)
         * @return this builder
         */
        public Builder backends(int n) {
            if (n < 2) {
                throw new IllegalArgumentException("backends must be >= 2 (a hedge goes to another one), got " + n);
            }
            this.backends = n;
            return this;
        }

        /**
         * @param n sub-requests of a fan-out request, at least 1
         * @return this builder
         */
        public Builder fanOut(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("fanOut must be >= 1, got " + n);
            }
            this.fanOut = n;
            return this;
        }

        /**
         * @param perSecond single requests per second, not negative
         * @return this builder
         */
        public Builder singleRate(double perSecond) {
            this.singleRate = rate("singleRate", perSecond);
            return this;
        }

        /**
         * @param perSecond fan-out requests per second, not negative
         * @return this builder
         */
        public Builder fanOutRate(double perSecond) {
            this.fanOutRate = rate("fanOutRate", perSecond);
            return this;
        }

        /**
         * @param d how long requests arrive, positive
         * @return this builder
         */
        public Builder duration(Duration d) {
            Objects.requireNonNull(d, "duration");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("duration must be positive, got " + d);
            }
            this.duration = d.toNanos();
            return this;
        }

        /**
         * @param d every backend's service-time distribution
         * @return this builder
         */
        public Builder latency(LatencyDistribution d) {
            this.latency = Objects.requireNonNull(d, "latency");
            return this;
        }

        /**
         * @param s the real lb-core strategy that picks the first attempt and the hedge
         * @return this builder
         */
        public Builder strategy(Strategy s) {
            this.strategy = Objects.requireNonNull(s, "strategy");
            return this;
        }

        /**
         * @param ratio share of requests granted to hedges, in [0, 10]
         * @param minPerSecond hedges per second always granted, in [0, 1 000 000]
         * @return this builder
         */
        public Builder budget(double ratio, int minPerSecond) {
            if (!(ratio >= 0 && ratio <= 10)) {
                throw new IllegalArgumentException("budget ratio must be in [0, 10], got " + ratio);
            }
            if (minPerSecond < 0 || minPerSecond > 1_000_000) {
                throw new IllegalArgumentException("budget minPerSecond must be in [0, 1000000], got "
                        + minPerSecond);
            }
            this.budgetRatio = ratio;
            this.budgetMinPerSecond = minPerSecond;
            return this;
        }

        /**
         * @param s the seed of every random draw
         * @return this builder
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** @return the scenario */
        public TailScenario build() {
            if (singleRate == 0 && fanOutRate == 0) {
                throw new IllegalStateException("scenario '" + name + "' has neither single nor fan-out requests");
            }
            return new TailScenario(this);
        }

        private static double rate(String field, double perSecond) {
            if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException(field + " must be finite and not negative, got " + perSecond);
            }
            return perSecond;
        }
    }
}
