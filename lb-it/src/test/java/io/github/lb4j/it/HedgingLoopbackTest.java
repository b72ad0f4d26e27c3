package io.github.lb4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.http.Hedging;
import io.github.lb4j.http.Route;
import io.github.lb4j.jdkhttp.LoadBalancedHttpClient;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import io.github.lb4j.simulator.Charts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hedging on loopback (issue 15): three real backends, one of which pauses 200 ms on some of its requests (seeded),
 * and a bounded number of calls, through OkHttp ({@link LoadBalancingInterceptor}) and through the JDK client
 * ({@link LoadBalancedHttpClient}), without hedging, with {@code Hedging.after(20 ms)} and with
 * {@code Hedging.atPercentile(95)}. Prints the figures and appends them to {@code target/hedging-figures.md}; after
 * the last scenario, writes them all to {@code target/hedging-figures.csv} and charts the GET p99.9 in
 * {@code target/hedging-loopback.png}. docs/PERFORMANCE.md ("Hedging on loopback") takes its table from the first and
 * its chart from the last. Checks: the GET tail (p99.9, and p99 where the stragglers reach it) with hedging is at
 * most 0.3x the tail without (POSTs are never hedged: their stragglers stay, reported in the all-calls columns);
 * hedges add at most 5% requests; no POST arrives twice; nothing is left in flight.
 */
class HedgingLoopbackTest {

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY each answer waits for the client's
        // delayed ACK (40 ms on Linux), which would hide the tail under a 40 ms median.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final Path FILE = Path.of(System.getProperty("lb4j.hedging.figures",
            "target/hedging-figures.md"));
    private static final Path CSV = FILE.resolveSibling("hedging-figures.csv");
    private static final Path CHART = FILE.resolveSibling("hedging-loopback.png");
    /** Every scenario's runs, for the CSV and the chart; filled by the scenarios, in the order they ran. */
    private static final List<Scenario> SCENARIOS = new CopyOnWriteArrayList<>();
    private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");
    private static final int CALLS = 3000;
    private static final int THREADS = 4;
    /** Every 10th call is a POST with a unique body: never hedged, so never delivered twice. */
    private static final int POST_EVERY = 10;
    private static final long PAUSE_MILLIS = 200;

    /** A loopback backend that pauses {@link #PAUSE_MILLIS} on a seeded share of its requests. */
    private static final class Backend3 implements AutoCloseable {
        final String name;
        final HttpServer server;
        final ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "hedging-backend");
            t.setDaemon(true);
            return t;
        });
        final Random random;
        final double pauseShare;
        final AtomicInteger requests = new AtomicInteger();
        final Map<String, Integer> posts = new ConcurrentHashMap<>();

        Backend3(String name, double pauseShare, long seed) throws IOException {
            this.name = name;
            this.pauseShare = pauseShare;
            this.random = new Random(seed);
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
            server.setExecutor(executor);
            server.createContext("/", exchange -> {
                try (exchange) {
                    byte[] body;
                    try (InputStream in = exchange.getRequestBody()) {
                        body = in.readAllBytes();
                    }
                    requests.incrementAndGet();
                    if (exchange.getRequestMethod().equals("POST")) {
                        posts.merge(new String(body, StandardCharsets.UTF_8), 1, Integer::sum);
                    }
                    boolean pause;
                    synchronized (random) {
                        pause = random.nextDouble() < pauseShare;
                    }
                    if (pause) {
                        // The backend's straggler (a GC pause, a slow neighbour): simulated server behaviour.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
                    }
                    byte[] out = name.getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, out.length);
                    try (OutputStream os = exchange.getResponseBody()) {
                        os.write(out);
                    }
                } catch (IOException clientWentAway) {
                    // a canceled hedge: the client closed the connection
                }
            });
            server.start();
        }

        Backend backend() {
            return Backend.of("127.0.0.1", server.getAddress().getPort()).withId(name);
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /** The figures of one run. */
    record Run(String label, long[] sortedNanos, long[] sortedGetNanos, int requests, int calls,
               int duplicatePosts) {
        long percentile(double p) {
            return percentile(sortedNanos, p);
        }

        /** Of GETs only: POSTs are never hedged, so their stragglers stay (and would make the assertion a draw). */
        long getPercentile(double p) {
            return percentile(sortedGetNanos, p);
        }

        static long percentile(long[] sorted, double p) {
            int i = (int) Math.min(sorted.length - 1, Math.ceil(sorted.length * p / 100.0) - 1);
            return sorted[Math.max(0, i)];
        }

        double extraShare() {
            return (requests - calls) / (double) calls;
        }
    }

    /** The runs of one scenario on one client. */
    record Scenario(Client client, String name, List<Run> runs) {
    }

    /** The HTTP clients under test, each with lb4j's adapter for it. */
    enum Client {
        OKHTTP("OkHttp") {
            @Override
            Caller open(Route route) {
                OkHttpClient base = new OkHttpClient.Builder().retryOnConnectionFailure(false)
                        .readTimeout(Duration.ofSeconds(10)).build();
                LoadBalancingInterceptor lb = LoadBalancingInterceptor.builder().route(route).attemptClient(base)
                        .build();
                OkHttpClient client = base.newBuilder().addInterceptor(lb).callTimeout(Duration.ofSeconds(20))
                        .build();
                return new Caller() {
                    @Override
                    public void call(String method, String body) throws IOException {
                        Request request = new Request.Builder().url("http://orders/")
                                .method(method, body == null ? null : RequestBody.create(body, TEXT)).build();
                        try (Response response = client.newCall(request).execute()) {
                            assertThat(response.code()).isEqualTo(200);
                            response.body().string();
                        }
                    }

                    @Override
                    public void close() {
                        client.dispatcher().executorService().shutdown();
                        client.connectionPool().evictAll();
                    }
                };
            }
        },
        JDK("JDK HttpClient") {
            @Override
            Caller open(Route route) {
                // HTTP/1.1 as with OkHttp: no h2c upgrade attempt on plain http (the JDK server would ignore it).
                HttpClient base = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
                LoadBalancedHttpClient client = LoadBalancedHttpClient.builder(base).route(route).build();
                URI uri = URI.create("http://orders/");
                return new Caller() {
                    @Override
                    public void call(String method, String body) throws IOException, InterruptedException {
                        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                                .build();
                        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                        assertThat(response.statusCode()).isEqualTo(200);
                    }

                    @Override
                    public void close() {
                        client.close(); // closes the wrapped client too on Java 21+; nothing to close on 17
                    }
                };
            }
        };

        final String label;

        Client(String label) {
            this.label = label;
        }

        /** @return a caller that sends through this client and lb4j's adapter for it, with {@code route} */
        abstract Caller open(Route route);
    }

    /** One balanced client, as the scenario uses it: a call that must answer 200, and its closing. */
    interface Caller extends AutoCloseable {
        void call(String method, String body) throws Exception;

        @Override
        void close();
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void hedgingCutsTheTailWhenOneBackendPausesOnTwoPercentOfAllRequests(Client client) throws Exception {
        // 6% of the slow backend's requests, a third of all: 2% of all requests are stragglers, so p99 sees them.
        List<Run> runs = scenario(client, "2% of all requests", 0.06);
        assertTail(client, runs, 99, 99.9);
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void hedgingCutsTheTailWhenOneBackendPausesOnTwoPercentOfItsRequests(Client client) throws Exception {
        // 2% of the slow backend's requests: 0.67% of all, below p99; the tail shows at p99.9.
        List<Run> runs = scenario(client, "2% of one backend's requests", 0.02);
        assertTail(client, runs, 99.9);
    }

    private static void assertTail(Client client, List<Run> runs, double... percentiles) {
        Run none = runs.get(0);
        for (Run hedged : runs.subList(1, runs.size())) {
            for (double p : percentiles) {
                assertThat(hedged.getPercentile(p)).as("%s: GET p%s of %s vs %s", client.label, p, hedged.label,
                        none.label).isLessThanOrEqualTo((long) (none.getPercentile(p) * 0.3));
            }
            assertThat(hedged.extraShare()).as("%s: extra requests of %s", client.label, hedged.label)
                    .isLessThanOrEqualTo(0.05);
        }
        for (Run r : runs) {
            assertThat(r.duplicatePosts).as("POSTs delivered twice in %s", r.label).isZero();
        }
    }

    private List<Run> scenario(Client client, String name, double pauseShare) throws Exception {
        List<Run> runs = new ArrayList<>();
        runs.add(run(client, "no hedging", null, pauseShare));
        runs.add(run(client, "after(20 ms)", Hedging.after(Duration.ofMillis(20)), pauseShare));
        runs.add(run(client, "atPercentile(95)", Hedging.atPercentile(95), pauseShare));
        SCENARIOS.add(new Scenario(client, name, List.copyOf(runs)));
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%n%s, %s, %d calls (every %dth a POST), %d client threads:%n%n",
                client.label, name, CALLS, POST_EVERY, THREADS));
        table.append("| hedging | p50 ms | p99 ms | p99.9 ms | GET p99 ms | GET p99.9 ms | max ms | extra requests"
                + " | POSTs twice |\n");
        table.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Run r : runs) {
            table.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f%% | %d |%n",
                    r.label, ms(r.percentile(50)), ms(r.percentile(99)), ms(r.percentile(99.9)),
                    ms(r.getPercentile(99)), ms(r.getPercentile(99.9)), ms(r.sortedNanos[r.sortedNanos.length - 1]),
                    100 * r.extraShare(), r.duplicatePosts));
        }
        System.out.println("[hedging figures]" + table);
        try {
            Files.createDirectories(FILE.toAbsolutePath().getParent());
            Files.writeString(FILE, table, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return runs;
    }

    /** All scenarios that ran, as CSV rows, and their GET p99.9 as a bar chart: the figure docs/ shows. */
    @AfterAll
    static void writeCsvAndChart() throws IOException {
        if (SCENARIOS.isEmpty()) {
            return;
        }
        StringBuilder csv = new StringBuilder("client,scenario,hedging,p50_ms,p99_ms,p999_ms,get_p99_ms,get_p999_ms,"
                + "max_ms,extra_requests_pct,posts_twice\n");
        List<String> categories = new ArrayList<>();
        List<String> series = SCENARIOS.get(0).runs().stream().map(Run::label).toList();
        double[][] values = new double[series.size()][SCENARIOS.size()];
        for (int c = 0; c < SCENARIOS.size(); c++) {
            Scenario sc = SCENARIOS.get(c);
            categories.add(sc.client().label.replace(" HttpClient", "") + ", "
                    + sc.name().replace(" requests", "").replace(" backend's", ""));
            for (int i = 0; i < sc.runs().size(); i++) {
                Run r = sc.runs().get(i);
                csv.append(String.format(Locale.ROOT, "%s,%s,%s,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.2f,%d%n",
                        sc.client().label, sc.name().replace(',', ';'), r.label, ms(r.percentile(50)),
                        ms(r.percentile(99)), ms(r.percentile(99.9)), ms(r.getPercentile(99)),
                        ms(r.getPercentile(99.9)), ms(r.sortedNanos[r.sortedNanos.length - 1]),
                        100 * r.extraShare(), r.duplicatePosts));
                values[i][c] = ms(r.getPercentile(99.9));
            }
        }
        Files.createDirectories(CSV.toAbsolutePath().getParent());
        Files.writeString(CSV, csv, StandardCharsets.UTF_8);
        Charts.bars("Hedging on loopback: GET p99.9 (ms), one backend pausing 200 ms", "GET p99.9 (ms)",
                categories, series, values, CHART);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private Run run(Client kind, String label, Hedging hedging, double pauseShare) throws Exception {
        try (Backend3 a = new Backend3("a", 0, 1); Backend3 b = new Backend3("b", 0, 2);
             Backend3 slow = new Backend3("slow", pauseShare, 42)) {
            LoadBalancer pool = LoadBalancer.builder("orders").strategy(Strategy.roundRobin()).random(new Random(7))
                    .backends(List.of(a.backend(), b.backend(), slow.backend())).build();
            Route.Builder route = Route.builder("orders", pool);
            if (hedging != null) {
                route.hedging(hedging);
            }
            Caller client = kind.open(route.build());
            ExecutorService callers = Executors.newFixedThreadPool(THREADS);
            long[] nanos = new long[CALLS];
            AtomicInteger next = new AtomicInteger();
            try {
                // Warm-up (connections, JIT, and the percentile window of atPercentile): not measured.
                for (int i = 0; i < 300; i++) {
                    client.call("GET", null);
                }
                int warmRequests = a.requests.get() + b.requests.get() + slow.requests.get();
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    workers.add(callers.submit(() -> {
                        for (int i = next.getAndIncrement(); i < CALLS; i = next.getAndIncrement()) {
                            boolean post = i % POST_EVERY == 0;
                            long start = System.nanoTime();
                            client.call(post ? "POST" : "GET", post ? "post-" + i : null);
                            nanos[i] = System.nanoTime() - start;
                        }
                        return null;
                    }));
                }
                for (Future<?> w : workers) {
                    w.get(5, TimeUnit.MINUTES);
                }
                int requests = a.requests.get() + b.requests.get() + slow.requests.get() - warmRequests;
                int duplicates = 0;
                for (Backend3 s : List.of(a, b, slow)) {
                    for (Map.Entry<String, Integer> e : s.posts.entrySet()) {
                        duplicates += e.getValue() - 1;
                    }
                }
                long posted = List.of(a, b, slow).stream().mapToLong(s -> s.posts.size()).sum();
                assertThat(posted).as("every POST arrived").isEqualTo(CALLS / POST_EVERY);
                awaitNothingInFlight(pool);
                long[] gets = new long[CALLS - CALLS / POST_EVERY];
                for (int i = 0, g = 0; i < CALLS; i++) {
                    if (i % POST_EVERY != 0) {
                        gets[g++] = nanos[i];
                    }
                }
                Arrays.sort(nanos);
                Arrays.sort(gets);
                return new Run(label, nanos, gets, requests, CALLS, duplicates);
            } finally {
                callers.shutdownNow();
                client.close();
                pool.close();
            }
        }
    }

    private static void awaitNothingInFlight(LoadBalancer pool) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pool.stats().stream().anyMatch(s -> s.inFlight() != 0)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still in flight: " + pool.stats());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        assertThat(pool.stats()).allMatch((BackendStats s) -> s.inFlight() == 0);
    }
}
