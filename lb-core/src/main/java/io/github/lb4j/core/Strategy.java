package io.github.lb4j.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How a pool picks a backend for each request. Every strategy honours {@link Backend#weight()} (all weights 1 means
 * uniform) and never picks a backend that is not available.
 *
 * <pre>{@code
 * LoadBalancer pool = LoadBalancer.builder("orders")
 *         .backends(backends)
 *         .strategy(Strategy.peakEwma())                       // latency-aware
 *         .build();
 * LoadBalancer cache = LoadBalancer.builder("cache")
 *         .backends(backends)
 *         .strategy(Strategy.maglev().withBoundedLoad(1.25))   // sticky keys, no backend above 1.25 x mean load
 *         .build();
 * }</pre>
 *
 * <table>
 *   <caption>The strategies</caption>
 *   <tr><th>factory</th><th>pick cost</th><th>use it for</th></tr>
 *   <tr><td>{@link #roundRobin()}</td><td>O(1)</td><td>equal requests to equal backends; nginx's smooth weighted order</td></tr>
 *   <tr><td>{@link #random()}</td><td>O(1)</td><td>many independent clients; no shared cursor</td></tr>
 *   <tr><td>{@link #leastRequests()}</td><td>O(1)</td><td>the default choice: requests of uneven cost</td></tr>
 *   <tr><td>{@link #peakEwma()}</td><td>O(1)</td><td>backends whose latency differs or drifts</td></tr>
 *   <tr><td>{@link #ringHash()}</td><td>O(log n)</td><td>key affinity with minimal movement on change</td></tr>
 *   <tr><td>{@link #maglev()}</td><td>O(1)</td><td>key affinity with even spread and fast lookups</td></tr>
 *   <tr><td>{@link #rendezvous()}</td><td>O(n)</td><td>key affinity for small pools, no table at all</td></tr>
 * </table>
 *
 * <p>A strategy object holds only configuration: one may be shared by many pools; each pool keeps its own state.
 *
 * <p>Thread-safety: immutable.
 */
public abstract class Strategy {

    /** Default decay window of {@link #peakEwma()}: Finagle's and Linkerd's 10 seconds. */
    public static final Duration DEFAULT_EWMA_DECAY = Duration.ofSeconds(10);

    /**
     * Longest decay window of {@link #peakEwma(Duration)}: a latency sample a day old says nothing about a backend,
     * and the bound keeps the nanosecond arithmetic far from overflow (300 years overflowed before).
     */
    public static final Duration MAX_EWMA_DECAY = Duration.ofDays(1);

    Strategy() {
    }

    /**
     * Round robin. With equal weights a strict rotation; with unequal weights the sequence of nginx's smooth weighted
     * round robin (weights 5, 1, 1 give {@code a a b a c a a} each cycle), with exact proportions over every cycle.
     * Each pool starts at a random phase of the cycle so that many clients do not all hit the same backend first.
     *
     * @return the strategy
     */
    public static Strategy roundRobin() {
        return RoundRobinStrategy.INSTANCE;
    }

    /**
     * Weighted random, O(1) per pick (an alias table built when membership changes).
     *
     * @return the strategy
     */
    public static Strategy random() {
        return RandomStrategy.INSTANCE;
    }

    /**
     * Least requests with the power of two choices: two distinct backends are sampled (by weight) and the one with
     * fewer calls in flight per unit of weight wins. Cheap, and it avoids the herd behaviour of a global minimum.
     *
     * @return the strategy
     */
    public static Strategy leastRequests() {
        return LeastRequestsStrategy.INSTANCE;
    }

    /**
     * Peak-EWMA latency with the power of two choices (Finagle, Linkerd): each backend's cost is a peak-sensitive
     * moving average of its latency times its calls in flight plus one; weights set how often a backend is drawn
     * as a candidate. A backend that turns slow is avoided at once and tried again as its estimate decays. A
     * failed call (a timeout, a refused connection) counts as twice its latency and failures in a row double the
     * estimate each time, up to the decay window, so neither a timeout that hides the true latency nor a backend
     * that fails fast attracts traffic. Costs within 1/16 of each other count as equal, so an idle pool follows the
     * weights. Decay window {@link #DEFAULT_EWMA_DECAY}.
     *
     * @return the strategy
     */
    public static Strategy peakEwma() {
        return new PeakEwmaStrategy(DEFAULT_EWMA_DECAY);
    }

    /**
     * Peak-EWMA with another decay window.
     *
     * @param decay how fast old latency samples are forgotten, positive, at most {@link #MAX_EWMA_DECAY}
     * @return the strategy
     * @throws IllegalArgumentException if {@code decay} is not positive or above {@link #MAX_EWMA_DECAY}
     */
    public static Strategy peakEwma(Duration decay) {
        Objects.requireNonNull(decay, "decay");
        if (decay.isNegative() || decay.isZero() || decay.compareTo(MAX_EWMA_DECAY) > 0) {
            throw new IllegalArgumentException("decay must be positive and at most " + MAX_EWMA_DECAY + ", got "
                    + decay);
        }
        return new PeakEwmaStrategy(decay);
    }

    /**
     * Ketama-style consistent hashing on a ring of virtual nodes proportional to weight; see
     * {@link RingHashStrategy#DEFAULT_POINTS_PER_BACKEND} for its size.
     *
     * @return the strategy
     */
    public static HashStrategy ringHash() {
        return new RingHashStrategy(RingHashStrategy.DEFAULT_POINTS_PER_BACKEND, 0.0);
    }

    /**
     * Google's Maglev consistent hashing: a lookup table of a prime size (65 537 by default, larger primes for pools
     * of more than 655 backends) filled once per membership change; O(1) lookups and a near-perfect spread.
     *
     * @return the strategy
     */
    public static HashStrategy maglev() {
        return new MaglevStrategy(0, 0.0);
    }

    /**
     * Weighted rendezvous (highest random weight) hashing: every backend scores the key, the highest score wins.
     * Needs no table, moves the fewest keys, but a pick costs O(n): prefer it for pools of up to a few hundred.
     *
     * @return the strategy
     */
    public static HashStrategy rendezvous() {
        return new RendezvousStrategy(0.0);
    }

    /** @return a short name, such as {@code roundRobin} */
    public abstract String name();

    /** Creates the state one pool keeps for this strategy (cursors, random source). */
    abstract PickerFactory newFactory(PoolContext context);

    /** @return whether picks read the clock (so the pool reads it once and passes it on) */
    boolean usesClock() {
        return false;
    }

    /**
     * @return whether a pool may ramp a new or recovered backend's weight up under slow start; the hash strategies
     *     say no, since a changing weight would move keys back and forth
     */
    boolean supportsSlowStart() {
        return true;
    }

    /** @return whether completions must feed latency samples back */
    boolean tracksLatency() {
        return false;
    }

    @Override
    public String toString() {
        return name();
    }
}
