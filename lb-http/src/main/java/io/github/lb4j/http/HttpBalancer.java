package io.github.lb4j.http;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Ticker;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Adapter SPI: the engine of a balanced HTTP call, shared by every lb4j HTTP adapter. It holds the routes and one
 * retry budget per route, and runs a call: pick a backend, send one attempt through the adapter's
 * {@link HttpExchange}, classify the outcome, retry on a backend not tried yet when that is safe and the budget has
 * room, back off between attempts, and hand the final response back with its outcome to report. Applications use an
 * adapter (lb-okhttp's {@code LoadBalancingInterceptor}); adapters build one of these.
 *
 * <pre>{@code
 * HttpBalancer balancer = HttpBalancer.builder().route(Route.builder("orders", pool).build()).build();
 * // per call, in the adapter:
 * Route route = balancer.route(url.host());
 * if (route == null) {
 *     if (balancer.rejectsUnknownHosts()) throw balancer.unknownHost(url.host());
 *     return passThrough(request);
 * }
 * return balancer.execute(route, new MyExchange(request));      // or executeAsync(route, asyncExchange)
 * }</pre>
 *
 * <p>The rules it applies are those documented on lb-okhttp's {@code LoadBalancingInterceptor} (retries, the
 * budget, backoff, idempotency, outcomes); they are written once, here, and proven for each adapter by the
 * conformance suite in this module's test jar ({@code io.github.lb4j.http.conformance.AdapterConformanceTest}).
 *
 * <p>A route with a {@linkplain Route.Builder#perTryTimeout per-try timeout} or {@link Hedging} has its attempts
 * timed and raced: timers run on {@link Builder#scheduler}, and a synchronous call sends each attempt on
 * {@link Builder#attemptExecutor} while the calling thread waits for the winner (see {@link HttpExchange} for what
 * that asks of an adapter). Routes without either run exactly as before, on the caller's thread.
 *
 * <p>Thread-safety: immutable and thread-safe; the retry budgets are shared by every call through this instance.
 */
public final class HttpBalancer {

    private final Map<String, RouteRuntime> routes;
    private final boolean rejectUnknownHosts;
    private final RandomGenerator random;

    private HttpBalancer(Builder b) {
        Map<String, RouteRuntime> map = new HashMap<>();
        for (Route route : b.routes.values()) {
            map.put(route.name, new RouteRuntime(route,
                    new RetryBudget(b.ticker, route.retryRatio, route.minRetriesPerSecond), b.ticker,
                    b.timer != null ? b.timer : AttemptTimer.shared(),
                    b.attemptExecutor != null ? b.attemptExecutor : AttemptExecutor.SHARED));
        }
        this.routes = Collections.unmodifiableMap(map);
        this.rejectUnknownHosts = b.rejectUnknownHosts;
        this.random = b.random;
    }

    /** @return a builder with no route yet */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The route a URL host names. {@code orders.} is the absolute form of the DNS name {@code orders} (clients keep
     * the trailing dot, and IDN mapping turns {@code orders%E3%80%82} into it too), so it names the same route;
     * without this it would bypass the pool and go to DNS.
     *
     * @param host the URL's host as the client canonicalized it (lower case)
     * @return the route, or null if the host has none
     */
    public Route route(String host) {
        RouteRuntime state = routes.get(host);
        if (state == null && host.length() > 1 && host.charAt(host.length() - 1) == '.') {
            state = routes.get(host.substring(0, host.length() - 1));
        }
        return state == null ? null : state.route;
    }

    /** @return the routes, in no particular order */
    public List<Route> routes() {
        List<Route> out = new ArrayList<>(routes.size());
        for (RouteRuntime state : routes.values()) {
            out.add(state.route);
        }
        return out;
    }

    /** @return the route names */
    public Set<String> routeNames() {
        return routes.keySet();
    }

    /** @return whether a request for a host without a route must fail rather than pass through */
    public boolean rejectsUnknownHosts() {
        return rejectUnknownHosts;
    }

    /**
     * @param host the URL host that has no route
     * @return the exception a call for it fails with when unknown hosts are rejected
     */
    public UnknownHostException unknownHost(String host) {
        return new UnknownHostException("no load-balancing route for host '" + host
                + "' and unknown hosts are rejected; routes: " + routes.keySet());
    }

    /**
     * @param route the route the URL names
     * @param port the URL's explicit port, not the scheme's default
     * @return the exception a call fails with: a route's backends bring their own ports, and silently dropping
     *     the URL's would send the call somewhere its author did not mean
     */
    public IOException explicitPort(Route route, int port) {
        return new IOException("the URL names route '" + route.name + "' with port " + port
                + "; a route's backends bring their own ports, so drop the port from the URL");
    }

    /**
     * Runs a call on the calling thread.
     *
     * @param route a route of this balancer, from {@link #route(String)}
     * @param exchange the adapter's view of the call
     * @param <R> the client's response type
     * @return the response of the last attempt, handed over through {@link HttpExchange#deliver}
     * @throws NoBackendAvailableIOException if the pool has nothing to pick
     * @throws IOException the last attempt's failure, earlier failures attached as suppressed
     */
    public <R> R execute(Route route, HttpExchange<R> exchange) throws IOException {
        return new BalancedCall<>(runtime(route), exchange, random).execute();
    }

    /**
     * Runs a call without blocking. Canceling the returned future cancels the attempt in flight (or the backoff)
     * and releases the backend's slot without charging it.
     *
     * @param route a route of this balancer, from {@link #route(String)}
     * @param exchange the adapter's view of the call
     * @param <R> the client's response type
     * @return the response of the last attempt, or its failure (as for {@link #execute})
     */
    public <R> CompletableFuture<R> executeAsync(Route route, AsyncHttpExchange<R> exchange) {
        RouteRuntime state = runtime(route);
        BalancedCall<R> call = new BalancedCall<>(state, exchange, random);
        CompletableFuture<R> result = route.racing() ? RacingCall.async(call, exchange, state).start()
                : new AsyncBalancedCall<>(call, exchange).start();
        if (call.listened()) {
            result.whenComplete((response, thrown) -> {
                if (thrown != null) {
                    call.failed(thrown);
                }
            });
        }
        return result;
    }

    private RouteRuntime runtime(Route route) {
        Objects.requireNonNull(route, "route");
        RouteRuntime state = routes.get(route.name);
        if (state == null || state.route != route) {
            throw new IllegalArgumentException("route '" + route.name + "' is not a route of this balancer; "
                    + "use the one route(host) returns");
        }
        return state;
    }

    @Override
    public String toString() {
        return "HttpBalancer" + routes.keySet();
    }

    /** A route and what this balancer keeps for it: its retry budget, its latency window, the timers. */
    static final class RouteRuntime {
        final Route route;
        final RetryBudget budget;
        final Ticker ticker;
        final AttemptTimer timer;
        final Executor attempts;
        /** For {@link Hedging#atPercentile}; null otherwise. */
        final LatencyWindow latency;

        RouteRuntime(Route route, RetryBudget budget, Ticker ticker, AttemptTimer timer, Executor attempts) {
            this.route = route;
            this.budget = budget;
            this.ticker = ticker;
            this.timer = timer;
            this.attempts = attempts;
            this.latency = route.hedging != null && route.hedging.isAdaptive()
                    ? new LatencyWindow(ticker, route.hedging.percentile()) : null;
        }
    }

    /**
     * Configures an {@link HttpBalancer}. Every setter validates its argument at once and names the bad value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final LinkedHashMap<String, Route> routes = new LinkedHashMap<>();
        private boolean rejectUnknownHosts;
        private Ticker ticker = Ticker.system();
        private RandomGenerator random = ThreadLocalRandom.current();
        private AttemptTimer timer;
        private Executor attemptExecutor;

        Builder() {
        }

        /**
         * @param name the logical host, a valid host name such as {@code orders}
         * @param loadBalancer the pool
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is not a valid host name or already has a route
         */
        public Builder route(String name, LoadBalancer loadBalancer) {
            return route(Route.builder(name, loadBalancer).build());
        }

        /**
         * @param route a configured route
         * @return this builder
         * @throws IllegalArgumentException if a route with the same name was already added
         */
        public Builder route(Route route) {
            Objects.requireNonNull(route, "route");
            if (routes.containsKey(route.name)) {
                throw new IllegalArgumentException("route '" + route.name + "' is already configured (to pool '"
                        + routes.get(route.name).pool.name() + "')");
            }
            routes.put(route.name, route);
            return this;
        }

        /**
         * @param reject whether a request for a host without a route fails with an {@link UnknownHostException}
         *     instead of passing through; default false
         * @return this builder
         */
        public Builder rejectUnknownHosts(boolean reject) {
            this.rejectUnknownHosts = reject;
            return this;
        }

        /**
         * @param ticker the clock of the retry budgets and of the latency that {@link Hedging#atPercentile} observes;
         *     default {@link Ticker#system()}
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @param random the source of backoff jitter and of {@linkplain Route.Builder#subsetSplit subset splits},
         *     thread-safe; default {@link ThreadLocalRandom#current()}
         * @return this builder
         */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * The timers of per-try timeouts, hedge delays and asynchronous backoffs of routes that have either. Tasks
         * are short and never block. Default: one daemon thread shared by every balancer, started on first use.
         *
         * @param scheduler the scheduler; the balancer does not shut it down
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.timer = AttemptTimer.of(Objects.requireNonNull(scheduler, "scheduler"));
            return this;
        }

        /** For tests: timers on a fake clock. */
        Builder timer(AttemptTimer timer) {
            this.timer = Objects.requireNonNull(timer, "timer");
            return this;
        }

        /**
         * Where a synchronous call of a route with a per-try timeout or hedging sends its attempts (each runs
         * {@link HttpExchange#send} there while the caller's thread waits for the winner; a canceled attempt's thread
         * is interrupted). An executor that rejects an attempt skips a hedge, or fails the call with an
         * IOException for a first attempt or retry. Default: daemon threads created on demand, at most 512, ended
         * after 30 idle seconds.
         *
         * @param executor the executor; the balancer does not shut it down
         * @return this builder
         */
        public Builder attemptExecutor(Executor executor) {
            this.attemptExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @return the balancer
         * @throws IllegalStateException if no route was added
         */
        public HttpBalancer build() {
            if (routes.isEmpty()) {
                throw new IllegalStateException("no route configured; add one with route(name, loadBalancer)");
            }
            return new HttpBalancer(this);
        }
    }
}
