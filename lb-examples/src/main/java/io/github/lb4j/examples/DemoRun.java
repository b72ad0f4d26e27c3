package io.github.lb4j.examples;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.OutlierDetection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * One run of the demo's scenario for one strategy, in real time:
 *
 * <pre>
 *   0%   steady: N backends answering in about 10 ms
 *   20%  b2 becomes slow (about 150 ms)
 *   45%  b3 crashes: its server socket and open connections are closed
 *   65%  b3 comes back on the same port
 *   80%  a new backend joins the pool
 *   100% end
 * </pre>
 *
 * <p>Load is open-loop: requests start at the configured rate whatever the answers' latency, as real users do, and
 * each one goes through {@link BalancedHttp}: OkHttp with lb-okhttp's {@code LoadBalancingInterceptor}, which reports
 * every attempt's outcome to the pool and retries a failed GET on another backend. A sampler takes a window of
 * measurements at a regular interval for the live view and the charts. The hedging run of {@code --compare}
 * ({@link DemoOptions#HEDGED}) sends through a route that hedges at the observed p95 and has a per-try timeout; the
 * backends count every request they receive, so the result tells how many requests hedging added.
 *
 * <p>Thread-safety: one run per instance, on one thread.
 */
final class DemoRun {

    /** When each step happens, as a fraction of the run. */
    static final double SLOW_AT = 0.20;
    static final double CRASH_AT = 0.45;
    static final double RETURN_AT = 0.65;
    static final double ADD_AT = 0.80;

    /** A healthy backend's typical response time. */
    static final Duration NORMAL_LATENCY = Duration.ofMillis(10);
    /** The slow backend's: 15× normal, far enough above it that a latency-aware strategy must notice. */
    static final Duration SLOW_LATENCY = Duration.ofMillis(150);

    private static final String PATH = "/api/items/7";

    private final DemoOptions options;
    private final String strategy;
    private final Duration duration;
    private final LiveView view;
    private final int runIndex;
    private final int runCount;
    private final long intervalNanos;
    /** Null when the pool's meters are not published. */
    private final MetricsEndpoint metrics;

    private final List<HttpBackend> servers = new CopyOnWriteArrayList<>();
    private final Map<String, Latencies> windowByBackend = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> servedTotal = new ConcurrentHashMap<>();
    private final Latencies windowClient = new Latencies();
    private final LongAdder windowFailures = new LongAdder();
    private final LongAdder shed = new LongAdder();
    /** Backend name by {@code host:port}, the form in which the client sees each attempt's backend. */
    private final Map<String, String> nameByAuthority = new ConcurrentHashMap<>();
    private final Latencies allLatencies = new Latencies();
    private final List<PhaseTotals> phases = new CopyOnWriteArrayList<>();
    private final List<RunResult.Event> events = new CopyOnWriteArrayList<>();
    private final List<RunResult.Sample> samples = new ArrayList<>();
    private final Map<String, String> lastHealth = new HashMap<>();
    private final Map<String, Long> lastFailedAttempts = new HashMap<>();
    private volatile int phase;
    private volatile String phaseLabel = "steady";
    private long startNanos;
    private long poolFailures;

    DemoRun(DemoOptions options, String strategy, LiveView view, int runIndex, int runCount) {
        this(options, strategy, view, runIndex, runCount, null);
    }

    /** @param metrics where to publish the pool's meters, or null */
    DemoRun(DemoOptions options, String strategy, LiveView view, int runIndex, int runCount,
            MetricsEndpoint metrics) {
        this.metrics = metrics;
        this.options = options;
        this.strategy = strategy;
        this.duration = options.perRun();
        this.view = view;
        this.runIndex = runIndex;
        this.runCount = runCount;
        // About 60 windows per run, whatever its length, between a quarter second and a second.
        long interval = duration.toNanos() / 60;
        this.intervalNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(250), Math.min(TimeUnit.SECONDS.toNanos(1),
                interval));
    }

    private static final class PhaseTotals {
        final String name;
        final double start;
        volatile double end = Double.NaN;
        final Map<String, LongAdder> served = new ConcurrentHashMap<>();
        final Latencies latencies = new Latencies();
        final Tally tally = new Tally();
        /** Failed attempts of this phase's requests, by the backend they were sent to. */
        final Map<String, LongAdder> failedByBackend = new ConcurrentHashMap<>();

        PhaseTotals(String name, double start) {
            this.name = name;
            this.start = start;
        }
    }

    /** The counters behind {@link RunResult.Counts}, updated by the caller threads as requests start and end. */
    private static final class Tally {
        final LongAdder requests = new LongAdder();
        final LongAdder answered = new LongAdder();
        final LongAdder answeredByRetry = new LongAdder();
        final LongAdder failedRequests = new LongAdder();
        final LongAdder noBackend = new LongAdder();
        final LongAdder attempts = new LongAdder();
        final LongAdder failedAttempts = new LongAdder();
        final LongAdder retried = new LongAdder();

        void ended(BalancedHttp.Exchange e) {
            int n = e.attempts().size();
            long failed = e.attempts().stream().filter(BalancedHttp.Attempt::failed).count();
            attempts.add(n);
            failedAttempts.add(failed);
            retried.add(Math.max(0, n - 1)); // every attempt before the last failed and was tried again
            if (e.answered()) {
                answered.increment();
                if (n > 1) {
                    answeredByRetry.increment();
                }
            } else {
                failedRequests.increment();
                if (n == 0) {
                    noBackend.increment();
                }
            }
        }

        RunResult.Counts counts() {
            // Ended requests first, started ones last: a request that ends meanwhile is then in both or in neither
            // "requests" and its outcome, never in the outcome alone.
            long ok = answered.sum();
            long byRetry = answeredByRetry.sum();
            long failed = failedRequests.sum();
            long none = noBackend.sum();
            long tried = attempts.sum();
            long failedTries = failedAttempts.sum();
            long again = retried.sum();
            return new RunResult.Counts(requests.sum(), ok, byRetry, failed, none, tried, failedTries, again);
        }
    }

    String name(int i) {
        return "b" + i;
    }

    RunResult run() throws IOException, InterruptedException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int n = options.backends;
        String slow = name(2);
        String crashed = name(3);
        String added = name(n + 1);
        for (int i = 1; i <= n; i++) {
            addServer(HttpBackend.start(name(i), loopback, NORMAL_LATENCY));
        }
        List<Backend> members = new ArrayList<>();
        for (HttpBackend s : servers) {
            members.add(s.backend());
        }
        OkHttpClient client = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(1))
                .readTimeout(Duration.ofSeconds(5))
                .callTimeout(Duration.ofSeconds(10))
                // Keep a connection per concurrent request alive between requests (OkHttp keeps 5 by default).
                .connectionPool(new ConnectionPool(256, 30, TimeUnit.SECONDS))
                .build();
        AtomicInteger threadCount = new AtomicInteger();
        ThreadPoolExecutor callers = new ThreadPoolExecutor(0, 512, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "demo-caller-" + threadCount.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        // Health timings scaled to the scenario, so a short demo still shows ejection, return and slow start:
        // in production the defaults (30 s ejection, 30 s ramp) fit; a 60 s demo wants them a tenth as long.
        Duration ejection = Duration.ofMillis(Math.max(500, duration.toMillis() / 20));
        try (LoadBalancer pool = LoadBalancer.builder("demo")
                .backends(members)
                .strategy(options.newStrategy(strategy))
                .outlierDetection(OutlierDetection.builder().baseEjectionTime(ejection)
                        .maxEjectionTime(ejection.multipliedBy(2)).build())
                .slowStart(Duration.ofMillis(Math.max(500, duration.toMillis() / 15)))
                .build()) {
            io.github.lb4j.http.Route.Builder route = DemoOptions.hedged(strategy)
                    ? DemoOptions.hedgedRouteBuilder(pool) : io.github.lb4j.http.Route.builder(pool.name(), pool);
            if (metrics != null) {
                metrics.bind(pool, strategy);
                route.listener(metrics.routeListener(strategy));
            }
            BalancedHttp http = BalancedHttp.of(pool, client, route.build());
            startNanos = System.nanoTime();
            long end = startNanos + duration.toNanos();
            phases.add(new PhaseTotals("steady", 0));

            Thread load = new Thread(() -> drive(http, callers, end), "demo-load");
            load.setDaemon(true);
            load.start();
            Thread scenario = new Thread(() -> play(pool, slow, crashed, added, loopback), "demo-scenario");
            scenario.setDaemon(true);
            scenario.start();

            long next = startNanos + intervalNanos;
            while (next <= end) {
                parkUntil(next);
                sample(pool, intervalNanos);
                next += intervalNanos;
            }
            load.join();
            scenario.join(TimeUnit.SECONDS.toMillis(5));
            callers.shutdown();
            if (!callers.awaitTermination(15, TimeUnit.SECONDS)) {
                callers.shutdownNow();
            }
            long tail = System.nanoTime() - (next - intervalNanos);
            if (tail > intervalNanos / 4) {
                sample(pool, tail); // the answers that arrived after the last full window
            } else if (!samples.isEmpty()) {
                // Too short a tail for a window of its own; still, the view's last word has every request ended.
                view.update(new LiveView.Progress(strategy, runIndex, runCount, duration.toNanos() / 1e9,
                        duration.toNanos() / 1e9, phaseLabel, samples.get(samples.size() - 1), totals(),
                        options.rate));
            }
            phases.get(phases.size() - 1).end = seconds(System.nanoTime());
            poolFailures = pool.stats().stream().mapToLong(BackendStats::failures).sum();
            view.finish();
        } finally {
            callers.shutdownNow();
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
            for (HttpBackend s : servers) {
                s.close();
            }
        }
        return result(slow, crashed, added);
    }

    /** Starts requests at the configured rate until {@code end}. */
    private void drive(BalancedHttp http, ThreadPoolExecutor callers, long end) {
        long period = TimeUnit.SECONDS.toNanos(1) / options.rate;
        for (long next = startNanos; next < end; next += period) {
            parkUntil(next);
            int phaseAtStart = phase;
            try {
                callers.execute(() -> call(http, phaseAtStart));
            } catch (RejectedExecutionException e) {
                shed.increment(); // more than 512 calls in flight: the client, not the pool, is the bottleneck
            }
        }
    }

    private void call(BalancedHttp http, int phaseAtStart) {
        long t0 = System.nanoTime();
        PhaseTotals p = phases.get(phaseAtStart);
        p.tally.requests.increment();
        BalancedHttp.Exchange e = http.exchange(PATH);
        long latency = System.nanoTime() - t0;
        for (BalancedHttp.Attempt a : e.attempts()) {
            if (a.failed()) {
                p.failedByBackend.computeIfAbsent(nameByAuthority.getOrDefault(a.authority(), a.authority()),
                        k -> new LongAdder()).increment();
            }
        }
        p.tally.ended(e);
        if (!e.answered()) {
            windowFailures.increment();
            return;
        }
        String servedBy = e.reply().servedBy() == null ? "?" : e.reply().servedBy();
        windowByBackend.computeIfAbsent(servedBy, k -> new Latencies()).add(latency);
        servedTotal.computeIfAbsent(servedBy, k -> new LongAdder()).increment();
        windowClient.add(latency);
        allLatencies.add(latency);
        p.latencies.add(latency);
        p.served.computeIfAbsent(servedBy, k -> new LongAdder()).increment();
    }

    private void addServer(HttpBackend server) {
        Backend b = server.backend();
        nameByAuthority.put(b.host() + ":" + b.port(), server.name());
        servers.add(server);
    }

    /** Plays the scenario's steps at their times. */
    private void play(LoadBalancer pool, String slow, String crashed, String added, InetAddress loopback) {
        try {
            step(pool, SLOW_AT, slow + " slow", slow + " slow (" + SLOW_LATENCY.toMillis() + " ms)",
                    () -> server(slow).setLatency(SLOW_LATENCY, true));
            step(pool, CRASH_AT, crashed + " crashed", crashed + " crashed: socket closed",
                    () -> server(crashed).crash());
            step(pool, RETURN_AT, crashed + " back", crashed + " back on its port",
                    () -> server(crashed).restart());
            step(pool, ADD_AT, added + " added", added + " added to the pool", () -> {
                HttpBackend fresh = HttpBackend.start(added, loopback, NORMAL_LATENCY);
                addServer(fresh);
                List<Backend> members = new ArrayList<>(pool.backends());
                members.add(fresh.backend());
                pool.updateBackends(members);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    private void step(LoadBalancer pool, double at, String event, String label, Step action) throws IOException {
        parkUntil(startNanos + (long) (duration.toNanos() * at));
        action.run();
        double t = seconds(System.nanoTime());
        events.add(new RunResult.Event(t, event, true));
        phases.get(phases.size() - 1).end = t;
        phases.add(new PhaseTotals(label, t));
        phaseLabel = label;
        phase = phases.size() - 1;
    }

    private HttpBackend server(String name) {
        for (HttpBackend s : servers) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalStateException("no backend " + name);
    }

    /** Closes one window: per-backend rate, share and percentiles, the pool's view, health transitions. */
    private void sample(LoadBalancer pool, long windowNanos) {
        double t = seconds(System.nanoTime());
        double window = windowNanos / 1e9;
        Map<String, BackendStats> stats = new HashMap<>();
        for (BackendStats s : pool.stats()) {
            stats.put(s.backend().id(), s);
        }
        Map<String, long[]> drained = new LinkedHashMap<>();
        long answered = 0;
        for (HttpBackend s : servers) {
            long[] l = windowByBackend.computeIfAbsent(s.name(), k -> new Latencies()).drain();
            drained.put(s.name(), l);
            answered += l.length;
        }
        List<RunResult.BackendSample> rows = new ArrayList<>();
        for (HttpBackend s : servers) {
            long[] l = drained.get(s.name());
            BackendStats st = stats.get(s.name());
            String health = st == null ? "-" : st.health().name();
            long failedTotal = st == null ? lastFailedAttempts.getOrDefault(s.name(), 0L) : st.failures();
            long failedNow = failedTotal - lastFailedAttempts.getOrDefault(s.name(), 0L);
            lastFailedAttempts.put(s.name(), failedTotal);
            String before = lastHealth.put(s.name(), health);
            if (before != null && !before.equals(health)) {
                events.add(new RunResult.Event(t, s.name() + " " + health.toLowerCase(java.util.Locale.ROOT), false));
            }
            LongAdder total = servedTotal.get(s.name());
            rows.add(new RunResult.BackendSample(s.name(), l.length, l.length / window,
                    answered == 0 ? 0.0 : l.length / (double) answered,
                    Latencies.percentileMillis(l, 0.50), Latencies.percentileMillis(l, 0.99),
                    st == null ? 0 : st.inFlight(), health, s.state(), failedNow, total == null ? 0 : total.sum()));
        }
        long[] client = windowClient.drain();
        RunResult.Sample sample = new RunResult.Sample(t, window, List.copyOf(rows), client.length,
                Latencies.percentileMillis(client, 0.50), Latencies.percentileMillis(client, 0.99),
                windowFailures.sumThenReset());
        samples.add(sample);
        view.update(new LiveView.Progress(strategy, runIndex, runCount, Math.min(t, duration.toNanos() / 1e9),
                duration.toNanos() / 1e9, phaseLabel, sample, totals(), options.rate));
    }

    private RunResult.Counts totals() {
        RunResult.Counts sum = RunResult.Counts.NONE;
        for (PhaseTotals p : phases) {
            sum = sum.plus(p.tally.counts());
        }
        return sum;
    }

    private RunResult result(String slow, String crashed, String added) {
        List<RunResult.Phase> ps = new ArrayList<>();
        for (PhaseTotals p : phases) {
            Map<String, Long> served = new LinkedHashMap<>();
            Map<String, Long> failedAttempts = new LinkedHashMap<>();
            for (HttpBackend s : servers) {
                LongAdder a = p.served.get(s.name());
                served.put(s.name(), a == null ? 0L : a.sum());
                LongAdder f = p.failedByBackend.get(s.name());
                failedAttempts.put(s.name(), f == null ? 0L : f.sum());
            }
            long[] l = p.latencies.copy();
            ps.add(new RunResult.Phase(p.name, p.start, p.end, served, failedAttempts, p.tally.counts(),
                    Latencies.percentileMillis(l, 0.50), Latencies.percentileMillis(l.clone(), 0.99)));
        }
        long[] all = allLatencies.copy();
        long received = servers.stream().mapToLong(HttpBackend::received).sum();
        return new RunResult(strategy, duration, slow, crashed, added, List.copyOf(samples), List.copyOf(events),
                List.copyOf(ps), shed.sum(), poolFailures,
                Latencies.percentileMillis(all, 0.50), Latencies.percentileMillis(all, 0.99),
                Latencies.percentileMillis(all, 0.999), received);
    }

    private double seconds(long nanos) {
        return (nanos - startNanos) / 1e9;
    }

    private static void parkUntil(long deadline) {
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }
}
