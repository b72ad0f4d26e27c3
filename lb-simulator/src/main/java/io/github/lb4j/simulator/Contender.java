package io.github.lb4j.simulator;

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

    private Contender(String name, Strategy strategy) {
        this.name = name;
        this.strategy = strategy;
    }

    /**
     * @param strategy the real strategy under test
     * @return a contender named after the strategy
     */
    public static Contender of(Strategy strategy) {
        Objects.requireNonNull(strategy, "strategy");
        return new Contender(strategy.name(), strategy);
    }

    /**
     * The oracle: knows every backend's current mean service time, queue and crash state, and sends each request
     * where its expected response time is lowest (ties broken at random). No real balancer can do better on
     * average; it is the yardstick.
     *
     * @return the oracle
     */
    public static Contender oracle() {
        return new Contender("oracle", null);
    }

    /** @return roundRobin, random, leastRequests, peakEwma and the oracle */
    public static List<Contender> latencyContenders() {
        return List.of(of(Strategy.roundRobin()), of(Strategy.random()), of(Strategy.leastRequests()),
                of(Strategy.peakEwma()), oracle());
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
