package io.github.lb4j.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.jdkhttp.LoadBalancedHttpClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * What {@link LoadBalancedHttpClient} adds to one JDK {@link HttpClient} call, over loopback: one JDK
 * {@code HttpServer} answering {@code 200 "ok"}, called by the plain client at its address and by the balanced
 * client at {@code http://bench/...} (a pool of that one backend). The JDK client cannot be answered in-process
 * (it has no interceptors), so both sides include a real loopback round trip; the ratio of the two throughputs is
 * the overhead, and {@code -prof gc} gives what the balancer allocates per call on top of the client's own.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar JdkHttpOverhead -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class JdkHttpOverheadBenchmark {

    private static final byte[] OK = {'o', 'k'};

    static {
        // The JDK server writes headers and body in two writes; with Nagle's algorithm on, the second waits for the
        // client's delayed ACK (40 ms on Linux). Read once, when the JDK's HttpServer initializes.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private HttpServer server;
    private ExecutorService serverThreads;
    private ExecutorService clientThreads;
    private LoadBalancer pool;
    private HttpClient plain;
    private HttpClient balanced;
    private HttpRequest direct;
    private HttpRequest logical;

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
        // One client for both, so that both use the same connection pool and threads; only the wrapper differs.
        clientThreads = Executors.newFixedThreadPool(2);
        plain = HttpClient.newBuilder().executor(clientThreads).build();
        balanced = LoadBalancedHttpClient.builder(plain).route("bench", pool).build();
        direct = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/item?id=7")).build();
        logical = HttpRequest.newBuilder(URI.create("http://bench/item?id=7")).build();
    }

    @TearDown
    public void tearDown() {
        pool.close();
        server.stop(0);
        serverThreads.shutdownNow();
        clientThreads.shutdownNow();
    }

    @Benchmark
    public byte[] plain() throws IOException, InterruptedException {
        return plain.send(direct, HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    @Benchmark
    public byte[] balanced() throws IOException, InterruptedException {
        return balanced.send(logical, HttpResponse.BodyHandlers.ofByteArray()).body();
    }
}
