package io.github.lb4j.simulator;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A backend's service-time distribution, sampled with the simulation's seeded random source.
 *
 * <pre>{@code
 * LatencyDistribution d = LatencyDistribution.parse("normal(167,5)");   // median 167 ms, sd 5 ms
 * LatencyDistribution e = LatencyDistribution.exponential(10);         // mean 10 ms
 * }</pre>
 *
 * <p>Thread-safety: implementations are immutable.
 */
public interface LatencyDistribution {

    /** Smallest service time a sample may take: a response never arrives in zero time. */
    long MIN_NANOS = 1_000L;

    /**
     * @param random the source of randomness
     * @return one service time in nanoseconds, at least {@link #MIN_NANOS}
     */
    long sampleNanos(RandomGenerator random);

    /** @return the mean service time in nanoseconds (what an oracle knows about the backend) */
    double meanNanos();

    /** @return the spec this distribution parses from, such as {@code normal(167,5)} */
    String spec();

    /**
     * @param factor multiplier of every sample, positive
     * @return a distribution whose samples are this one's times {@code factor}
     */
    default LatencyDistribution scaled(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor must be positive and finite, got " + factor);
        }
        LatencyDistribution base = this;
        return new LatencyDistribution() {
            @Override
            public long sampleNanos(RandomGenerator random) {
                return Math.max(MIN_NANOS, Math.round(base.sampleNanos(random) * factor));
            }

            @Override
            public double meanNanos() {
                return base.meanNanos() * factor;
            }

            @Override
            public String spec() {
                return base.spec() + "*" + factor;
            }
        };
    }

    /**
     * A rare slow mode on top of this distribution: with probability {@code probability} a sample also waits for
     * one sample of {@code stall} (interference outside the request: a GC pause, a queue behind a slow neighbour),
     * drawn independently for every request.
     *
     * <pre>{@code
     * LatencyDistribution d = LatencyDistribution.logNormal(3, 0.5)
     *         .withStall(0.01, LatencyDistribution.logNormal(80, 0.4));  // 1% of requests wait ~40-150 ms more
     * }</pre>
     *
     * @param probability the share of requests that stall, in (0, 1]
     * @param stall how long a stall lasts
     * @return the mixture
     */
    default LatencyDistribution withStall(double probability, LatencyDistribution stall) {
        if (!(probability > 0 && probability <= 1)) {
            throw new IllegalArgumentException("stall probability must be in (0, 1], got " + probability);
        }
        Objects.requireNonNull(stall, "stall");
        LatencyDistribution base = this;
        double mean = base.meanNanos() + probability * stall.meanNanos();
        String spec = base.spec() + "+" + probability + "*" + stall.spec();
        return new LatencyDistribution() {
            @Override
            public long sampleNanos(RandomGenerator random) {
                long t = base.sampleNanos(random);
                return random.nextDouble() < probability ? t + stall.sampleNanos(random) : t;
            }

            @Override
            public double meanNanos() {
                return mean;
            }

            @Override
            public String spec() {
                return spec;
            }

            @Override
            public String toString() {
                return spec;
            }
        };
    }

    /**
     * A normal distribution truncated below at {@link #MIN_NANOS} (Linkerd's "median 167 ms, sd 5 ms").
     *
     * @param medianMs the median (and mean) in milliseconds, positive
     * @param sdMs the standard deviation in milliseconds, not negative
     * @return the distribution
     */
    static LatencyDistribution normal(double medianMs, double sdMs) {
        positive("median", medianMs);
        notNegative("sd", sdMs);
        return new Simple("normal(" + fmt(medianMs) + "," + fmt(sdMs) + ")", medianMs * 1e6,
                r -> medianMs * 1e6 + r.nextGaussian() * sdMs * 1e6);
    }

    /**
     * A log-normal distribution: a long right tail, as real service times have.
     *
     * @param medianMs the median in milliseconds, positive
     * @param sigma the standard deviation of the logarithm, not negative (0.5 puts p99 at 3.2 x the median)
     * @return the distribution
     */
    static LatencyDistribution logNormal(double medianMs, double sigma) {
        positive("median", medianMs);
        notNegative("sigma", sigma);
        double mu = Math.log(medianMs * 1e6);
        return new Simple("lognormal(" + fmt(medianMs) + "," + fmt(sigma) + ")",
                Math.exp(mu + sigma * sigma / 2), r -> Math.exp(mu + sigma * r.nextGaussian()));
    }

    /**
     * @param meanMs the mean in milliseconds, positive
     * @return an exponential distribution (the M in M/M/1)
     */
    static LatencyDistribution exponential(double meanMs) {
        positive("mean", meanMs);
        return new Simple("exp(" + fmt(meanMs) + ")", meanMs * 1e6,
                r -> -Math.log(1.0 - r.nextDouble()) * meanMs * 1e6);
    }

    /**
     * @param ms the service time in milliseconds, positive
     * @return a distribution that always returns {@code ms}
     */
    static LatencyDistribution constant(double ms) {
        positive("constant", ms);
        return new Simple("const(" + fmt(ms) + ")", ms * 1e6, r -> ms * 1e6);
    }

    /**
     * Resamples observed latencies (a bootstrap): each sample is one of {@code samplesMs}, uniformly.
     *
     * @param name how the spec names the source (a file name)
     * @param samplesMs observed latencies in milliseconds, at least one, all positive
     * @return the distribution
     */
    static LatencyDistribution empirical(String name, double[] samplesMs) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(samplesMs, "samplesMs");
        if (samplesMs.length == 0) {
            throw new IllegalArgumentException("samplesMs must not be empty");
        }
        long[] nanos = new long[samplesMs.length];
        double sum = 0;
        for (int i = 0; i < samplesMs.length; i++) {
            positive("samplesMs[" + i + "]", samplesMs[i]);
            nanos[i] = Math.round(samplesMs[i] * 1e6);
            sum += nanos[i];
        }
        Arrays.sort(nanos);
        double mean = sum / nanos.length;
        return new LatencyDistribution() {
            @Override
            public long sampleNanos(RandomGenerator random) {
                return Math.max(MIN_NANOS, nanos[random.nextInt(nanos.length)]);
            }

            @Override
            public double meanNanos() {
                return mean;
            }

            @Override
            public String spec() {
                return "empirical(" + name + ", n=" + nanos.length + ")";
            }
        };
    }

    /**
     * Parses {@code normal(median,sd)}, {@code lognormal(median,sigma)}, {@code exp(mean)} or {@code const(ms)};
     * all times in milliseconds.
     *
     * @param spec the text
     * @return the distribution
     * @throws IllegalArgumentException if the text is not one of these forms or a value is out of range
     */
    static LatencyDistribution parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int open = s.indexOf('(');
        if (open <= 0 || !s.endsWith(")")) {
            throw new IllegalArgumentException("latency spec must look like normal(167,5), lognormal(100,0.5), "
                    + "exp(10) or const(5), got '" + spec + "'");
        }
        String kind = s.substring(0, open);
        String[] parts = s.substring(open + 1, s.length() - 1).split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("latency spec '" + spec + "': '" + parts[i].trim()
                        + "' is not a number", e);
            }
        }
        switch (kind) {
            case "normal":
                arity(spec, v, 2);
                return normal(v[0], v[1]);
            case "lognormal":
                arity(spec, v, 2);
                return logNormal(v[0], v[1]);
            case "exp":
                arity(spec, v, 1);
                return exponential(v[0]);
            case "const":
                arity(spec, v, 1);
                return constant(v[0]);
            default:
                throw new IllegalArgumentException("latency spec '" + spec + "': unknown distribution '" + kind
                        + "' (normal, lognormal, exp, const)");
        }
    }

    private static void arity(String spec, double[] v, int n) {
        if (v.length != n) {
            throw new IllegalArgumentException("latency spec '" + spec + "' needs " + n + " number(s), got "
                    + v.length);
        }
    }

    private static void positive(String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(field + " must be positive and finite, got " + v);
        }
    }

    private static void notNegative(String field, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(field + " must be finite and not negative, got " + v);
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** A distribution given by a sampling function of doubles in nanoseconds. */
    final class Simple implements LatencyDistribution {
        private final String spec;
        private final double mean;
        private final java.util.function.ToDoubleFunction<RandomGenerator> sampler;

        Simple(String spec, double mean, java.util.function.ToDoubleFunction<RandomGenerator> sampler) {
            this.spec = spec;
            this.mean = mean;
            this.sampler = sampler;
        }

        @Override
        public long sampleNanos(RandomGenerator random) {
            return Math.max(MIN_NANOS, Math.round(sampler.applyAsDouble(random)));
        }

        @Override
        public double meanNanos() {
            return mean;
        }

        @Override
        public String spec() {
            return spec;
        }

        @Override
        public String toString() {
            return spec;
        }
    }
}
