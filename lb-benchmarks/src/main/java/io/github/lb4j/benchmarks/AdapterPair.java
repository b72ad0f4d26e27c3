package io.github.lb4j.benchmarks;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.httpclient5.LoadBalancingAsyncExec;
import io.github.lb4j.httpclient5.LoadBalancingExec;
import io.github.lb4j.jdkhttp.LoadBalancedHttpClient;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import io.github.lb4j.spring.LoadBalancingClientHttpRequestInterceptor;
import io.github.lb4j.spring.LoadBalancingExchangeFilterFunction;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * One HTTP client twice over, for the adapter overhead measurements: {@link #plain()} calls the loopback server at
 * its address, {@link #balanced()} calls {@code http://bench/item?id=7} through the lb4j adapter and a pool of that
 * one backend (round robin). Both sides read the whole body ({@code "ok"}) and return it. Used by the
 * {@code *OverheadBenchmark}s and by {@link AdapterOverheadDriver}, so that both measure the same setup.
 *
 * <p>Not thread-safe to create or close; the calls are as thread-safe as the clients (all of them are).
 */
abstract class AdapterPair implements AutoCloseable {

    /** The adapters, by the name the driver takes. */
    static final List<String> NAMES = List.of("okhttp", "jdk", "jdk-async", "httpclient5", "httpclient5-async",
            "spring", "spring-noop-interceptor", "spring-factory", "spring-passthrough", "webclient");

    static final String LOGICAL = "http://bench/item?id=7";

    final LoadBalancer pool;
    final String direct;

    AdapterPair(int port) {
        pool = LoadBalancer.builder("bench").backends(List.of(Backend.of("127.0.0.1", port)))
                .strategy(Strategy.roundRobin()).build();
        direct = "http://127.0.0.1:" + port + "/item?id=7";
    }

    /** The pair for one of {@link #NAMES}. */
    static AdapterPair create(String name, int port) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "okhttp":
                return new OkHttp(port);
            case "jdk":
                return new Jdk(port, false);
            case "jdk-async":
                return new Jdk(port, true);
            case "httpclient5":
                return new ApacheClassic(port);
            case "httpclient5-async":
                return new ApacheAsync(port);
            case "webclient":
                return new Web(port);
            case "spring":
                return new Spring(port, false, false);
            case "spring-noop-interceptor":
                return new Spring(port, true, false);
            case "spring-factory":
                return new Spring(port, false, true);
            case "spring-passthrough":
                return new SpringPassThrough(port);
            default:
                throw new IllegalArgumentException("adapter must be one of " + NAMES + ": " + name);
        }
    }

    /** One call with the plain client. */
    abstract byte[] plain() throws Exception;

    /** One call through the adapter. */
    abstract byte[] balanced() throws Exception;

    @Override
    public void close() {
        pool.close();
    }

    /** OkHttp 5: one client for both (newBuilder shares pool and dispatcher); only the interceptor differs. */
    static final class OkHttp extends AdapterPair {
        private final OkHttpClient plain;
        private final OkHttpClient balanced;
        private final Request direct;
        private final Request logical;

        OkHttp(int port) {
            super(port);
            plain = new OkHttpClient();
            balanced = plain.newBuilder()
                    .addInterceptor(LoadBalancingInterceptor.builder().route("bench", pool).build())
                    .build();
            direct = new Request.Builder().url(super.direct).build();
            logical = new Request.Builder().url(LOGICAL).build();
        }

        @Override
        byte[] plain() throws IOException {
            try (Response response = plain.newCall(direct).execute()) {
                return response.body().bytes();
            }
        }

        @Override
        byte[] balanced() throws IOException {
            try (Response response = balanced.newCall(logical).execute()) {
                return response.body().bytes();
            }
        }

        @Override
        public void close() {
            super.close();
            plain.dispatcher().executorService().shutdown();
            plain.connectionPool().evictAll();
        }
    }

    /**
     * The JDK client: one client for both (same connection pool and threads), wrapped by
     * {@link LoadBalancedHttpClient}. HTTP/1.1, as the JDK server speaks no HTTP/2. With {@code async}, each call is
     * {@code sendAsync(...).join()}: the adapter's asynchronous path (its attempt chain on futures) on the calling
     * thread's wait.
     */
    static final class Jdk extends AdapterPair {
        private final ExecutorService clientThreads = Executors.newFixedThreadPool(2);
        private final HttpClient plain;
        private final HttpClient balanced;
        private final HttpRequest direct;
        private final HttpRequest logical;
        private final boolean async;

        Jdk(int port, boolean async) {
            super(port);
            this.async = async;
            plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads).build();
            balanced = LoadBalancedHttpClient.builder(plain).route("bench", pool).build();
            direct = HttpRequest.newBuilder(URI.create(super.direct)).build();
            logical = HttpRequest.newBuilder(URI.create(LOGICAL)).build();
        }

        @Override
        byte[] plain() throws IOException, InterruptedException {
            return call(plain, direct);
        }

        @Override
        byte[] balanced() throws IOException, InterruptedException {
            return call(balanced, logical);
        }

        private byte[] call(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
            if (async) {
                return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).join().body();
            }
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray()).body();
        }

        @Override
        public void close() {
            super.close();
            clientThreads.shutdownNow();
        }
    }

    /** Apache HttpClient 5 classic: two clients built alike, one with {@link LoadBalancingExec} first. */
    static final class ApacheClassic extends AdapterPair {
        private final CloseableHttpClient plain;
        private final CloseableHttpClient balanced;

        ApacheClassic(int port) {
            super(port);
            plain = HttpClients.custom().disableAutomaticRetries().disableRedirectHandling().build();
            balanced = HttpClients.custom()
                    .addExecInterceptorFirst("lb4j", LoadBalancingExec.builder().route("bench", pool).build())
                    .disableAutomaticRetries().disableRedirectHandling().build();
        }

        @Override
        byte[] plain() throws IOException {
            return plain.execute(new HttpGet(direct), response -> EntityUtils.toByteArray(response.getEntity()));
        }

        @Override
        byte[] balanced() throws IOException {
            return balanced.execute(new HttpGet(LOGICAL), response -> EntityUtils.toByteArray(response.getEntity()));
        }

        @Override
        public void close() {
            plain.close(CloseMode.IMMEDIATE);
            balanced.close(CloseMode.IMMEDIATE);
            super.close();
        }
    }

    /**
     * Apache HttpClient 5 async: two clients built alike (two I/O threads each), one with
     * {@link LoadBalancingAsyncExec} first; each call waits on the future of a {@code SimpleHttpRequest}.
     */
    static final class ApacheAsync extends AdapterPair {
        private final CloseableHttpAsyncClient plain;
        private final CloseableHttpAsyncClient balanced;

        ApacheAsync(int port) {
            super(port);
            plain = builder().build();
            balanced = builder()
                    .addExecInterceptorFirst("lb4j", LoadBalancingAsyncExec.builder().route("bench", pool).build())
                    .build();
            plain.start();
            balanced.start();
        }

        private static HttpAsyncClientBuilder builder() {
            return HttpAsyncClients.custom().disableAutomaticRetries().disableRedirectHandling()
                    .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(2).build());
        }

        @Override
        byte[] plain() throws Exception {
            return plain.execute(SimpleRequestBuilder.get(direct).build(), null).get().getBodyBytes();
        }

        @Override
        byte[] balanced() throws Exception {
            return balanced.execute(SimpleRequestBuilder.get(LOGICAL).build(), null).get().getBodyBytes();
        }

        @Override
        public void close() {
            plain.close(CloseMode.IMMEDIATE);
            balanced.close(CloseMode.IMMEDIATE);
            super.close();
        }
    }

    /**
     * Spring {@code WebClient} over Reactor Netty (its default connector): one connector for both (same connection
     * pool and event loops), {@code balanced} with lb-spring's filter; each call blocks on the body's
     * {@code Mono}, off the event loop.
     */
    static final class Web extends AdapterPair {
        private final ConnectionProvider connections = ConnectionProvider.create("lb4j-bench", 16);
        private final LoopResources loops = LoopResources.create("lb4j-bench-netty", 2, true);
        private final WebClient plain;
        private final WebClient balanced;
        private final URI direct;
        private final URI logical;

        Web(int port) {
            super(port);
            ReactorClientHttpConnector connector = new ReactorClientHttpConnector(
                    reactor.netty.http.client.HttpClient.create(connections).runOn(loops));
            plain = WebClient.builder().clientConnector(connector).build();
            balanced = WebClient.builder().clientConnector(connector)
                    .filter(LoadBalancingExchangeFilterFunction.builder().route("bench", pool).build()).build();
            direct = URI.create(super.direct);
            logical = URI.create(LOGICAL);
        }

        @Override
        byte[] plain() {
            return plain.get().uri(direct).retrieve().bodyToMono(byte[].class).block();
        }

        @Override
        byte[] balanced() {
            return balanced.get().uri(logical).retrieve().bodyToMono(byte[].class).block();
        }

        @Override
        public void close() {
            super.close();
            connections.disposeLater().block(java.time.Duration.ofSeconds(10));
            loops.disposeLater(java.time.Duration.ZERO, java.time.Duration.ofSeconds(5))
                    .block(java.time.Duration.ofSeconds(10));
        }
    }

    /**
     * Spring {@code RestClient} over {@code JdkClientHttpRequestFactory} (Spring's default without another client
     * library): {@code balanced} adds lb-spring's interceptor, which also makes Spring buffer the request in its
     * intercepting factory, as it would for any interceptor an application adds. With {@code noopPlain}, the plain
     * side has an interceptor that only passes the request on, so that the ratio is lb4j's own cost over Spring's
     * cost of having an interceptor at all. With {@code wrapFactory}, {@code balanced} has no interceptor but the
     * factory wrapped by {@link LoadBalancingClientHttpRequestInterceptor#wrap}, against the bare client.
     */
    static final class Spring extends AdapterPair {
        private final RestClient plain;
        private final RestClient balanced;
        private final URI direct;
        private final URI logical;

        Spring(int port, boolean noopPlain, boolean wrapFactory) {
            super(port);
            RestClient.Builder p = RestClient.builder().requestFactory(factory());
            if (noopPlain) {
                p.requestInterceptor((request, body, execution) -> execution.execute(request, body));
            }
            plain = p.build();
            LoadBalancingClientHttpRequestInterceptor lb = LoadBalancingClientHttpRequestInterceptor.builder()
                    .route("bench", pool).build();
            balanced = wrapFactory ? RestClient.builder().requestFactory(lb.wrap(factory())).build()
                    : RestClient.builder().requestFactory(factory()).requestInterceptor(lb).build();
            direct = URI.create(super.direct);
            logical = URI.create(LOGICAL);
        }

        /** HTTP/1.1: the JDK client's default HTTP/2 would offer an h2c upgrade the JDK server never takes. */
        static JdkClientHttpRequestFactory factory() {
            return new JdkClientHttpRequestFactory(
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
        }

        @Override
        byte[] plain() {
            return plain.get().uri(direct).retrieve().body(byte[].class);
        }

        @Override
        byte[] balanced() {
            return balanced.get().uri(logical).retrieve().body(byte[].class);
        }
    }

    /**
     * Spring {@code RestClient}, bare against the same client over {@link PassThroughRequestFactory} (no lb4j at
     * all): what wrapping a request factory costs by itself. The steps it takes are chosen by the system properties
     * {@code lb4j.passthrough.parseUri}, {@code .copyHeaders} and {@code .wrapResponse} (each true unless "false").
     */
    static final class SpringPassThrough extends AdapterPair {
        private final RestClient plain;
        private final RestClient wrapped;
        private final URI direct;

        SpringPassThrough(int port) {
            super(port);
            plain = RestClient.builder().requestFactory(Spring.factory()).build();
            wrapped = RestClient.builder().requestFactory(new PassThroughRequestFactory(Spring.factory(),
                    step("parseUri"), step("copyHeaders"), step("wrapResponse"))).build();
            direct = URI.create(super.direct);
        }

        private static boolean step(String name) {
            return !"false".equals(System.getProperty("lb4j.passthrough." + name));
        }

        @Override
        byte[] plain() {
            return plain.get().uri(direct).retrieve().body(byte[].class);
        }

        @Override
        byte[] balanced() {
            return wrapped.get().uri(direct).retrieve().body(byte[].class);
        }
    }
}
