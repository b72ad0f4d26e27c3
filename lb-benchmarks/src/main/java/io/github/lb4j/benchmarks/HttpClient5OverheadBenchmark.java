package io.github.lb4j.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.httpclient5.LoadBalancingExec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
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
 * What {@link LoadBalancingExec} adds to one classic Apache HttpClient 5 call over loopback: both clients send a GET
 * to the same local backend (the JDK's HttpServer answering {@code 200 "ok"}) over a pooled keep-alive connection;
 * {@code plain} addresses it directly, {@code balanced} as {@code http://bench/} through the handler and a pool of
 * that one backend. The difference is the handler's work per call (pick, request rewrite, per-backend route,
 * retry-budget deposit, outcome on entity end) next to a real loopback round trip.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar HttpClient5Overhead -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class HttpClient5OverheadBenchmark {

    private static final byte[] OK = {'o', 'k'};

    private HttpServer server;
    private ExecutorService serverThreads;
    private LoadBalancer pool;
    private CloseableHttpClient plain;
    private CloseableHttpClient balanced;
    private String direct;

    @Setup
    public void setUp() throws IOException {
        // Without it the JDK server's two writes (headers, body) wait on the client's delayed ACK: 40 ms a call.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
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
        plain = HttpClients.custom().disableAutomaticRetries().disableRedirectHandling().build();
        balanced = HttpClients.custom()
                .addExecInterceptorFirst("lb4j", LoadBalancingExec.builder().route("bench", pool).build())
                .disableAutomaticRetries().disableRedirectHandling().build();
        direct = "http://127.0.0.1:" + port + "/item?id=7";
    }

    @TearDown
    public void tearDown() {
        plain.close(CloseMode.IMMEDIATE);
        balanced.close(CloseMode.IMMEDIATE);
        pool.close();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Benchmark
    public byte[] plain() throws IOException {
        return plain.execute(new HttpGet(direct), response -> EntityUtils.toByteArray(response.getEntity()));
    }

    @Benchmark
    public byte[] balanced() throws IOException {
        return balanced.execute(new HttpGet("http://bench/item?id=7"),
                response -> EntityUtils.toByteArray(response.getEntity()));
    }
}
