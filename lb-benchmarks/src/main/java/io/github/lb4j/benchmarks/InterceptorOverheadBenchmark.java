package io.github.lb4j.benchmarks;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
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
 * What {@link LoadBalancingInterceptor} adds to one OkHttp call, without the network: both clients end in an
 * application interceptor that answers {@code 200 "ok"} itself, so the difference between {@code plain} and
 * {@code balanced} is the balancer's work (pick, URL rewrite, retry-budget deposit, outcome on body end) and nothing
 * else. The end-to-end driver ({@link OkHttpInterceptorLoad}) puts this next to what a loopback call costs.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar InterceptorOverheadBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class InterceptorOverheadBenchmark {

    /** With its charset, so that creating a body does not parse a media type (a regex) on every call. */
    private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");
    private static final byte[] OK = {'o', 'k'};

    private LoadBalancer pool;
    private OkHttpClient plain;
    private OkHttpClient balanced;
    private Request direct;
    private Request logical;

    /** Answers every call at once, in place of the network. */
    private static Response answer(Interceptor.Chain chain) {
        return new Response.Builder()
                .request(chain.request())
                .protocol(Protocol.HTTP_1_1)
                .code(200)
                .message("OK")
                .body(ResponseBody.create(OK, TEXT))
                .build();
    }

    @Setup
    public void setUp() {
        pool = LoadBalancer.builder("bench")
                .backends(List.of(Backend.of("127.0.0.1", 8081), Backend.of("127.0.0.1", 8082),
                        Backend.of("127.0.0.1", 8083)))
                .strategy(Strategy.roundRobin())
                .build();
        plain = new OkHttpClient.Builder().addInterceptor(InterceptorOverheadBenchmark::answer).build();
        balanced = new OkHttpClient.Builder()
                .addInterceptor(LoadBalancingInterceptor.builder().route("bench", pool).build())
                .addInterceptor(InterceptorOverheadBenchmark::answer)
                .build();
        direct = new Request.Builder().url("http://127.0.0.1:8081/item?id=7").build();
        logical = new Request.Builder().url("http://bench/item?id=7").build();
    }

    @TearDown
    public void tearDown() {
        pool.close();
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
