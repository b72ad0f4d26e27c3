package io.github.lb4j.simulator;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;

/**
 * What one contender achieved in one scenario. Latencies are as the client saw them: a request that timed out
 * counts at the timeout.
 *
 * <p>Thread-safety: immutable.
 */
public final class Result {

    private final String scenario;
    private final String contender;
    private final long[] sortedLatencies;
    private final long ok;
    private final long okWithinSlo;
    private final long errors;
    private final long timeouts;
    private final long sloNanos;
    private final Map<String, Long> perBackend;
    private final long[] perSecondRequests;
    private final long[] perSecondGood;

    Result(String scenario, String contender, long[] latencies, long ok, long okWithinSlo, long errors,
           long timeouts, long sloNanos, Map<String, Long> perBackend, long[] perSecondRequests,
           long[] perSecondGood) {
        this.perSecondRequests = perSecondRequests.clone();
        this.perSecondGood = perSecondGood.clone();
        this.scenario = scenario;
        this.contender = contender;
        this.sortedLatencies = latencies.clone();
        Arrays.sort(this.sortedLatencies);
        this.ok = ok;
        this.okWithinSlo = okWithinSlo;
        this.errors = errors;
        this.timeouts = timeouts;
        this.sloNanos = sloNanos;
        this.perBackend = Collections.unmodifiableMap(perBackend);
    }

    /** @return the scenario's name */
    public String scenario() {
        return scenario;
    }

    /** @return the contender's name */
    public String contender() {
        return contender;
    }

    /** @return requests counted (after the warm-up) */
    public long requests() {
        return sortedLatencies.length;
    }

    /** @return requests that succeeded (at any latency) */
    public long ok() {
        return ok;
    }

    /** @return requests that failed with an error (refused, failed, no backend) */
    public long errors() {
        return errors;
    }

    /** @return requests that timed out */
    public long timeouts() {
        return timeouts;
    }

    /** @return the share of requests that succeeded within the SLO (the timeout unless set), in [0, 1] */
    public double successRate() {
        return requests() == 0 ? 0 : (double) okWithinSlo / requests();
    }

    /** @return the SLO in nanoseconds (0: none, any success counts) */
    public long sloNanos() {
        return sloNanos;
    }

    /**
     * @param p a quantile in [0, 1] (0.99 for p99)
     * @return the latency at that quantile in milliseconds (nearest rank)
     */
    public double percentileMs(double p) {
        if (sortedLatencies.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sortedLatencies.length) - 1;
        return sortedLatencies[Math.max(0, Math.min(sortedLatencies.length - 1, rank))] / 1e6;
    }

    /** @return the mean latency in milliseconds */
    public double meanMs() {
        double sum = 0;
        for (long l : sortedLatencies) {
            sum += l;
        }
        return sortedLatencies.length == 0 ? Double.NaN : sum / sortedLatencies.length / 1e6;
    }

    /** @return requests sent to each backend id */
    public Map<String, Long> perBackend() {
        return perBackend;
    }

    /**
     * @return for each second of the run (by arrival time), the share of counted requests that succeeded within the
     *     SLO; NaN for a second with no counted request
     */
    public double[] successRateBySecond() {
        double[] out = new double[perSecondRequests.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = perSecondRequests[i] == 0 ? Double.NaN : (double) perSecondGood[i] / perSecondRequests[i];
        }
        return out;
    }

    /** @return the sorted latencies in nanoseconds (a copy) */
    public long[] sortedLatencies() {
        return sortedLatencies.clone();
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s/%s: n=%d p50=%.1fms p99=%.1fms p99.9=%.1fms success=%.3f%%",
                scenario, contender, requests(), percentileMs(0.5), percentileMs(0.99), percentileMs(0.999),
                100 * successRate());
    }
}
