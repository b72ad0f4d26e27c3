package io.github.lb4j.it;

import io.github.lb4j.http.Route;
import io.github.lb4j.httpclient5.LoadBalancingAsyncExec;
import io.github.lb4j.httpclient5.LoadBalancingExec;
import io.github.lb4j.jdkhttp.LoadBalancedHttpClient;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import io.github.lb4j.okhttp.OkHttpLeakLog;
import io.github.lb4j.spring.LoadBalancingClientHttpRequestInterceptor;
import io.github.lb4j.spring.LoadBalancingExchangeFilterFunction;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Every lb4j HTTP adapter as a {@link ClientAdapter}, each client built as its adapter's javadoc tells a user who
 * needs POSTs at most once (the client's own retries and redirects off), with room for {@link #MAX_CONNECTIONS}
 * connections per backend so that the pool, not the client, is what the load meets.
 *
 * <p><b>Deadlines.</b> Every attempt is bounded by {@code attempt} (connect 1 s, then the read/response timeout);
 * a call by {@code deadline}: OkHttp's call timeout; a bounded wait on the future, which is then canceled, for the
 * JDK async client, Apache async and WebClient; for the blocking JDK client, Apache classic and RestClient, which
 * have no call timeout, by the route's attempts times {@code attempt} plus its backoff, which the caller keeps below
 * {@code deadline} ({@link #deadlineBound}).
 */
final class Adapters {

    /** Connections a client may open per backend: more than the load's concurrency, so none waits for a lease. */
    static final int MAX_CONNECTIONS = 512;
    static final Duration CONNECT = Duration.ofSeconds(1);

    /**
     * The adapters, by name, in the order of the tables in docs/RELIABILITY.md. {@code okhttp4} is the same
     * interceptor on OkHttp 4.12: lb-it's {@code fleet-okhttp4} execution swaps OkHttp 4.12 in for 5.x and runs
     * only it; each OkHttp name refuses to run on the other major version, so the tables never mislabel one.
     */
    static final List<String> NAMES = List.of("okhttp5", "okhttp4", "jdk-sync", "jdk-async", "apache-classic",
            "apache-async", "restclient", "webclient");

    private Adapters() {
    }

    /** The adapters to run: all, or those named in {@code -Dlb4j.fleet.adapters=okhttp5,webclient}. */
    static List<String> selected() {
        String only = System.getProperty("lb4j.fleet.adapters", "");
        if (only.isBlank()) {
            String other = okHttpMajor() == 4 ? "okhttp5" : "okhttp4";
            return NAMES.stream().filter(n -> !n.equals(other)).collect(java.util.stream.Collectors.toList());
        }
        List<String> out = List.of(only.split(","));
        for (String name : out) {
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException("lb4j.fleet.adapters: unknown adapter '" + name + "', known: "
                        + NAMES);
            }
        }
        return out;
    }

    /** The longest a call through a blocking adapter without a call timeout can take. */
    static Duration deadlineBound(Route route, Duration attempt) {
        Duration each = attempt.plus(CONNECT);
        if (route.perTryTimeout() != null && route.perTryTimeout().compareTo(each) < 0) {
            each = route.perTryTimeout();
        }
        return each.multipliedBy(route.maxAttempts()).plus(Route.DEFAULT_BACKOFF_MAX);
    }

    static ClientAdapter create(String name, Route route, Duration attempt, Duration deadline) {
        switch (name) {
            case "okhttp5": return okhttp("okhttp5", 5, route, attempt, deadline);
            case "okhttp4": return okhttp("okhttp4", 4, route, attempt, deadline);
            case "jdk-sync": return jdk(route, attempt, deadline, false);
            case "jdk-async": return jdk(route, attempt, deadline, true);
            case "apache-classic": return apacheClassic(route, attempt);
            case "apache-async": return apacheAsync(route, attempt, deadline);
            case "restclient": return restClient(route, attempt);
            case "webclient": return webClient(route, attempt, deadline);
            default: throw new IllegalArgumentException("adapter: unknown name '" + name + "', known: " + NAMES);
        }
    }

    /** @return the major version of the OkHttp on the class path (read by reflection: the constant is inlined) */
    static int okHttpMajor() {
        try {
            String v = (String) Class.forName("okhttp3.OkHttp").getField("VERSION").get(null);
            return Integer.parseInt(v.substring(0, v.indexOf('.')));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read OkHttp's version", e);
        }
    }

    private static ClientAdapter okhttp(String name, int major, Route route, Duration attempt, Duration deadline) {
        if (okHttpMajor() != major) {
            throw new IllegalStateException("adapter " + name + " needs OkHttp " + major + ".x on the class path, found "
                    + okHttpMajor() + ".x (okhttp4 runs in lb-it's fleet-okhttp4 execution)");
        }
        okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
        dispatcher.setMaxRequests(MAX_CONNECTIONS);
        dispatcher.setMaxRequestsPerHost(MAX_CONNECTIONS);
        OkHttpClient client = new OkHttpClient.Builder().dispatcher(dispatcher)
                .retryOnConnectionFailure(false)
                .addInterceptor(LoadBalancingInterceptor.builder().route(route).build())
                .addInterceptor(Load::countAttempt)
                .connectTimeout(CONNECT).readTimeout(attempt).writeTimeout(attempt).callTimeout(deadline).build();
        ClientAdapter calls = ClientAdapter.okhttp(client, name);
        return new Named(name, calls::send, () -> OkHttpLeakLog.shutdown(client));
    }

    private static ClientAdapter jdk(Route route, Duration attempt, Duration deadline, boolean async) {
        ExecutorService executor = Executors.newCachedThreadPool(daemon("jdk-http"));
        HttpClient delegate = HttpClient.newBuilder().connectTimeout(CONNECT).executor(executor)
                .version(HttpClient.Version.HTTP_1_1).build();
        LoadBalancedHttpClient client = LoadBalancedHttpClient.builder(delegate).route(route).build();
        return new Named(async ? "jdk-async" : "jdk-sync", (url, post, id) -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(attempt)
                    .header(ClientAdapter.REQUEST_ID, id);
            if (post) {
                b.POST(HttpRequest.BodyPublishers.ofString("order " + id));
            }
            if (!async) {
                return answer(client.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            CompletableFuture<HttpResponse<String>> f = client.sendAsync(b.build(),
                    HttpResponse.BodyHandlers.ofString());
            return answer(await(f, deadline).statusCode());
        }, () -> {
            client.shutdownNow(); // Java 21+: the wrapped client's connections and selector; a no-op on Java 17
            executor.shutdownNow();
        });
    }

    private static ClientAdapter apacheClassic(Route route, Duration attempt) {
        CloseableHttpClient client = classicBuilder(attempt)
                .addExecInterceptorFirst("lb4j", LoadBalancingExec.builder().route(route).build()).build();
        return new Named("apache-classic", (url, post, id) -> {
            ClassicRequestBuilder b = (post ? ClassicRequestBuilder.post(url) : ClassicRequestBuilder.get(url))
                    .setHeader(ClientAdapter.REQUEST_ID, id);
            if (post) {
                b.setEntity(new StringEntity("order " + id, ContentType.TEXT_PLAIN));
            }
            return client.execute(b.build(), response -> {
                EntityUtils.consume(response.getEntity());
                return answer(response.getCode());
            });
        }, () -> client.close(CloseMode.GRACEFUL));
    }

    /**
     * Apache classic as a user would build it, without lb4j's handler, and with the README's advice for a balanced
     * classic client: pooled connections idle for more than 100 ms are checked before reuse. A blocking connection
     * does not notice that its server restarted; with HttpClient's default (2 s) a backend back from a short outage
     * met its own stale connections of before it, each one a failure charged to it, and was ejected again and again
     * (FleetChaosTest, all down then one back: 256 stale connections to the one backend back).
     */
    private static org.apache.hc.client5.http.impl.classic.HttpClientBuilder classicBuilder(Duration attempt) {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(MAX_CONNECTIONS * 5).setMaxConnPerRoute(MAX_CONNECTIONS)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.of(CONNECT))
                                .setSocketTimeout(Timeout.of(attempt))
                                .setValidateAfterInactivity(TimeValue.ofMilliseconds(100)).build()).build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(attempt)).build())
                .disableAutomaticRetries().disableRedirectHandling();
    }

    private static ClientAdapter apacheAsync(Route route, Duration attempt, Duration deadline) {
        CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(MAX_CONNECTIONS * 5).setMaxConnPerRoute(MAX_CONNECTIONS)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.of(CONNECT))
                                .setSocketTimeout(Timeout.of(attempt)).build()).build())
                .addExecInterceptorFirst("lb4j", LoadBalancingAsyncExec.builder().route(route).build())
                .disableAutomaticRetries().disableRedirectHandling()
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(2).build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(attempt)).build())
                .build();
        client.start();
        return new Named("apache-async", (url, post, id) -> {
            SimpleRequestBuilder b = (post ? SimpleRequestBuilder.post(url) : SimpleRequestBuilder.get(url))
                    .setHeader(ClientAdapter.REQUEST_ID, id);
            if (post) {
                b.setBody("order " + id, ContentType.TEXT_PLAIN);
            }
            Future<SimpleHttpResponse> f = client.execute(SimpleRequestProducer.create(b.build()),
                    SimpleResponseConsumer.create(), null);
            return answer(await(f, deadline).getCode());
        }, () -> client.close(CloseMode.GRACEFUL));
    }

    private static ClientAdapter restClient(Route route, Duration attempt) {
        CloseableHttpClient http = classicBuilder(attempt).build();
        RestClient client = RestClient.builder().requestFactory(new HttpComponentsClientHttpRequestFactory(http))
                .requestInterceptor(LoadBalancingClientHttpRequestInterceptor.builder().route(route).build())
                .build();
        return new Named("restclient", (url, post, id) -> {
            RestClient.RequestBodySpec spec = client.method(post ? HttpMethod.POST : HttpMethod.GET)
                    .uri(URI.create(url)).header(ClientAdapter.REQUEST_ID, id);
            if (post) {
                spec.contentType(MediaType.TEXT_PLAIN).body("order " + id);
            }
            return spec.exchange((request, response) -> {
                response.getBody().readAllBytes();
                return answer(response.getStatusCode().value());
            });
        }, () -> http.close(CloseMode.GRACEFUL));
    }

    private static ClientAdapter webClient(Route route, Duration attempt, Duration deadline) {
        ConnectionProvider connections = ConnectionProvider.builder("lb4j-fleet").maxConnections(MAX_CONNECTIONS)
                .pendingAcquireMaxCount(-1).build();
        LoopResources loops = LoopResources.create("lb4j-fleet-netty", 2, true);
        reactor.netty.http.client.HttpClient http = reactor.netty.http.client.HttpClient.create(connections)
                .runOn(loops).responseTimeout(attempt)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT.toMillis());
        WebClient client = WebClient.builder().clientConnector(new ReactorClientHttpConnector(http))
                .filter(LoadBalancingExchangeFilterFunction.builder().route(route).build()).build();
        return new Named("webclient", (url, post, id) -> {
            WebClient.RequestBodySpec spec = client.method(post ? HttpMethod.POST : HttpMethod.GET)
                    .uri(URI.create(url)).header(ClientAdapter.REQUEST_ID, id);
            if (post) {
                spec.contentType(MediaType.TEXT_PLAIN).bodyValue("order " + id);
            }
            CompletableFuture<Integer> f = spec.exchangeToMono(response -> response.bodyToMono(String.class)
                    .defaultIfEmpty("").map(body -> response.statusCode().value())).toFuture();
            return answer(await(f, deadline));
        }, () -> {
            connections.disposeLater().block(Duration.ofSeconds(10));
            loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
        });
    }

    /** Waits for a call's future at most {@code deadline}; past it, cancels the call and throws. */
    private static <T> T await(Future<T> f, Duration deadline) throws Exception {
        try {
            return f.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IOException("call deadline of " + deadline.toMillis() + " ms passed; canceled", e);
        }
    }

    private static ClientAdapter.Answer answer(int status) {
        return new ClientAdapter.Answer(status, -1);
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** What a call does. */
    @FunctionalInterface
    interface Send {
        ClientAdapter.Answer send(String url, boolean post, String id) throws Exception;
    }

    /** How the client closes. */
    @FunctionalInterface
    interface Close {
        void close() throws Exception;
    }

    private record Named(String name, Send calls, Close closer) implements ClientAdapter {
        @Override
        public Answer send(String url, boolean post, String id) throws Exception {
            return calls.send(url, post, id);
        }

        @Override
        public void close() throws Exception {
            closer.close();
        }
    }
}
