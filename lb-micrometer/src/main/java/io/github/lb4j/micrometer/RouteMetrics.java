package io.github.lb4j.micrometer;

import io.github.lb4j.http.Attempt;
import io.github.lb4j.http.CallListener;
import io.github.lb4j.http.HttpRequestView;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.RouteListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the calls of lb-http routes (so of every lb4j HTTP adapter) to a Micrometer {@link MeterRegistry}: a
 * {@link RouteListener} to set on each route to watch, and a {@link MeterBinder}. Every meter is tagged
 * {@code route} (the route's name) and any common tags given here:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>meter</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #ATTEMPTS}</td><td>counter</td><td>{@code kind} = {@code first}, {@code retry},
 *       {@code hedge}</td><td>attempts handed to the client</td></tr>
 *   <tr><td>{@value #RETRIES_REFUSED}</td><td>counter</td><td>{@code kind} = {@code retry}, {@code hedge}</td>
 *       <td>retries and hedges the route's retry budget refused</td></tr>
 *   <tr><td>{@value #PER_TRY_TIMEOUTS}</td><td>counter</td><td></td><td>attempts aborted by the per-try
 *       timeout</td></tr>
 *   <tr><td>{@value #CALLS}</td><td>timer</td><td>{@code outcome} = {@code success}, {@code failure} (a response
 *       the route counts as a failure), {@code error} (an exception), {@code canceled}</td><td>calls by how they
 *       ended, timed from the call's start to the response headers or the failure, on the balancer's ticker</td>
 *       </tr>
 * </table>
 *
 * <pre>{@code
 * RouteMetrics routeMetrics = new RouteMetrics();
 * Route orders = Route.builder("orders", ordersPool).listener(routeMetrics).build();
 * routeMetrics.bindTo(registry);     // one RouteMetrics may serve every route
 * // lb4j_route_attempts_total{kind="retry",route="orders"} 12.0
 * }</pre>
 *
 * <p>A route's meters are registered at its first call after {@link #bindTo}, all of them at once (so every series
 * exists, at zero, from then on); calls before the binding are not counted. Tags are the route's name, the kinds and
 * the outcomes: never a URL, a header, a hash key or a backend, so the series are bounded by the routes.
 *
 * <p>Cost: per call one lookup of the route's meters in a concurrent map, then one counter increment per attempt and
 * one {@code Timer.record} at the end; nothing is allocated by lb4j per call (the listener of a call is the route's
 * shared meters object).
 *
 * <p>Thread-safety: safe from any thread. It binds to one registry (bind a {@code CompositeMeterRegistry} to publish
 * to several); {@link #close} removes its meters and stops counting.
 */
public final class RouteMetrics implements RouteListener, MeterBinder, AutoCloseable {

    /** Counter of attempts, by kind. */
    public static final String ATTEMPTS = "lb4j.route.attempts";
    /** Counter of retries and hedges the retry budget refused, by kind. */
    public static final String RETRIES_REFUSED = "lb4j.route.retries.refused";
    /** Counter of per-try timeouts. */
    public static final String PER_TRY_TIMEOUTS = "lb4j.route.per.try.timeouts";
    /** Timer of calls, by outcome. */
    public static final String CALLS = "lb4j.route.calls";

    static final Set<String> OWN_TAGS = Set.of("route", "kind", "outcome");
    private static final AttemptKind[] KINDS = AttemptKind.values();
    private static final Outcome[] OUTCOMES = Outcome.values();

    private final Tags tags;
    private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;
    private volatile boolean closed;

    /** Meters with no common tags. */
    public RouteMetrics() {
        this(Tags.empty());
    }

    /**
     * @param tags common tags added to every meter (for example the application's name); none may be named
     *     {@code route}, {@code kind} or {@code outcome}
     * @throws IllegalArgumentException if a tag has one of the names this binder sets
     */
    public RouteMetrics(Iterable<Tag> tags) {
        Objects.requireNonNull(tags, "tags");
        for (Tag t : tags) {
            if (OWN_TAGS.contains(t.getKey())) {
                throw new IllegalArgumentException("tags: '" + t.getKey() + "' is set by RouteMetrics itself (tag "
                        + t + ")");
            }
        }
        this.tags = Tags.of(tags);
    }

    /**
     * Starts publishing to {@code registry}.
     *
     * @param registry where to publish
     * @throws IllegalStateException if already bound to another registry, or closed
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (closed) {
            throw new IllegalStateException("RouteMetrics is closed");
        }
        if (this.registry != null && this.registry != registry) {
            throw new IllegalStateException("RouteMetrics is already bound to " + this.registry
                    + "; bind a CompositeMeterRegistry to publish to several registries");
        }
        this.registry = registry;
    }

    @Override
    public CallListener callStarted(Route route, HttpRequestView request) {
        MeterRegistry r = registry;
        if (r == null || closed) {
            return CallListener.NONE;
        }
        RouteMeters meters = routes.get(route.name());
        return meters != null ? meters : register(r, route.name());
    }

    private synchronized CallListener register(MeterRegistry r, String route) {
        if (closed) {
            return CallListener.NONE;
        }
        return routes.computeIfAbsent(route, name -> new RouteMeters(r, tags.and("route", name)));
    }

    /** Removes every meter from the registry; calls after it are not counted. Further calls do nothing. */
    @Override
    public synchronized void close() {
        closed = true;
        MeterRegistry r = registry;
        for (RouteMeters m : routes.values()) {
            m.remove(r);
        }
        routes.clear();
    }

    @Override
    public String toString() {
        return "RouteMetrics" + routes.keySet();
    }

    /** One route's meters, resolved once; the listener of each of its calls. */
    static final class RouteMeters implements CallListener {
        /** By {@link AttemptKind} ordinal. */
        final Counter[] attempts = new Counter[KINDS.length];
        /** By {@link AttemptKind} ordinal; {@link AttemptKind#FIRST} is never refused, so its slot stays null. */
        final Counter[] refused = new Counter[KINDS.length];
        final Counter perTryTimeouts;
        /** By {@link Outcome} ordinal. */
        final Timer[] calls = new Timer[OUTCOMES.length];
        final List<Meter> all = new ArrayList<>();

        RouteMeters(MeterRegistry registry, Tags tags) {
            for (AttemptKind kind : KINDS) {
                attempts[kind.ordinal()] = add(Counter.builder(ATTEMPTS).tags(tags).tag("kind", kind.label())
                        .description("Attempts handed to the client, by kind").register(registry));
                if (kind != AttemptKind.FIRST) {
                    refused[kind.ordinal()] = add(Counter.builder(RETRIES_REFUSED).tags(tags)
                            .tag("kind", kind.label()).description("Retries and hedges the retry budget refused")
                            .register(registry));
                }
            }
            perTryTimeouts = add(Counter.builder(PER_TRY_TIMEOUTS).tags(tags)
                    .description("Attempts aborted by the per-try timeout").register(registry));
            for (Outcome outcome : OUTCOMES) {
                calls[outcome.ordinal()] = add(Timer.builder(CALLS).tags(tags).tag("outcome", outcome.label())
                        .description("Calls by how they ended, to the response headers or the failure")
                        .register(registry));
            }
        }

        private <M extends Meter> M add(M meter) {
            all.add(meter);
            return meter;
        }

        @Override
        public void attemptStarted(Attempt attempt, AttemptKind kind) {
            attempts[kind.ordinal()].increment();
        }

        @Override
        public void budgetRefused(AttemptKind kind) {
            Counter c = refused[kind.ordinal()];
            if (c != null) {
                c.increment();
            }
        }

        @Override
        public void perTryTimeout(Attempt attempt) {
            perTryTimeouts.increment();
        }

        @Override
        public void callFinished(Outcome outcome, Throwable failure, long durationNanos) {
            calls[outcome.ordinal()].record(Math.max(0L, durationNanos), TimeUnit.NANOSECONDS);
        }

        void remove(MeterRegistry registry) {
            for (Meter m : all) {
                registry.remove(m);
            }
        }
    }
}
