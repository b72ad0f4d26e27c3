package io.github.lb4j.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one simulation runs: the backends (queues with service-time distributions), an open-loop arrival rate, the
 * per-request timeout and a script of events (slow down, crash, recover, add, remove) at fixed virtual times.
 *
 * <pre>{@code
 * Scenario s = Scenario.builder("one slow backend")
 *         .backends(11, LatencyDistribution.normal(167, 5))
 *         .rate(1000).duration(Duration.ofSeconds(60)).timeout(Duration.ofSeconds(1))
 *         .at(Duration.ofSeconds(15), Event.slowDown("b0", LatencyDistribution.normal(2000, 5)))
 *         .at(Duration.ofSeconds(45), Event.recover("b0"))
 *         .build();
 * }</pre>
 *
 * <p>Thread-safety: immutable once built; the builder is not thread-safe.
 */
public final class Scenario {

    /**
     * One backend: a queue with {@code servers} parallel servers (0 means unlimited: latency independent of load),
     * a service-time distribution and an independent failure probability per request.
     *
     * @param id the backend's id, also its hash identity
     * @param latency the service-time distribution
     * @param servers parallel servers, 0 for unlimited
     * @param failureRate probability in [0, 1] that a served request fails (after its service time)
     * @param weight the lb-core weight of the backend
     */
    public record BackendSpec(String id, LatencyDistribution latency, int servers, double failureRate, int weight) {
        /** Validates every field. */
        public BackendSpec {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(latency, "latency");
            if (servers < 0) {
                throw new IllegalArgumentException("servers must be >= 0 (0 = unlimited), got " + servers);
            }
            if (!(failureRate >= 0 && failureRate <= 1)) {
                throw new IllegalArgumentException("failureRate must be in [0, 1], got " + failureRate);
            }
            if (weight < 1) {
                throw new IllegalArgumentException("weight must be >= 1, got " + weight);
            }
        }

        /**
         * @param id the id
         * @param latency the service-time distribution
         * @return an unlimited-concurrency backend of weight 1 that never fails
         */
        public static BackendSpec of(String id, LatencyDistribution latency) {
            return new BackendSpec(id, latency, 0, 0.0, 1);
        }

        /**
         * @param n parallel servers, 0 for unlimited
         * @return a copy with that many servers
         */
        public BackendSpec withServers(int n) {
            return new BackendSpec(id, latency, n, failureRate, weight);
        }

        /**
         * @param rate failure probability per request
         * @return a copy with that failure rate
         */
        public BackendSpec withFailureRate(double rate) {
            return new BackendSpec(id, latency, servers, rate, weight);
        }

        /**
         * @param w the weight
         * @return a copy with that weight
         */
        public BackendSpec withWeight(int w) {
            return new BackendSpec(id, latency, servers, failureRate, w);
        }
    }

    /** How a crashed backend behaves. */
    public enum CrashMode {
        /** Connections are refused: every request fails after {@link Scenario#REFUSE_NANOS}. */
        REFUSE,
        /** The backend stops answering: requests hang until the client's timeout. */
        HANG
    }

    /** Kinds of scripted event. */
    public enum EventKind { SLOW_DOWN, CRASH, RECOVER, ADD, REMOVE }

    /**
     * A scripted change to one backend.
     *
     * @param kind what happens
     * @param backendId the backend it happens to
     * @param latency the new distribution ({@code SLOW_DOWN}), else null
     * @param crashMode how it crashes ({@code CRASH}), else null
     * @param added the new backend ({@code ADD}), else null
     */
    public record Event(EventKind kind, String backendId, LatencyDistribution latency, CrashMode crashMode,
                        BackendSpec added) {
        /**
         * @param id the backend
         * @param latency its service time from now on (for requests that start service from now on)
         * @return the event
         */
        public static Event slowDown(String id, LatencyDistribution latency) {
            return new Event(EventKind.SLOW_DOWN, Objects.requireNonNull(id, "id"),
                    Objects.requireNonNull(latency, "latency"), null, null);
        }

        /**
         * @param id the backend
         * @param mode refuse or hang
         * @return the event; requests queued or in service on it are lost (refused or hung)
         */
        public static Event crash(String id, CrashMode mode) {
            return new Event(EventKind.CRASH, Objects.requireNonNull(id, "id"), null,
                    Objects.requireNonNull(mode, "mode"), null);
        }

        /**
         * @param id the backend
         * @return the event: up again with its original distribution
         */
        public static Event recover(String id) {
            return new Event(EventKind.RECOVER, Objects.requireNonNull(id, "id"), null, null, null);
        }

        /**
         * @param spec the new backend
         * @return the event: the backend joins the pool's membership
         */
        public static Event add(BackendSpec spec) {
            return new Event(EventKind.ADD, Objects.requireNonNull(spec, "spec").id(), null, null, spec);
        }

        /**
         * @param id the backend
         * @return the event: the backend leaves the membership; calls in flight on it still complete
         */
        public static Event remove(String id) {
            return new Event(EventKind.REMOVE, Objects.requireNonNull(id, "id"), null, null, null);
        }
    }

    /** An event at a virtual time. */
    record Timed(long atNanos, Event event) {
    }

    /** How long a refused connection takes to fail: half a millisecond. */
    public static final long REFUSE_NANOS = 500_000L;

    final String name;
    final List<BackendSpec> backends;
    final double ratePerSecond;
    final boolean poisson;
    final long durationNanos;
    final long warmupNanos;
    final long timeoutNanos;
    final long sloNanos;
    final long seed;
    final List<Timed> events;

    private Scenario(Builder b) {
        this.name = b.name;
        this.backends = List.copyOf(b.backends);
        this.ratePerSecond = b.rate;
        this.poisson = b.poisson;
        this.durationNanos = b.duration;
        this.warmupNanos = b.warmup;
        this.timeoutNanos = b.timeout;
        this.sloNanos = b.slo > 0 ? b.slo : b.timeout;
        this.seed = b.seed;
        List<Timed> sorted = new ArrayList<>(b.events);
        sorted.sort((x, y) -> Long.compare(x.atNanos(), y.atNanos()));
        this.events = Collections.unmodifiableList(sorted);
    }

    /**
     * @param name shown in reports
     * @return a builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** @return the scenario's name */
    public String name() {
        return name;
    }

    /** @return the initial backends */
    public List<BackendSpec> backends() {
        return backends;
    }

    /** @return the latency within which a request counts as a success: the SLO, else the timeout, else 0 */
    public long sloNanos() {
        return sloNanos;
    }

    /** @return arrivals per second */
    public double rate() {
        return ratePerSecond;
    }

    /** @return the per-request timeout in nanoseconds, 0 for none */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    /** Configures a {@link Scenario}; every setter validates at once. */
    public static final class Builder {
        private final String name;
        private final List<BackendSpec> backends = new ArrayList<>();
        private final List<Timed> events = new ArrayList<>();
        private double rate = 100;
        private boolean poisson = true;
        private long duration = Duration.ofSeconds(10).toNanos();
        private long warmup;
        private long timeout;
        private long slo;
        private long seed = 1;

        Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * @param spec one more backend
         * @return this builder
         */
        public Builder backend(BackendSpec spec) {
            backends.add(Objects.requireNonNull(spec, "spec"));
            return this;
        }

        /**
         * @param n backends {@code b0 .. b(n-1)}, unlimited concurrency, weight 1
         * @param latency their service-time distribution
         * @return this builder
         */
        public Builder backends(int n, LatencyDistribution latency) {
            return backends(n, latency, 0);
        }

        /**
         * @param n backends {@code b0 .. b(n-1)} of weight 1
         * @param latency their service-time distribution
         * @param servers parallel servers each, 0 for unlimited
         * @return this builder
         */
        public Builder backends(int n, LatencyDistribution latency, int servers) {
            if (n < 1) {
                throw new IllegalArgumentException("n must be >= 1, got " + n);
            }
            int first = backends.size();
            for (int i = 0; i < n; i++) {
                backends.add(BackendSpec.of("b" + (first + i), latency).withServers(servers));
            }
            return this;
        }

        /**
         * @param perSecond open-loop arrival rate, positive
         * @return this builder
         */
        public Builder rate(double perSecond) {
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("rate must be positive and finite, got " + perSecond);
            }
            this.rate = perSecond;
            return this;
        }

        /**
         * @param poissonArrivals true (default) for exponential gaps, false for a fixed interval
         * @return this builder
         */
        public Builder poisson(boolean poissonArrivals) {
            this.poisson = poissonArrivals;
            return this;
        }

        /**
         * @param d how long requests arrive, positive
         * @return this builder
         */
        public Builder duration(Duration d) {
            this.duration = positive("duration", d);
            return this;
        }

        /**
         * @param d requests that arrive before this time are simulated but not counted
         * @return this builder
         */
        public Builder warmup(Duration d) {
            Objects.requireNonNull(d, "warmup");
            if (d.isNegative()) {
                throw new IllegalArgumentException("warmup must not be negative, got " + d);
            }
            this.warmup = d.toNanos();
            return this;
        }

        /**
         * @param d the client's per-request timeout (reported to the pool as a failure), positive
         * @return this builder
         */
        public Builder timeout(Duration d) {
            this.timeout = positive("timeout", d);
            return this;
        }

        /**
         * @param d a success must complete within this; default the timeout
         * @return this builder
         */
        public Builder slo(Duration d) {
            this.slo = positive("slo", d);
            return this;
        }

        /**
         * @param s the seed of every random draw (arrivals, service times, picks)
         * @return this builder
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * @param at the virtual time of the event, not negative
         * @param event what happens
         * @return this builder
         */
        public Builder at(Duration at, Event event) {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(event, "event");
            if (at.isNegative()) {
                throw new IllegalArgumentException("event time must not be negative, got " + at);
            }
            events.add(new Timed(at.toNanos(), event));
            return this;
        }

        /** @return the scenario */
        public Scenario build() {
            if (backends.isEmpty()) {
                throw new IllegalStateException("scenario '" + name + "' has no backends");
            }
            Set<String> ids = new HashSet<>();
            for (BackendSpec b : backends) {
                if (!ids.add(b.id())) {
                    throw new IllegalStateException("scenario '" + name + "' has backend id '" + b.id() + "' twice");
                }
            }
            for (Timed t : events) {
                if (t.event().kind() == EventKind.ADD) {
                    ids.add(t.event().backendId());
                } else if (!ids.contains(t.event().backendId())) {
                    throw new IllegalStateException("scenario '" + name + "': event " + t.event().kind()
                            + " names unknown backend '" + t.event().backendId() + "'");
                }
            }
            return new Scenario(this);
        }

        private static long positive(String field, Duration d) {
            Objects.requireNonNull(d, field);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(field + " must be positive, got " + d);
            }
            return d.toNanos();
        }
    }
}
