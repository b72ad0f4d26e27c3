package io.github.lb4j.benchmarks;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.spring.LoadBalancingClientHttpRequestInterceptor;
import io.github.lb4j.spring.LoadBalancingExchangeFilterFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;
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
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.AbstractClientHttpRequest;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * What lb-spring adds to one {@code RestClient} or {@code WebClient} call without the network: every
 * {@code RestClient} ends in a request factory that answers {@code 200 "ok"} itself, so {@code plain},
 * {@code interceptor} and {@code factory} differ only by lb4j's work (pick, URI rewrite, retry-budget deposit, the
 * response wrapped for its outcome) and, for {@code interceptor}, Spring's intercepting request; both
 * {@code WebClient}s end in an exchange function that answers at once ({@code webPlain}, {@code webFilter}, the
 * latter with lb4j's filter, whose attempt chain runs on {@code CompletableFuture}s). Next to the loopback pairs of
 * {@link AdapterOverheadDriver}, this says how much of a Spring call's added CPU is lb4j's own code.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar SpringExchangeOverheadBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SpringExchangeOverheadBenchmark {

    private static final byte[] OK = {'o', 'k'};

    private LoadBalancer pool;
    private RestClient plain;
    private RestClient interceptor;
    private RestClient factory;
    private WebClient webPlain;
    private WebClient webFilter;
    private URI direct;
    private URI logical;

    /** Answers every request at once, in place of a client library and the network. */
    private static final class Answering implements ClientHttpRequestFactory {
        @Override
        public ClientHttpRequest createRequest(URI uri, HttpMethod method) {
            return new AbstractClientHttpRequest() {
                private final ByteArrayOutputStream body = new ByteArrayOutputStream(0);

                @Override
                public HttpMethod getMethod() {
                    return method;
                }

                @Override
                public URI getURI() {
                    return uri;
                }

                @Override
                protected OutputStream getBodyInternal(HttpHeaders headers) {
                    return body;
                }

                @Override
                protected ClientHttpResponse executeInternal(HttpHeaders headers) {
                    return new Answer();
                }
            };
        }
    }

    private static final class Answer implements ClientHttpResponse {
        private final HttpHeaders headers = new HttpHeaders();
        private final InputStream body = new ByteArrayInputStream(OK);

        Answer() {
            headers.setContentType(MediaType.TEXT_PLAIN);
            headers.setContentLength(OK.length);
        }

        @Override
        public HttpStatusCode getStatusCode() {
            return HttpStatus.OK;
        }

        @Override
        public String getStatusText() {
            return "OK";
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public InputStream getBody() {
            return body;
        }

        @Override
        public void close() {
        }
    }

    @Setup
    public void setUp() {
        pool = LoadBalancer.builder("bench")
                .backends(List.of(Backend.of("127.0.0.1", 8081), Backend.of("127.0.0.1", 8082),
                        Backend.of("127.0.0.1", 8083)))
                .strategy(Strategy.roundRobin())
                .build();
        LoadBalancingClientHttpRequestInterceptor lb = LoadBalancingClientHttpRequestInterceptor.builder()
                .route("bench", pool).build();
        plain = RestClient.builder().requestFactory(new Answering()).build();
        interceptor = RestClient.builder().requestFactory(new Answering()).requestInterceptor(lb).build();
        factory = RestClient.builder().requestFactory(lb.wrap(new Answering())).build();
        ExchangeFunction answering = request -> Mono.just(ClientResponse.create(HttpStatus.OK)
                .header(HttpHeaders.CONTENT_TYPE, MediaType.TEXT_PLAIN_VALUE)
                .header(HttpHeaders.CONTENT_LENGTH, "2").body("ok").build());
        webPlain = WebClient.builder().exchangeFunction(answering).build();
        webFilter = WebClient.builder().exchangeFunction(answering)
                .filter(LoadBalancingExchangeFilterFunction.builder().route("bench", pool).build()).build();
        direct = URI.create("http://127.0.0.1:8081/item?id=7");
        logical = URI.create("http://bench/item?id=7");
    }

    @TearDown
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public byte[] plain() {
        return plain.get().uri(direct).retrieve().body(byte[].class);
    }

    @Benchmark
    public byte[] interceptor() {
        return interceptor.get().uri(logical).retrieve().body(byte[].class);
    }

    @Benchmark
    public byte[] factory() {
        return factory.get().uri(logical).retrieve().body(byte[].class);
    }

    @Benchmark
    public byte[] webPlain() {
        return webPlain.get().uri(direct).retrieve().bodyToMono(byte[].class).block();
    }

    @Benchmark
    public byte[] webFilter() {
        return webFilter.get().uri(logical).retrieve().bodyToMono(byte[].class).block();
    }
}
