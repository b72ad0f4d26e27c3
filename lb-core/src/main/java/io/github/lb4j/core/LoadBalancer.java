package io.github.lb4j.core;

import io.github.lb4j.core.internal.Checks;
import java.time.Duration;
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
 * <p>Callers that cannot report outcomes (a redirector, a DNS server) use {@link #pick()} instead: the same choice,
 * returned as a bare {@link Backend}, with nothing counted and nothing to close.
 *
 * <p>Health, on by default: {@link OutlierDetection passive outlier detection} ejects a backend after failures in a
 * row or a high failure rate, for a time that grows with each ejection; {@linkplain Builder#slowStart slow start}
 * ramps a new or recovered backend up; {@linkplain Builder#panicThreshold panic mode} spreads load over every primary
 * when too few are healthy; {@linkplain Backend#asBackup() backups} serve only when no primary can. Active
 * {@linkplain Builder#healthCheck health checks} are opt-in. Every change is logged and sent to
 * {@linkplain Builder#listener listeners}:
 *
 * <pre>{@code
 * LoadBalancer orders = LoadBalancer.builder("orders")
 *         .backends(backends)
 *         .outlierDetection(OutlierDetection.builder().consecutiveFailures(3).build())
 *         .healthCheck(ActiveHealthCheck.of(checker))
 *         .slowStart(Duration.ofSeconds(60))
 *         .listener(event -> metrics.record(event))
 *         .build();
 * }</pre>
 *
 * <p>Listeners never run on a request thread: a change (a failure that ejects a backend, an update, a health check)
 * queues its events and returns, and the {@linkplain Builder#listenerExecutor listener executor} delivers them in
 * order, so a slow listener delays only the events.
 *
 * <p>Thread-safety: all methods are safe to call from any thread. {@code select} and {@code pick} are lock-free.
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
     * Chooses a backend for a request with no hash key, counting nothing; see {@link #pick(RequestContext)}.
     *
     * @return the backend
     * @throws NoBackendAvailableException if no backend can be picked
     * @throws IllegalStateException if the pool is closed
     */
    default Backend pick() {
        return pick(RequestContext.empty());
    }

    /**
     * Chooses a backend like {@link #select(RequestContext)} but opens no {@link Selection}: it takes no in-flight
     * slot and no outcome will be reported, so {@link Strategy#leastRequests()}, {@link Strategy#peakEwma()},
     * passive outlier detection and the draining of removed backends see nothing of this call, and
     * {@link BackendStats} does not count it. For callers that cannot learn or report what happened to the request:
     * an HTTP redirector, a DNS answer, an address handed to a client that lb4j does not wrap. Everything else is as
     * in {@code select}: the same eligibility (health, slow start, panic mode, backups), the same pin, exclusions and
     * hash key, the same exceptions. With the O(1) strategies it allocates nothing.
     *
     * <pre>{@code
     * Backend b = pool.pick();                 // nothing to close, nothing to report
     * exchange.getResponseHeaders().set("Location", "http://" + b.host() + ":" + b.port() + path);
     * }</pre>
     *
     * <p>Picks and selections share the strategy's position: a round robin moves one step for either. The
     * strategies that weigh load see only selections, so pools fed only by {@code pick} should use
     * {@link Strategy#roundRobin()}, {@link Strategy#random()} or a hash strategy.
     *
     * <p>Thread-safety: safe from any thread; lock-free, like {@code select}.
     *
     * @param context the request's hash key, exclusions or pin
     * @return the backend
     * @throws NoBackendAvailableException if no backend can be picked
     * @throws IllegalStateException if the pool is closed
     */
    Backend pick(RequestContext context);

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

    /**
     * @return the current members (not draining ones), in membership order; with
     *     {@linkplain Builder#subsetting subsetting}, only this client's subset
     */
    List<Backend> backends();

    /**
     * @return one entry per member, then per draining backend, each with its health, the time of its last health
     *     transition and why it happened
     */
    List<BackendStats> stats();

    /**
     * When the membership was last known to be current: the {@link Ticker} time of the pool's creation, of the last
     * {@link #updateBackends} (changed or not), or of its {@link BackendSource}'s last
     * {@link BackendSource.Sink#confirmed() confirmation}, whichever is latest. A source that lost its registry keeps
     * the last good set and stops confirming it, so the age of this time tells how stale the set may be.
     *
     * @return the pool's ticker time, in nanoseconds
     */
    long membershipConfirmedNanos();

    /**
     * Stops the pool: later {@code select}, {@code pick} and {@code updateBackends} calls throw; in-flight
     * selections complete; active health checks stop (the shared scheduler thread ends when no open pool needs it).
     */
    @Override
    void close();

    /**
     * Configures a {@link LoadBalancer}. Every setter validates its argument at once and names the bad value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    final class Builder {

        /**
         * Default panic threshold: 50%, Envoy's. Below half the primaries, the healthy ones would take more than
         * twice their share; spreading load over all of them (some of which may in fact be fine) hurts less.
         */
        public static final int DEFAULT_PANIC_THRESHOLD_PERCENT = 50;
        /**
         * Default slow-start window: 30 s, long enough for a JVM backend to warm its JIT and caches under a growing
         * share of traffic, short enough that capacity comes back quickly.
         */
        public static final Duration DEFAULT_SLOW_START_WINDOW = Duration.ofSeconds(30);
        /** Default share of its weight a backend starts its ramp at: 10%, enough traffic to warm up, little to hurt. */
        public static final int DEFAULT_SLOW_START_FLOOR_PERCENT = 10;
        /**
         * Default cap on distinct {@linkplain RequestContext#withSubset subset selectors} per pool: 64, far more than
         * the versions or canaries a service runs at once, and a bound on the memory and rebuild work that selectors
         * taken from request headers can cost (each adds one picker to every snapshot).
         */
        public static final int DEFAULT_MAX_SUBSETS = 64;
        /**
         * Default {@link #eventQueueCapacity}: 1024 events, minutes of changes for a listener that keeps up, and
         * at most a few MB while it does not (a membership event of a 10 000-backend pool lists them all).
         */
        public static final int DEFAULT_EVENT_QUEUE_CAPACITY = 1024;
        /** Upper bound of {@link #eventQueueCapacity}. */
        public static final int MAX_EVENT_QUEUE_CAPACITY = 1_000_000;

        final String name;
        List<Backend> backends = List.of();
        Strategy strategy = Strategy.roundRobin();
        Ticker ticker = Ticker.system();
        RandomGenerator random = ThreadLocalRandom.current();
        OutlierDetection outlierDetection = OutlierDetection.defaults();
        ActiveHealthCheck healthCheck;
        long slowStartNanos = DEFAULT_SLOW_START_WINDOW.toNanos();
        int slowStartFloorPercent = DEFAULT_SLOW_START_FLOOR_PERCENT;
        int panicThresholdPercent = DEFAULT_PANIC_THRESHOLD_PERCENT;
        final List<LoadBalancerListener> listeners = new ArrayList<>();
        /** Null: the shared {@link EventThreads}. */
        java.util.concurrent.Executor listenerExecutor;
        int eventQueueCapacity = DEFAULT_EVENT_QUEUE_CAPACITY;
        /** Tests replace the shared scheduler with one driven by their fake clock. */
        CheckScheduler checkScheduler;
        BackendSource source;
        Subsetting subsetting = Subsetting.none();
        /** Null: from the system property {@value LeakDetector#PROPERTY}. */
        LeakDetector.Level leakDetection;
        /** Null: zone-aware routing off. */
        String localZone;
        /** Null: callers even over the zones; else normalized to sum 1. */
        java.util.Map<String, Double> callerZoneShares;
        SubsetFallback subsetFallback = SubsetFallback.NONE;
        /** Null: no default subset. */
        SubsetSelector defaultSubset;
        int maxSubsets = DEFAULT_MAX_SUBSETS;

        Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("pool name must not be blank, got '" + name + "'");
            }
            for (int i = 0; i < name.length(); i++) {
                if (Character.isISOControl(name.charAt(i))) {
                    throw new IllegalArgumentException("pool name must not contain control characters, got '"
                            + Checks.printable(name) + "'");
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
            this.backends = Membership.check(backends);
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
         * Passive outlier detection: what failures eject a backend, for how long, and how much of the pool at most.
         *
         * @param detection the configuration, or {@link OutlierDetection#disabled()}; default
         *     {@link OutlierDetection#defaults()}
         * @return this builder
         */
        public Builder outlierDetection(OutlierDetection detection) {
            this.outlierDetection = Objects.requireNonNull(detection, "outlierDetection");
            return this;
        }

        /**
         * Active health checks of every backend. Default: none. Call {@link LoadBalancer#close()} to stop them.
         *
         * @param healthCheck the checker and its schedule
         * @return this builder
         */
        public Builder healthCheck(ActiveHealthCheck healthCheck) {
            this.healthCheck = Objects.requireNonNull(healthCheck, "healthCheck");
            return this;
        }

        /**
         * Slow start with the default floor ({@link #DEFAULT_SLOW_START_FLOOR_PERCENT}).
         *
         * @param window see {@link #slowStart(Duration, int)}
         * @return this builder
         * @throws IllegalArgumentException if {@code window} is negative
         */
        public Builder slowStart(Duration window) {
            return slowStart(window, DEFAULT_SLOW_START_FLOOR_PERCENT);
        }

        /**
         * Slow start: a backend that joins the pool after it was built, or comes back from {@link BackendHealth#EJECTED}
         * or {@link BackendHealth#UNHEALTHY}, starts at {@code floorPercent} of its weight and ramps linearly to its
         * full weight over {@code window}, in ten steps, so that a cold backend is not flooded. Applies to
         * {@link Strategy#roundRobin()}, {@link Strategy#random()}, {@link Strategy#leastRequests()} and
         * {@link Strategy#peakEwma()}; the hash strategies keep their key mapping and ignore it. The ramp reads the
         * pool's {@link Ticker}; it needs no timer. Default {@link #DEFAULT_SLOW_START_WINDOW} from
         * {@link #DEFAULT_SLOW_START_FLOOR_PERCENT}.
         *
         * @param window the length of the ramp; {@link Duration#ZERO} turns slow start off
         * @param floorPercent the share of its weight a backend starts at, 1 to 100
         * @return this builder
         * @throws IllegalArgumentException if {@code window} is negative or longer than a year, or
         *     {@code floorPercent} is out of range
         */
        public Builder slowStart(Duration window, int floorPercent) {
            Objects.requireNonNull(window, "window");
            if (window.isNegative()) {
                throw new IllegalArgumentException("slow start window must not be negative, got " + window);
            }
            if (window.compareTo(Duration.ofDays(365)) > 0) {
                throw new IllegalArgumentException("slow start window must be at most a year, got " + window);
            }
            if (floorPercent < 1 || floorPercent > 100) {
                throw new IllegalArgumentException("slow start floorPercent must be between 1 and 100, got "
                        + floorPercent);
            }
            this.slowStartNanos = window.toNanos();
            this.slowStartFloorPercent = floorPercent;
            return this;
        }

        /**
         * Panic mode: when fewer than {@code percent} of the primary backends are healthy, the pool picks across all
         * primaries regardless of health (Envoy's behaviour), logs a WARN and sends a
         * {@link LoadBalancerEvent.PanicModeChanged}; it leaves panic mode when enough are healthy again. With no
         * healthy primary and a healthy {@linkplain Backend#asBackup() backup}, the backups serve instead. Backends
         * waiting for their first health check do not count. {@code 0} turns panic mode off: the pool then picks
         * only healthy backends and fails fast with {@link NoBackendAvailableException} when there are none.
         *
         * @param percent 0 to 100; default {@link #DEFAULT_PANIC_THRESHOLD_PERCENT}
         * @return this builder
         * @throws IllegalArgumentException if {@code percent} is out of range
         */
        public Builder panicThreshold(int percent) {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("panicThreshold must be between 0 and 100 (percent), got "
                        + percent);
            }
            this.panicThresholdPercent = percent;
            return this;
        }

        /**
         * Adds a listener for the pool's {@link LoadBalancerEvent events}; may be called more than once. Listeners
         * run outside the pool's lock, in registration order, on the {@linkplain #listenerExecutor listener
         * executor}, never on a request thread; one that throws is logged and skipped.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(LoadBalancerListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Where the {@linkplain #listener listeners} run. The pool hands it one delivery task at a time, which
         * delivers the queued events in order, so any executor keeps the order and runs the listeners of one pool
         * one at a time. Default: two daemon threads {@code lb4j-events-N} shared by every pool of the process,
         * started on the first event and ended when idle or when the last pool with listeners closes. A direct
         * executor ({@code Runnable::run}) delivers on the thread that made the change, as a test may want. An
         * executor that rejects a task gets a WARN and the events are delivered on that thread instead.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder listenerExecutor(java.util.concurrent.Executor executor) {
            this.listenerExecutor = Objects.requireNonNull(executor, "listenerExecutor");
            return this;
        }

        /**
         * How many events may wait for slow listeners. Beyond it the oldest waiting event is dropped, counted and
         * logged at WARN (once per backlog): a listener that falls behind costs bounded memory and never blocks
         * the thread that made a change.
         *
         * @param capacity 1 to {@value #MAX_EVENT_QUEUE_CAPACITY}; default {@value #DEFAULT_EVENT_QUEUE_CAPACITY}
         * @return this builder
         * @throws IllegalArgumentException if {@code capacity} is out of range
         */
        public Builder eventQueueCapacity(int capacity) {
            if (capacity < 1 || capacity > MAX_EVENT_QUEUE_CAPACITY) {
                throw new IllegalArgumentException("eventQueueCapacity must be between 1 and "
                        + MAX_EVENT_QUEUE_CAPACITY + ", got " + capacity);
            }
            this.eventQueueCapacity = capacity;
            return this;
        }

        /**
         * Zone-aware routing from this zone (Envoy's rule): as much traffic as possible stays on backends whose
         * {@link Backend#zone()} is {@code zone}, as long as no backend carries more than its share of the whole
         * fleet's demand; the rest spills to the other zones in proportion to their spare capacity. With the local
         * zone's share of capacity (effective weights of its available backends) at least the local callers' share
         * of demand, every pick stays local; otherwise a pick stays local with probability capacity share / demand
         * share. Ejected, unhealthy and slow-starting backends count by their effective weight, so a zone that loses
         * backends sheds traffic to the others; in panic mode the pool picks over every primary, ignoring zones.
         * The split is computed when the pool's snapshot changes: a pick costs one random draw more than the
         * strategy's own.
         *
         * <pre>{@code
         * LoadBalancer orders = LoadBalancer.builder("orders")
         *         .backends(backends)                    // each Backend.of(...).withZone("a" | "b" | "c")
         *         .localZone("a")
         *         .callerZoneShares(Map.of("a", 0.5, "b", 0.3, "c", 0.2))   // optional
         *         .build();
         * }</pre>
         *
         * <p>The hash strategies ({@link Strategy#ringHash()}, {@link Strategy#maglev()},
         * {@link Strategy#rendezvous()}) ignore it, with one WARN at build: a key must reach the same backend from
         * every zone, or the affinity they exist for is lost.
         *
         * @param zone the zone this process runs in, not blank
         * @return this builder
         * @throws IllegalArgumentException if {@code zone} is blank or has control characters
         */
        public Builder localZone(String zone) {
            this.localZone = ZoneRouting.checkLocalZone(zone);
            return this;
        }

        /**
         * Where the calling fleet runs, for {@link #localZone zone-aware routing}: each zone's share of all callers'
         * requests. Default: callers spread evenly over the zones that have backends (and the local zone). A zone
         * where the pool has no backend is logged at WARN once (its callers then add demand on no zone).
         *
         * @param shares zone name to share, each at least 0, summing to 1 within 0.01 (then normalized)
         * @return this builder
         * @throws IllegalArgumentException if a zone is blank, a share negative or not finite, or the sum is off
         */
        public Builder callerZoneShares(java.util.Map<String, Double> shares) {
            this.callerZoneShares = ZoneRouting.checkShares(shares);
            return this;
        }

        /**
         * What a {@linkplain RequestContext#withSubset subset} request gets when none of the subset's backends is
         * available (it matches no member, or all it matches are ejected or unhealthy). Inside a subset the pool's
         * health, slow start, panic mode, zone-aware routing and strategy apply as for the whole pool; each subset
         * seen gets its own picker, rebuilt with every snapshot, so a subset pick stays lock-free.
         *
         * <pre>{@code
         * LoadBalancer.builder("orders").backends(backends)      // Backend...withMetadata("version", "v1" | "v2")
         *         .subsetFallback(SubsetFallback.ANY).build()
         *         .select(RequestContext.empty().withSubset(Map.of("version", "v2")));
         * }</pre>
         *
         * @param fallback default {@link SubsetFallback#NONE}; {@link SubsetFallback#DEFAULT} needs
         *     {@link #defaultSubset}
         * @return this builder
         */
        public Builder subsetFallback(SubsetFallback fallback) {
            this.subsetFallback = Objects.requireNonNull(fallback, "subsetFallback");
            return this;
        }

        /**
         * The subset {@link SubsetFallback#DEFAULT} falls back to, such as {@code Map.of("version", "v1")}.
         *
         * @param selector metadata key to value, not empty; keys not blank
         * @return this builder
         * @throws IllegalArgumentException if the selector is empty or a key is blank, naming it
         */
        public Builder defaultSubset(java.util.Map<String, String> selector) {
            SubsetSelector s = SubsetSelector.of("defaultSubset", selector);
            if (s == null) {
                throw new IllegalArgumentException("defaultSubset must not be empty (the whole pool is "
                        + "SubsetFallback.ANY), got " + selector);
            }
            this.defaultSubset = s;
            return this;
        }

        /**
         * The cap on distinct subset selectors the pool keeps a picker for. A request whose selector is new once the
         * cap is reached is served as if its subset were empty: the {@linkplain #subsetFallback fallback} applies
         * (one WARN per pool), so selectors from untrusted headers cannot grow memory. The default subset does not
         * count.
         *
         * @param max 1 to 10 000; default {@link #DEFAULT_MAX_SUBSETS}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxSubsets(int max) {
            if (max < 1 || max > 10_000) {
                throw new IllegalArgumentException("maxSubsets must be between 1 and 10000, got " + max);
            }
            this.maxSubsets = max;
            return this;
        }

        /** Tests: a leak detection level other than the system property's ({@link LeakDetector}). */
        Builder leakDetection(LeakDetector.Level level) {
            this.leakDetection = Objects.requireNonNull(level, "leakDetection");
            return this;
        }

        Builder checkScheduler(CheckScheduler scheduler) {
            this.checkScheduler = Objects.requireNonNull(scheduler, "checkScheduler");
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

        /**
         * Keeps only a subset of the backends this pool is given, so that each client of a large fleet holds a few
         * connections while every backend gets the same number of clients; see {@link Subsetting} for the algorithm.
         * The subset is recomputed from every full set ({@link #backends}, {@link LoadBalancer#updateBackends}, the
         * {@link #source}'s pushes). Backends outside it are not members: never picked, never health-checked, not
         * counted by panic mode, not listed by {@link LoadBalancer#backends()} or {@link LoadBalancer#stats()}.
         *
         * <pre>{@code
         * LoadBalancer.builder("orders").source(discovery).subsetting(Subsetting.deterministic(10, clientId)).build();
         * }</pre>
         *
         * @param subsetting the subsetting; default {@link Subsetting#none()}
         * @return this builder
         */
        public Builder subsetting(Subsetting subsetting) {
            this.subsetting = Objects.requireNonNull(subsetting, "subsetting");
            return this;
        }

        /**
         * @return the pool, ready for {@code select}
         * @throws IllegalStateException if {@link SubsetFallback#DEFAULT} has no {@link #defaultSubset}, or a
         *     default subset is set with another fallback
         */
        public LoadBalancer build() {
            if ((subsetFallback == SubsetFallback.DEFAULT) != (defaultSubset != null)) {
                throw new IllegalStateException(defaultSubset == null
                        ? "subsetFallback DEFAULT needs defaultSubset(...)"
                        : "defaultSubset " + defaultSubset + " is set but subsetFallback is " + subsetFallback
                                + ", not DEFAULT");
            }
            return new DefaultLoadBalancer(this);
        }

        List<Backend> backendsCopy() {
            return new ArrayList<>(backends);
        }
    }
}
