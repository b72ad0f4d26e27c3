package io.github.lb4j.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import io.github.lb4j.http.Route;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A loopback load driver: requests per second and per-request latency, in one run, of
 * <ol>
 *   <li><b>plain</b>: plain OkHttp to one backend;
 *   <li><b>interceptor</b>: OkHttp + {@link LoadBalancingInterceptor} over three backends (round robin by default);
 *   <li><b>nginx</b> (with {@code --nginx-port}): plain OkHttp to a local nginx reverse proxy whose upstream holds
 *       the same three backends (nginx's default round robin), started by {@code lb-benchmarks/bench-e2e.sh}.
 * </ol>
 * Backends are either this JVM's own JDK {@code HttpServer}s ({@code --serve-backends}, the default) or servers
 * already listening on the given loopback ports (nginx {@code return 200} locations in the script). Everything is on
 * 127.0.0.1; nothing else is ever called.
 *
 * <p>Closed loop: {@code --threads} callers each send one request after the other. Rounds of {@code --seconds} per
 * mode alternate, with the order rotated every round, so that drift on a shared machine hits every mode alike. Each
 * round is bounded in time and in requests ({@code --max-requests}), each call by a 5-second call timeout. The report
 * gives, per mode, requests/s over all rounds, p50/p90/p99 latency and the client threads' CPU time per request; and
 * ratios between modes both pooled over all rounds and per round (median and range), so the spread is visible.
 *
 * <pre>
 * mvn -B -q -pl lb-benchmarks -am package -DskipTests
 * java -cp lb-benchmarks/target/benchmarks.jar io.github.lb4j.benchmarks.OkHttpInterceptorLoad --seconds 2 --rounds 10
 * lb-benchmarks/bench-e2e.sh        # the same, plus the nginx path
 * </pre>
 *
 * <p>Options: {@code --seconds 2} per round and mode, {@code --rounds 10}, {@code --threads 4}, {@code --warmup 3}
 * seconds per mode, {@code --max-requests 2000000} per round and mode, {@code --strategy roundRobin}
 * (roundRobin, random, leastRequests, peakEwma), {@code --backend-ports p1,p2,p3} (127.0.0.1; 0 = any free port),
 * {@code --serve-backends} (start JDK servers on those ports; implied when no ports are given), {@code --nginx-port},
 * {@code --rotate} (a diagnostic mode: plain OkHttp cycling over the three backends' URLs, no balancer),
 * {@code --no-budget} (a diagnostic mode: the interceptor with a retry budget that keeps no per-call accounts),
 * {@code --single} (a diagnostic mode: the interceptor over a pool of one backend, the one {@code plain} calls, so
 * that the two differ only by the interceptor's work).
 * {@code --free-ports N} only prints N free loopback ports (for the script). The legacy form
 * {@code [seconds] [rounds] [threads]} still works.
 */
public final class OkHttpInterceptorLoad {

    /** Latency samples kept per thread and round; beyond it requests are counted but not sampled. */
    private static final int MAX_SAMPLES = 1 << 20;
    private static final String PATH = "/item?id=7";
    private static final String LOOPBACK = "127.0.0.1";

    private OkHttpInterceptorLoad() {
    }

    /** The command line. */
    static final class Options {
        int seconds = 2;
        int rounds = 10;
        int threads = 4;
        int warmup = 3;
        long maxRequests = 2_000_000;
        String strategy = "roundRobin";
        int[] backendPorts = {0, 0, 0};
        boolean portsGiven;
        boolean serveBackends;
        boolean rotate;
        boolean noBudget;
        boolean single;
        int nginxPort;

        static Options parse(String[] args) {
            Options o = new Options();
            if (args.length > 0 && !args[0].startsWith("--")) { // legacy: [seconds] [rounds] [threads]
                o.seconds = positive("seconds", args[0]);
                o.rounds = args.length > 1 ? positive("rounds", args[1]) : o.rounds;
                o.threads = args.length > 2 ? positive("threads", args[2]) : o.threads;
                o.serveBackends = true;
                return o;
            }
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (name.equals("--serve-backends")) {
                    o.serveBackends = true;
                    continue;
                }
                if (name.equals("--rotate")) {
                    o.rotate = true;
                    continue;
                }
                if (name.equals("--no-budget")) {
                    o.noBudget = true;
                    continue;
                }
                if (name.equals("--single")) {
                    o.single = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                String v = args[++i];
                switch (name) {
                    case "--seconds" -> o.seconds = positive(name, v);
                    case "--rounds" -> o.rounds = positive(name, v);
                    case "--threads" -> o.threads = positive(name, v);
                    case "--warmup" -> o.warmup = Integer.parseInt(v);
                    case "--max-requests" -> o.maxRequests = positive(name, v);
                    case "--strategy" -> {
                        strategy(v); // validates
                        o.strategy = v;
                    }
                    case "--backend-ports" -> {
                        String[] parts = v.split(",");
                        if (parts.length != 3) {
                            throw new IllegalArgumentException("--backend-ports needs three ports, got '" + v + "'");
                        }
                        for (int p = 0; p < 3; p++) {
                            o.backendPorts[p] = port(name, parts[p].trim());
                        }
                        o.portsGiven = true;
                    }
                    case "--nginx-port" -> o.nginxPort = port(name, v);
                    default -> throw new IllegalArgumentException("unknown option '" + name + "'");
                }
            }
            if (!o.portsGiven) {
                o.serveBackends = true;
            }
            if (!o.serveBackends && Arrays.stream(o.backendPorts).anyMatch(p -> p == 0)) {
                throw new IllegalArgumentException("external backends need their ports, got "
                        + Arrays.toString(o.backendPorts));
            }
            return o;
        }

        private static int positive(String name, String v) {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, got " + n);
            }
            return n;
        }

        private static int port(String name, String v) {
            int n = Integer.parseInt(v);
            if (n < 0 || n > 65535) {
                throw new IllegalArgumentException(name + " must be a port, got " + n);
            }
            return n;
        }
    }

    static Strategy strategy(String name) {
        return switch (name) {
            case "roundRobin" -> Strategy.roundRobin();
            case "random" -> Strategy.random();
            case "leastRequests" -> Strategy.leastRequests();
            case "peakEwma" -> Strategy.peakEwma();
            default -> throw new IllegalArgumentException("--strategy must be roundRobin, random, leastRequests or "
                    + "peakEwma, got '" + name + "'");
        };
    }

    /** One round of one mode. */
    record Round(double rps, double p50Micros, double p99Micros) {
    }

    /** One mode: a client and the URL it calls, and what its rounds measured. */
    static final class Mode {
        final String name;
        final OkHttpClient client;
        /** The requests each thread sends in turn: one, or one per backend for the rotating mode. */
        final Request[] requests;
        long requestCount;
        long errors;
        long nanos;
        long cpuNanos;
        long[] latencies = new long[1 << 16];
        int latencyCount;
        final List<Round> rounds = new ArrayList<>();

        Mode(String name, OkHttpClient client, String... urls) {
            this.name = name;
            this.client = client;
            this.requests = Arrays.stream(urls).map(u -> new Request.Builder().url(u).build())
                    .toArray(Request[]::new);
        }

        void addLatencies(long[] sorted, int n) {
            if (latencyCount + n > latencies.length) {
                latencies = Arrays.copyOf(latencies, Math.max(latencies.length * 2, latencyCount + n));
            }
            System.arraycopy(sorted, 0, latencies, latencyCount, n);
            latencyCount += n;
        }

        long[] sortedLatencies() {
            long[] all = Arrays.copyOf(latencies, latencyCount);
            Arrays.sort(all);
            return all;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--free-ports")) {
            System.out.println(freePorts(Integer.parseInt(args[1])));
            return;
        }
        Options o = Options.parse(args);

        List<LoopbackServer> servers = new ArrayList<>();
        int[] ports = o.backendPorts.clone();
        if (o.serveBackends) {
            for (int i = 0; i < 3; i++) {
                LoopbackServer server = LoopbackServer.start(ports[i], o.threads);
                ports[i] = server.port();
                servers.add(server);
            }
        }

        List<Backend> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(Backend.of(LOOPBACK, ports[i]).withId("b" + (i + 1)));
        }
        LoadBalancer pool = LoadBalancer.builder("bench").backends(members).strategy(strategy(o.strategy)).build();
        Supplier<OkHttpClient.Builder> clients = () -> new OkHttpClient.Builder()
                // Room for a kept-alive connection per thread to each of the three backends.
                .connectionPool(new ConnectionPool(o.threads * 4, 5, TimeUnit.MINUTES))
                .callTimeout(Duration.ofSeconds(5));
        List<Mode> modes = new ArrayList<>();
        modes.add(new Mode("plain", clients.get().build(), "http://" + LOOPBACK + ":" + ports[0] + PATH));
        modes.add(new Mode("interceptor", clients.get()
                .addInterceptor(LoadBalancingInterceptor.builder().route("bench", pool).build()).build(),
                "http://bench" + PATH));
        if (o.rotate) {
            // Diagnostic: three backends without a balancer (each thread cycles through their URLs), to tell the
            // cost of spreading over three backends' connections from the cost of the interceptor itself.
            modes.add(new Mode("rotate", clients.get().build(), "http://" + LOOPBACK + ":" + ports[0] + PATH,
                    "http://" + LOOPBACK + ":" + ports[1] + PATH, "http://" + LOOPBACK + ":" + ports[2] + PATH));
        }
        if (o.noBudget) {
            // Diagnostic: the interceptor with a retry budget that never deposits (ratio 0, a fixed allowance
            // instead), to show what the budget's per-call bookkeeping costs under concurrency.
            LoadBalancer pool2 = LoadBalancer.builder("bench2").backends(members).strategy(strategy(o.strategy))
                    .build();
            modes.add(new Mode("no-budget", clients.get().addInterceptor(LoadBalancingInterceptor.builder()
                    .route(Route.builder("bench", pool2).retryBudget(0, 1_000_000).build()).build()).build(),
                    "http://bench" + PATH));
        }
        LoadBalancer singlePool = null;
        if (o.single) {
            // Diagnostic: the interceptor in front of the very backend plain calls, so that the two paths use the
            // same connections and server and differ only by the balancer's work.
            singlePool = LoadBalancer.builder("single").backends(List.of(members.get(0)))
                    .strategy(strategy(o.strategy)).build();
            modes.add(new Mode("single", clients.get()
                    .addInterceptor(LoadBalancingInterceptor.builder().route("single", singlePool).build()).build(),
                    "http://single" + PATH));
        }
        if (o.nginxPort > 0) {
            modes.add(new Mode("nginx", clients.get().build(), "http://" + LOOPBACK + ":" + o.nginxPort + PATH));
        }

        System.out.printf(Locale.ROOT, "loopback load: %d threads, %d rounds x %d s per mode (%d warm-up), "
                        + "modes %s, backends %s on %s, strategy %s%n", o.threads, o.rounds, o.seconds, o.warmup,
                modes.stream().map(m -> m.name).toList(), o.serveBackends ? "JDK HttpServer" : "external",
                Arrays.toString(ports), o.strategy);
        System.out.printf(Locale.ROOT, "JDK %s, OkHttp %s, %d CPUs, load average at start: %s%n",
                System.getProperty("java.version"), okhttp3.OkHttp.VERSION,
                Runtime.getRuntime().availableProcessors(), loadAverage());

        long[][] buffers = new long[o.threads][(int) Math.min(MAX_SAMPLES, o.maxRequests / o.threads + 1)];
        for (Mode m : modes) {
            if (o.warmup > 0) {
                run(m, o, o.warmup, false, buffers);
            }
        }
        for (int r = 0; r < o.rounds; r++) {
            for (int i = 0; i < modes.size(); i++) {
                run(modes.get((r + i) % modes.size()), o, o.seconds, true, buffers); // rotated order
            }
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "%-12s %9s %9s %9s %9s %11s %10s %7s%n", "mode", "req/s", "p50 us",
                "p90 us", "p99 us", "CPU us/req", "requests", "errors");
        for (Mode m : modes) {
            report(m);
        }
        System.out.println();
        System.out.println("ratios: pooled over all rounds; per round: median [min .. max] of the rounds' ratios");
        Mode plain = modes.get(0);
        Mode lb = modes.get(1);
        ratios(lb, plain, ">= 0.97", 0.97, null, 0);
        System.out.printf(Locale.ROOT, "interceptor / plain        CPU/request %.3f%n", cpuPerRequest(lb)
                / cpuPerRequest(plain));
        for (Mode m : modes) {
            if (m.name.equals("rotate")) {
                ratios(lb, m, null, 0, null, 0);
                ratios(m, plain, null, 0, null, 0);
                System.out.printf(Locale.ROOT, "interceptor / rotate       CPU/request %.3f%n", cpuPerRequest(lb)
                        / cpuPerRequest(m));
            }
            if (m.name.equals("no-budget")) {
                ratios(lb, m, null, 0, null, 0);
            }
            if (m.name.equals("single")) {
                ratios(m, plain, ">= 0.97", 0.97, null, 0);
                System.out.printf(Locale.ROOT, "single      / plain        CPU/request %.3f%n", cpuPerRequest(m)
                        / cpuPerRequest(plain));
            }
            if (m.name.equals("nginx")) {
                ratios(lb, m, ">= 1.3", 1.3, "<= 0.7", 0.7);
                ratios(plain, m, null, 0, null, 0);
            }
        }
        System.out.println("load average at end: " + loadAverage());

        servers.forEach(LoopbackServer::close);
        for (Mode m : modes) {
            m.client.connectionPool().evictAll();
            m.client.dispatcher().executorService().shutdown();
        }
        pool.close();
        if (singlePool != null) {
            singlePool.close();
        }
        long errors = modes.stream().mapToLong(m -> m.errors).sum();
        if (errors > 0) {
            System.out.println(errors + " requests failed: the figures above are not trustworthy");
            System.exit(1);
        }
    }

    private static void run(Mode mode, Options o, int seconds, boolean measure, long[][] buffers)
            throws InterruptedException {
        int threads = o.threads;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        long[] counts = new long[threads];
        long[] errors = new long[threads];
        long[] cpu = new long[threads];
        long perThreadCap = Math.max(1, o.maxRequests / threads);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] deadline = new long[1];
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long cpu0 = mx.getCurrentThreadCpuTime();
                long end = deadline[0];
                long n = 0;
                long failed = 0;
                long[] samples = buffers[id];
                while (n + failed < perThreadCap) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                        break;
                    }
                    Request request = mode.requests[(int) ((n + failed) % mode.requests.length)];
                    try (Response response = mode.client.newCall(request).execute()) {
                        response.body().bytes();
                        if (response.code() != 200) {
                            failed++;
                            continue;
                        }
                    } catch (IOException e) {
                        failed++;
                        continue;
                    }
                    long t1 = System.nanoTime();
                    if (n < samples.length) {
                        samples[(int) n] = t1 - t0;
                    }
                    n++;
                }
                counts[id] = n;
                errors[id] = failed;
                cpu[id] = mx.getCurrentThreadCpuTime() - cpu0;
            }, "load-" + t);
            workers.add(w);
            w.start();
        }
        long begin = System.nanoTime();
        deadline[0] = begin + TimeUnit.SECONDS.toNanos(seconds);
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        long elapsed = System.nanoTime() - begin;
        long total = Arrays.stream(counts).sum();
        long failed = Arrays.stream(errors).sum();
        double rps = total / (elapsed / 1e9);
        if (!measure) {
            System.out.printf(Locale.ROOT, "  warm-up %-12s %8.0f req/s%s%n", mode.name, rps,
                    failed > 0 ? ", " + failed + " failed" : "");
            return;
        }
        int sampled = 0;
        for (int t = 0; t < threads; t++) {
            sampled += (int) Math.min(counts[t], buffers[t].length);
        }
        long[] round = new long[sampled];
        int at = 0;
        for (int t = 0; t < threads; t++) {
            int n = (int) Math.min(counts[t], buffers[t].length);
            System.arraycopy(buffers[t], 0, round, at, n);
            at += n;
        }
        Arrays.sort(round);
        mode.addLatencies(round, round.length);
        mode.requestCount += total;
        mode.errors += failed;
        mode.nanos += elapsed;
        mode.cpuNanos += Arrays.stream(cpu).sum();
        Round result = new Round(rps, pct(round, 0.50), pct(round, 0.99));
        mode.rounds.add(result);
        System.out.printf(Locale.ROOT, "  round %2d %-12s %8.0f req/s  p50 %6.1f us  p99 %7.1f us%s%n",
                mode.rounds.size(), mode.name, rps, result.p50Micros(), result.p99Micros(),
                failed > 0 ? ", " + failed + " failed" : "");
    }

    /** Prints one mode's line. */
    private static void report(Mode mode) {
        long[] all = mode.sortedLatencies();
        double rps = mode.requestCount / (mode.nanos / 1e9);
        System.out.printf(Locale.ROOT, "%-12s %9.0f %9.1f %9.1f %9.1f %11.1f %10d %7d%n", mode.name, rps,
                pct(all, 0.50), pct(all, 0.90), pct(all, 0.99), mode.cpuNanos / 1000.0 / mode.requestCount,
                mode.requestCount, mode.errors);
    }

    private static double cpuPerRequest(Mode m) {
        return m.cpuNanos / (double) m.requestCount;
    }

    /** Throughput, p50 and p99 of {@code a} over {@code b}, with the targets given (null: none). */
    private static void ratios(Mode a, Mode b, String rpsTarget, double rpsBound, String p50Target, double p50Bound) {
        double[] x = totals(a);
        double[] y = totals(b);
        String pair = String.format(Locale.ROOT, "%-11s / %-11s", a.name, b.name);
        ratio(pair + "throughput ", a, b, x[0] / y[0], Round::rps, rpsTarget, rpsBound, true);
        ratio(pair + "p50        ", a, b, x[1] / y[1], Round::p50Micros, p50Target, p50Bound, false);
        ratio(pair + "p99        ", a, b, x[2] / y[2], Round::p99Micros, null, 0, false);
    }

    /** @return {req/s, p50 us, p99 us} over all of a mode's rounds */
    private static double[] totals(Mode mode) {
        long[] all = mode.sortedLatencies();
        return new double[] {mode.requestCount / (mode.nanos / 1e9), pct(all, 0.50), pct(all, 0.99)};
    }

    private interface Metric {
        double of(Round r);
    }

    /** Prints a pooled ratio, the per-round ratios' median and range, and the target if any. */
    private static void ratio(String label, Mode a, Mode b, double pooled, Metric metric, String target,
                              double bound, boolean atLeast) {
        int n = Math.min(a.rounds.size(), b.rounds.size());
        double[] perRound = new double[n];
        for (int r = 0; r < n; r++) {
            perRound[r] = metric.of(a.rounds.get(r)) / metric.of(b.rounds.get(r));
        }
        Arrays.sort(perRound);
        String verdict = "";
        if (target != null) {
            boolean met = atLeast ? pooled >= bound : pooled <= bound;
            int roundsMet = 0;
            for (double v : perRound) {
                if (atLeast ? v >= bound : v <= bound) {
                    roundsMet++;
                }
            }
            verdict = String.format(Locale.ROOT, "   target %s: %s (%d of %d rounds)", target,
                    met ? "met" : "MISSED", roundsMet, n);
        }
        System.out.printf(Locale.ROOT, "%s  %.3f   per round %.3f [%.3f .. %.3f]%s%n", label, pooled,
                n == 0 ? Double.NaN : perRound[n / 2], n == 0 ? Double.NaN : perRound[0],
                n == 0 ? Double.NaN : perRound[n - 1], verdict);
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1000.0;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** N distinct free ports on 127.0.0.1, space-separated (all held open until all are found). */
    private static String freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK));
                sockets.add(s);
                sb.append(i == 0 ? "" : " ").append(s.getLocalPort());
            }
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
        return sb.toString();
    }
}
