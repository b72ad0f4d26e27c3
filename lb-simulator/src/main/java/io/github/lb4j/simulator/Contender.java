package io.github.lb4j.simulator;

import io.github.lb4j.core.OutlierDetection;
import io.github.lb4j.core.Strategy;
import java.util.List;
import java.util.Objects;

/**
 * Something that picks backends in a simulation: a real lb-core {@link Strategy} (driven through a real
 * {@code LoadBalancer} on the simulation's clock and seeded random), or the {@link #oracle()}.
 *
 * <p>Thread-safety: immutable.
 */
public final class Contender {

    final String name;
    /** Null for the oracle. */
    final Strategy strategy;
    /** The pool's passive outlier detection. */
    final OutlierDetection outlierDetection;
    /** Whether the pool keeps lb-core's defaults (outlier detection, slow start). */
    final boolean shipped;

    private Contender(String name, Strategy strategy, OutlierDetection outlierDetection) {
        this.name = name;
        this.strategy = strategy;
        this.outlierDetection = outlierDetection;
        this.shipped = outlierDetection != null && outlierDetection.isEnabled();
    }

    /**
     * The strategy alone: the pool's passive outlier detection and slow start are off, so the table measures the
     * strategy's own choices (as the published comparisons do).
     *
     * @param strategy the real strategy under test
     * @return a contender named after the strategy
     */
    public static Contender of(Strategy strategy) {
        Objects.requireNonNull(strategy, "strategy");
        return new Contender(strategy.name(), strategy, OutlierDetection.disabled());
    }

    /**
     * The strategy as lb-core ships it: with {@link OutlierDetection#defaults()} (a backend whose calls keep failing
     * or timing out is ejected for a while) and the default slow start.
     *
     * @param strategy the real strategy under test
     * @return a contender named {@code strategy+ejection}
     */
    public static Contender asShipped(Strategy strategy) {
        Objects.requireNonNull(strategy, "strategy");
        return new Contender(strategy.name() + "+ejection", strategy, OutlierDetection.defaults());
    }

    /**
     * The oracle: knows every backend's current mean service time, queue and crash state, and sends each request
     * where its expected response time is lowest (ties broken at random). No real balancer can do better on
     * average; it is the yardstick.
     *
     * @return the oracle
     */
    public static Contender oracle() {
        return new Contender("oracle", null, null);
    }

    /** @return roundRobin, random, leastRequests, peakEwma and the oracle */
    public static List<Contender> latencyContenders() {
        return List.of(of(Strategy.roundRobin()), of(Strategy.random()), of(Strategy.leastRequests()),
                of(Strategy.peakEwma()), oracle());
    }

    /** @return roundRobin, random, leastRequests and peakEwma with lb-core's default outlier detection */
    public static List<Contender> latencyContendersAsShipped() {
        return List.of(asShipped(Strategy.roundRobin()), asShipped(Strategy.random()),
                asShipped(Strategy.leastRequests()), asShipped(Strategy.peakEwma()));
    }

    /** @return the contender's name */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
