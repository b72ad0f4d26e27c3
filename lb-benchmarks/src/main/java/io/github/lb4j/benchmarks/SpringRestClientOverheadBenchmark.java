package io.github.lb4j.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.spring.LoadBalancingClientHttpRequestInterceptor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
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
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * What lb-spring's {@link LoadBalancingClientHttpRequestInterceptor} adds to one real {@code RestClient} call: both
 * clients run over {@code JdkClientHttpRequestFactory} (Spring's default without another client library) to one
 * loopback JDK HTTP server answering {@code "ok"}. {@code plain} calls the server's address with no interceptor, as
 * an application does today; {@code balanced} calls {@code http://bench/} through the interceptor (which also makes
 * Spring buffer the request in its intercepting factory), pool of one backend. The ratio of the two is the
 * overhead; {@code -prof gc} gives the allocation per call.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar SpringRestClientOverheadBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SpringRestClientOverheadBenchmark {

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY each answer waits for the client's
        // delayed ACK (40 ms on Linux) and the benchmark would measure that.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final byte[] OK = {'o', 'k'};

    private HttpServer server;
    private ExecutorService serverThreads;
    private LoadBalancer pool;
    private RestClient plain;
    private RestClient balanced;
    private URI direct;
    private URI logical;

    @Setup
    public void setUp() throws IOException {
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
        plain = RestClient.builder().requestFactory(factory()).build();
        balanced = RestClient.builder().requestFactory(factory())
                .requestInterceptor(LoadBalancingClientHttpRequestInterceptor.builder().route("bench", pool).build())
                .build();
        direct = URI.create("http://127.0.0.1:" + port + "/item?id=7");
        logical = URI.create("http://bench/item?id=7");
    }

    /** HTTP/1.1: the JDK client's default HTTP/2 would offer an h2c upgrade the JDK server never takes. */
    private static JdkClientHttpRequestFactory factory() {
        return new JdkClientHttpRequestFactory(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
    }

    @TearDown
    public void tearDown() {
        pool.close();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Benchmark
    public byte[] plain() {
        return plain.get().uri(direct).retrieve().body(byte[].class);
    }

    @Benchmark
    public byte[] balanced() {
        return balanced.get().uri(logical).retrieve().body(byte[].class);
    }
}
