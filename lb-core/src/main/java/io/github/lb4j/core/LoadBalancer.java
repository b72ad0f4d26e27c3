package io.github.lb4j.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * A named pool of backends and the strategy that picks one of them per request. The pool learns from the outcomes
 * that each {@link Selection} reports back.
 *
 * <pre>{@code
 * LoadBalancer orders = LoadBalancer.builder("orders")
 *         .backends(List.of(
 *                 Backend.of("10.0.0.1", 8080),
 *                 Backend.of("10.0.0.2", 8080).withWeight(3)))
 *         .strategy(Strategy.leastRequests())
 *         .build();
 *
 * try (Selection selection = orders.select()) {
 *     Backend backend = selection.backend();
 *     // ... call backend.host() : backend.port() ...
 *     selection.success();                  // or selection.failure(exception)
 * }
 *
 * orders.updateBackends(List.of(Backend.of("10.0.0.3", 8080)));   // atomic; state of kept backends survives
 * orders.close();
 * }</pre>
 *
 * <p>How it works: every change (membership, weights, health) goes through one serialized update path that builds
 * an immutable snapshot of the pickable backends and a picker over it, then publishes both through a single
 * volatile field. {@link #select} reads that field once and never takes a lock; per-backend counters live on
 * long-lived per-backend state that survives snapshot swaps.
 *
 * <p>Thread-safety: all methods are safe to call from any thread. {@code select} is lock-free.
 */
public interface LoadBalancer extends AutoCloseable {

    /**
     * @param name the pool's name, used in messages, logs and metrics; not blank
     * @return a builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    static Builder builder(String name) {
        return new Builder(name);
    }

    /** @return the pool's name */
    String name();

    /** @return the pool's strategy */
    Strategy strategy();

    /**
     * Picks a backend for a request with no hash key.
     *
     * @return the selection; report its outcome or close it
     * @throws NoBackendAvailableException if no backend can be picked
     * @throws IllegalStateException if the pool is closed
     */
    default Selection select() {
        return select(RequestContext.empty());
    }

    /**
     * Picks a backend for a request.
     *
     * @param context the request's hash key, exclusions or pin
     * @return the selection; report its outcome or close it
     * @throws NoBackendAvailableException if no backend can be picked
     * @throws IllegalStateException if the pool is closed
     */
    Selection select(RequestContext context);

    /**
     * Replaces the pool's membership atomically. Backends whose {@link Backend#id() id} stays keep their counters,
     * latency estimate and health, even if their weight or metadata changed; removed backends with calls in flight
     * are {@link BackendHealth#DRAINING draining} until those complete. An update equal to the current membership
     * does nothing. An empty list empties the pool.
     *
     * @param backends the complete new membership, without duplicate ids
     * @throws IllegalArgumentException if two backends share an id
     * @throws IllegalStateException if the pool is closed
     */
    void updateBackends(Collection<Backend> backends);

    /** @return the current members (not draining ones), in membership order */
    List<Backend> backends();

    /** @return one entry per member, then per draining backend */
    List<BackendStats> stats();

    /** Stops the pool: later {@code select} and {@code updateBackends} calls throw; in-flight selections complete. */
    @Override
    void close();

    /**
     * Configures a {@link LoadBalancer}. Every setter validates its argument at once and names the bad value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    final class Builder {
        final String name;
        List<Backend> backends = List.of();
        Strategy strategy = Strategy.roundRobin();
        Ticker ticker = Ticker.system();
        RandomGenerator random = ThreadLocalRandom.current();
        BackendSource source;

        Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("pool name must not be blank, got '" + name + "'");
            }
            for (int i = 0; i < name.length(); i++) {
                if (Character.isISOControl(name.charAt(i))) {
                    throw new IllegalArgumentException("pool name must not contain control characters, got '"
                            + name.replaceAll("\\p{Cntrl}", "?") + "'");
                }
            }
            this.name = name;
        }

        /**
         * @param backends the initial membership (may be empty), without duplicate ids
         * @return this builder
         * @throws IllegalArgumentException if two backends share an id
         */
        public Builder backends(Collection<Backend> backends) {
            this.backends = DefaultLoadBalancer.checkMembership(backends);
            return this;
        }

        /**
         * @param strategy how to pick; default {@link Strategy#roundRobin()}
         * @return this builder
         */
        public Builder strategy(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * @param ticker the clock for latency and every time-based behaviour; default {@link Ticker#system()}
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * The random source of the random, two-choice and keyless hash picks and of the round-robin starting phase.
         * Picks on several threads share it, so it must be thread-safe ({@link java.util.Random} is); the default,
         * {@link ThreadLocalRandom#current()}, is fastest. Tests pass a seeded generator to make picks repeatable.
         *
         * @param random the source
         * @return this builder
         */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Where the membership comes from after the pool is built (discovery). {@link #build()} starts the source
         * and {@link LoadBalancer#close()} closes it. Initial {@link #backends backends}, if any, serve until the
         * source's first set arrives. See {@link BackendSource} for keep-last-good.
         *
         * @param source the source, for this pool only unless the source says it can be shared
         * @return this builder
         */
        public Builder source(BackendSource source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** @return the pool, ready for {@code select} */
        public LoadBalancer build() {
            return new DefaultLoadBalancer(this);
        }

        List<Backend> backendsCopy() {
            return new ArrayList<>(backends);
        }
    }
}
