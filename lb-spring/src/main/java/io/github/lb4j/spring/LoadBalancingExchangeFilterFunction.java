package io.github.lb4j.spring;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Ticker;
import io.github.lb4j.http.HttpBalancer;
import io.github.lb4j.http.Route;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;

/**
 * A Spring WebClient {@link ExchangeFilterFunction} that sends each request for a logical host
 * ({@code http://orders/...}) to a backend picked by that host's {@link LoadBalancer}, reports every attempt's
 * outcome to the pool, and retries a failed attempt on another backend when that is safe, without blocking.
 *
 * <pre>{@code
 * LoadBalancingExchangeFilterFunction lb = LoadBalancingExchangeFilterFunction.builder()
 *         .route("orders", orders)                              // orders is an io.github.lb4j.core.LoadBalancer
 *         .build();
 * WebClient client = WebClient.builder()
 *         .clientConnector(new ReactorClientHttpConnector(HttpClient.create().responseTimeout(Duration.ofSeconds(2))))
 *         .filter(lb)                                           // the last filter: see below
 *         .build();
 * Mono<Item> item = client.get().uri("http://orders/api/items/7").retrieve().bodyToMono(Item.class);
 * }</pre>
 *
 * <p><b>Routing, hash keys, outcomes, retries, budget</b> are lb-http's {@link HttpBalancer} rules, the same as for
 * every lb4j adapter, and the URL rules (ports, user info, unknown hosts) those of
 * {@link LoadBalancingClientHttpRequestInterceptor}. A {@link io.github.lb4j.core.RequestContext} or
 * {@link io.github.lb4j.http.Idempotency} is read from the request attributes named in
 * {@link LoadBalancingAttributes}.
 *
 * <p><b>Reactive.</b> Nothing blocks: the first attempt starts on the subscribing thread, a retry on the thread
 * that saw the failure (the connector's event loop), a retry after a backoff on a timer thread. Canceling the
 * subscription (a {@code timeout(...)}, a {@code take}, a disposed subscriber) cancels the attempt in flight, which
 * closes its connection, and releases the backend's in-flight slot without charging it.
 *
 * <p><b>Outcomes.</b> The in-flight slot is held until the response body completes, fails, or is canceled or
 * released ({@code retrieve()}, {@code exchangeToMono} and {@code releaseBody()} all end it). A response without a
 * body (HEAD, 1xx, 204, 304, {@code Content-Length: 0}) reports at once.
 *
 * <p><b>Bodies and retries.</b> Each attempt runs the request's {@code BodyInserter} again. Bodies from
 * {@code bodyValue}/{@code BodyInserters.fromValue}, form and multipart data, and a cold publisher are produced
 * anew and can be re-sent. A body from a one-shot publisher (a hot {@code Flux}, an {@code InputStream} turned
 * into buffers) cannot: set the attribute {@link LoadBalancingAttributes#IDEMPOTENCY} to
 * {@code Idempotency.NOT_IDEMPOTENT}, and it is re-sent only when its attempt failed before writing began.
 * Whether the body started is known exactly: the connector invokes the inserter once the connection is made.
 *
 * <p><b>Register it last</b> among the filters: filters added after it run once per attempt (they are the rest of
 * the chain an attempt goes through), filters added before it once per call.
 *
 * <p><b>Host header</b> ({@link Route.Builder#preserveHostHeader}): Reactor Netty sends the one the attempt sets.
 *
 * <p><b>TLS.</b> Certificates are verified by the connector against the backend's address. For backends addressed
 * by IP whose certificate names the service, enable {@link Route.Builder#verifyCertificateAgainstRouteName} and let
 * {@link #configureSslEngine(SSLEngine)} configure each TLS engine of Reactor Netty (with the JDK's TLS
 * provider, Netty's default when netty-tcnative is absent):
 *
 * <pre>{@code
 * SslContext ssl = SslContextBuilder.forClient().trustManager(trustManager).build();
 * HttpClient http = HttpClient.create().secure(spec -> spec.sslContext(ssl)
 *         .handlerConfigurator(handler -> lb.configureSslEngine(handler.engine())));
 * }</pre>
 *
 * <p>Thread-safety: immutable and thread-safe; share one instance between clients if you like (they then share
 * retry budgets).
 */
public final class LoadBalancingExchangeFilterFunction implements ExchangeFilterFunction {

    private final HttpBalancer balancer;
    private final List<Route> verifiedByName;

    private LoadBalancingExchangeFilterFunction(HttpBalancer balancer) {
        this.balancer = balancer;
        this.verifiedByName = LoadBalancingClientHttpRequestInterceptor.verifiedByName(balancer);
    }

    /** @return a builder with no route yet */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
        Route route;
        try {
            route = Targets.route(balancer, request.url());
        } catch (IOException e) {
            return Mono.error(e);
        }
        if (route == null) {
            return next.exchange(request);
        }
        return Mono.<ClientResponse>create(sink -> {
            CompletableFuture<ClientResponse> call = balancer.executeAsync(route,
                    new WebClientExchange(request, next, route));
            sink.onCancel(() -> call.cancel(true));
            call.whenComplete((response, failure) -> {
                if (failure != null) {
                    sink.error(failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure);
                } else {
                    sink.success(response); // after a cancel, Reactor discards it: see doOnDiscard below
                }
            });
        }).doOnDiscard(ClientResponse.class, response -> response.releaseBody().subscribe(null, e -> { }));
    }

    /**
     * For TLS connections to a backend of a route configured with
     * {@link Route.Builder#verifyCertificateAgainstRouteName(boolean)}: requests the route's name as the server
     * name (SNI). The JDK's HTTPS endpoint identification, which Reactor Netty enables, then accepts a certificate
     * valid for that name, and still one valid for the backend's own address; the chain is verified by the trust
     * manager as always. Engines for other addresses are left untouched.
     *
     * @param engine a client engine whose peer host and port are the backend's address (Reactor Netty's)
     * @return the engine
     */
    public SSLEngine configureSslEngine(SSLEngine engine) {
        Objects.requireNonNull(engine, "engine");
        Route route = RouteNameHostnameVerifier.routeOf(verifiedByName, engine.getPeerHost(), engine.getPeerPort());
        if (route != null) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(route.name())));
            if (parameters.getEndpointIdentificationAlgorithm() == null) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            engine.setSSLParameters(parameters);
        }
        return engine;
    }

    @Override
    public String toString() {
        return "LoadBalancingExchangeFilterFunction" + balancer.routeNames();
    }

    /**
     * Configures a {@link LoadBalancingExchangeFilterFunction}. Every setter validates its argument at once and
     * names the bad value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final HttpBalancer.Builder balancer = HttpBalancer.builder();

        Builder() {
        }

        /**
         * Routes requests for {@code name} to {@code loadBalancer} with the {@link Route} defaults.
         *
         * @param name the logical host, a valid host name such as {@code orders}
         * @param loadBalancer the pool
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is not a valid host name or already has a route
         */
        public Builder route(String name, LoadBalancer loadBalancer) {
            balancer.route(name, loadBalancer);
            return this;
        }

        /**
         * @param route a configured route
         * @return this builder
         * @throws IllegalArgumentException if a route with the same name was already added
         */
        public Builder route(Route route) {
            balancer.route(route);
            return this;
        }

        /**
         * @param reject whether a request for a host without a route fails with an {@link UnknownHostException}
         *     instead of passing through; default false
         * @return this builder
         */
        public Builder rejectUnknownHosts(boolean reject) {
            balancer.rejectUnknownHosts(reject);
            return this;
        }

        /**
         * @param ticker the clock of the retry budgets; default {@link Ticker#system()}
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            balancer.ticker(ticker);
            return this;
        }

        /**
         * @param random the source of backoff jitter, thread-safe; default {@link ThreadLocalRandom#current()}
         * @return this builder
         */
        public Builder random(RandomGenerator random) {
            balancer.random(random);
            return this;
        }

        /**
         * @return the filter
         * @throws IllegalStateException if no route was added
         */
        public LoadBalancingExchangeFilterFunction build() {
            return new LoadBalancingExchangeFilterFunction(balancer.build());
        }
    }
}
