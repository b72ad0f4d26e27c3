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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@link LoadBalancingInterceptor} adds to one OkHttp call over loopback, measured the way the other adapters'
 * overhead benchmarks are ({@code JdkHttpOverheadBenchmark}, {@code HttpClient5OverheadBenchmark},
 * {@code SpringRestClientOverheadBenchmark}): one JDK {@code HttpServer} answering {@code 200 "ok"}, called by the
 * plain client at its address and by the same client with the interceptor at {@code http://bench/...} (a pool of
 * that one backend). {@link InterceptorOverheadBenchmark} measures the interceptor without the network.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar OkHttpLoopbackOverhead -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class OkHttpLoopbackOverheadBenchmark {

    private static final byte[] OK = {'o', 'k'};

    static {
        // As in JdkHttpOverheadBenchmark: without it the server's second write waits for a delayed ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private HttpServer server;
    private ExecutorService serverThreads;
    private LoadBalancer pool;
    private OkHttpClient plain;
    private OkHttpClient balanced;
    private Request direct;
    private Request logical;

    @Setup
    public void setUp() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        serverThreads = Executors.newFixedThreadPool(2);
        server.setExecutor(serverThreads);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, OK.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(OK);
            }
        });
        server.start();
        int port = server.getAddress().getPort();
        pool = LoadBalancer.builder("bench").backends(List.of(Backend.of("127.0.0.1", port)))
                .strategy(Strategy.roundRobin()).build();
        // One client for both (newBuilder shares its connection pool and dispatcher); only the interceptor differs.
        plain = new OkHttpClient();
        balanced = plain.newBuilder()
                .addInterceptor(LoadBalancingInterceptor.builder().route("bench", pool).build())
                .build();
        direct = new Request.Builder().url("http://127.0.0.1:" + port + "/item?id=7").build();
        logical = new Request.Builder().url("http://bench/item?id=7").build();
    }

    @TearDown
    public void tearDown() {
        pool.close();
        server.stop(0);
        serverThreads.shutdownNow();
        plain.dispatcher().executorService().shutdown();
        plain.connectionPool().evictAll();
    }

    @Benchmark
    public byte[] plain() throws IOException {
        try (Response response = plain.newCall(direct).execute()) {
            return response.body().bytes();
        }
    }

    @Benchmark
    public byte[] balanced() throws IOException {
        try (Response response = balanced.newCall(logical).execute()) {
            return response.body().bytes();
        }
    }
}
