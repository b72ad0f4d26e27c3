package io.github.lb4j.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A loopback load driver: requests per second and per-request latency of plain OkHttp against one local JDK
 * {@code HttpServer}, and of the same calls through {@link LoadBalancingInterceptor} (a least-requests pool of two
 * entries for that server), in one run. Rounds alternate between the two so that drift on a shared machine hits
 * both alike; the ratio is total interceptor throughput over total plain throughput.
 *
 * <pre>
 * mvn -B -q -pl lb-benchmarks -am package -DskipTests
 * java -cp lb-benchmarks/target/benchmarks.jar io.github.lb4j.benchmarks.OkHttpInterceptorLoad [seconds/round] [rounds] [threads]
 * </pre>
 *
 * <p>Defaults: 2-second rounds, 10 rounds per mode, 4 client threads, after a 3-second warm-up per mode: about 50 s.
 * Short alternating rounds spread the noise of a shared machine evenly over both modes. Besides throughput and
 * latency it reports the client threads' CPU time per request, which other processes on the machine disturb far
 * less than wall-clock throughput.
 */
public final class OkHttpInterceptorLoad {

    /** Latency samples kept per thread and mode; beyond it requests are counted but not sampled. */
    private static final int MAX_SAMPLES = 1 << 20;

    private OkHttpInterceptorLoad() {
    }

    /** One mode: a client and the URL it calls. */
    private static final class Mode {
        final String name;
        final OkHttpClient client;
        final Request request;
        long requests;
        long nanos;
        long cpuNanos;
        final long[][] samples;
        final int[] sampleCount;

        Mode(String name, OkHttpClient client, String url, int threads) {
            this.name = name;
            this.client = client;
            this.request = new Request.Builder().url(url).build();
            this.samples = new long[threads][MAX_SAMPLES];
            this.sampleCount = new int[threads];
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;

        // Without TCP_NODELAY the JDK server's separate header and body writes wait for delayed ACKs (40 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        ExecutorService serverThreads = Executors.newFixedThreadPool(threads);
        byte[] body = "ok".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        server.setExecutor(serverThreads);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        int port = server.getAddress().getPort();

        LoadBalancer pool = LoadBalancer.builder("bench")
                .backends(List.of(Backend.of("127.0.0.1", port).withId("a"),
                        Backend.of("127.0.0.1", port).withId("b")))
                .strategy(Strategy.leastRequests())
                .build();
        OkHttpClient plainClient = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(threads * 2, 5, TimeUnit.MINUTES)).build();
        OkHttpClient lbClient = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(threads * 2, 5, TimeUnit.MINUTES))
                .addInterceptor(LoadBalancingInterceptor.builder().route("bench", pool).build())
                .build();
        Mode plain = new Mode("plain OkHttp", plainClient, "http://127.0.0.1:" + port + "/item?id=7", threads);
        Mode balanced = new Mode("interceptor", lbClient, "http://bench/item?id=7", threads);

        System.out.printf(Locale.ROOT, "loopback load: %d threads, %d x %d s rounds per mode, JDK %s, OkHttp %s%n",
                threads, rounds, seconds, System.getProperty("java.version"), okhttp3.OkHttp.VERSION);
        run(plain, threads, 3, false);
        run(balanced, threads, 3, false);
        for (int r = 0; r < rounds; r++) {
            // Alternate which goes first, so neither always follows the other.
            Mode first = r % 2 == 0 ? plain : balanced;
            Mode second = first == plain ? balanced : plain;
            run(first, threads, seconds, true);
            run(second, threads, seconds, true);
        }

        double plainRps = report(plain);
        double lbRps = report(balanced);
        System.out.printf(Locale.ROOT, "throughput ratio interceptor/plain = %.3f; client CPU per request ratio = %.3f%n",
                lbRps / plainRps, ((double) balanced.cpuNanos / balanced.requests)
                        / ((double) plain.cpuNanos / plain.requests));

        server.stop(0);
        serverThreads.shutdownNow();
        for (OkHttpClient c : new OkHttpClient[] {plainClient, lbClient}) {
            c.connectionPool().evictAll();
            c.dispatcher().executorService().shutdown();
        }
        pool.close();
    }

    private static void run(Mode mode, int threads, int seconds, boolean measure) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        long[] counts = new long[threads];
        long[] cpu = new long[threads];
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] deadline = new long[1];
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    long cpu0 = mx.getCurrentThreadCpuTime();
                    long end = deadline[0];
                    long n = 0;
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= end) {
                            break;
                        }
                        try (Response response = mode.client.newCall(mode.request).execute()) {
                            response.body().bytes();
                        }
                        long t1 = System.nanoTime();
                        n++;
                        if (measure && mode.sampleCount[id] < MAX_SAMPLES) {
                            mode.samples[id][mode.sampleCount[id]++] = t1 - t0;
                        }
                    }
                    counts[id] = n;
                    cpu[id] = mx.getCurrentThreadCpuTime() - cpu0;
                } catch (InterruptedException | IOException e) {
                    throw new IllegalStateException(e);
                }
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
        if (measure) {
            mode.requests += total;
            mode.nanos += elapsed;
            mode.cpuNanos += Arrays.stream(cpu).sum();
        }
        System.out.printf(Locale.ROOT, "  %-8s %-13s %8.0f req/s%n", measure ? "round" : "warm-up", mode.name,
                total / (elapsed / 1e9));
    }

    private static double report(Mode mode) {
        int n = 0;
        for (int c : mode.sampleCount) {
            n += c;
        }
        long[] all = new long[n];
        int i = 0;
        for (int t = 0; t < mode.samples.length; t++) {
            System.arraycopy(mode.samples[t], 0, all, i, mode.sampleCount[t]);
            i += mode.sampleCount[t];
        }
        Arrays.sort(all);
        double rps = mode.requests / (mode.nanos / 1e9);
        System.out.printf(Locale.ROOT, "%-13s %8.0f req/s  latency p50 %6.1f us  p90 %6.1f us  p99 %6.1f us"
                        + "  p99.9 %7.1f us  client CPU %5.1f us/req  (%d requests)%n", mode.name, rps,
                pct(all, 0.50), pct(all, 0.90), pct(all, 0.99), pct(all, 0.999),
                mode.cpuNanos / 1000.0 / mode.requests, mode.requests);
        return rps;
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1000.0;
    }
}
