package io.github.lb4j.httpclient5;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Ticker;
import io.github.lb4j.http.HttpBalancer;
import io.github.lb4j.http.Route;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;

/**
 * An Apache HttpClient 5 <em>async</em> exec-chain handler: {@link LoadBalancingExec}'s routing, retries, budget and
 * outcomes for {@code CloseableHttpAsyncClient}, without blocking a thread (backoff waits on a timer).
 *
 * <pre>{@code
 * LoadBalancingAsyncExec lb = LoadBalancingAsyncExec.builder()
 *         .route("orders", orders)                           // orders is an io.github.lb4j.core.LoadBalancer
 *         .build();
 * CloseableHttpAsyncClient client = HttpAsyncClients.custom()
 *         .addExecInterceptorFirst("lb4j", lb)
 *         .disableAutomaticRetries()
 *         .disableRedirectHandling()
 *         .build();
 * client.start();
 * Future<SimpleHttpResponse> call = client.execute(
 *         SimpleRequestProducer.create(SimpleRequestBuilder.get("http://orders/api/items/7").build()),
 *         SimpleResponseConsumer.create(), null);
 * }</pre>
 *
 * <p>Everything {@link LoadBalancingExec} documents holds here: routing (the attempt's scope carries an
 * {@link org.apache.hc.client5.http.HttpRoute} to the backend, so the async pool keeps connections per backend),
 * rejection of routed URLs with a port or user info, hash keys and {@link io.github.lb4j.http.Idempotency} from the
 * {@code HttpContext}, TLS names, and HttpClient's own retries and redirects running below this handler (build with
 * {@code disableAutomaticRetries()} where a POST must arrive at most once). A request entity counts as sent once
 * its producer is first asked to produce, and is sent again only if it {@linkplain AsyncEntityProducer#isRepeatable()
 * is repeatable}.
 *
 * <p><b>Outcomes.</b> The backend's in-flight slot is held while the response's data consumer reads the body and
 * freed, with the outcome reported, just before that consumer is told the body ended (so a call made once the
 * application's future completes already sees it), or when the exchange fails; a failure while streaming the body
 * is the backend's.
 *
 * <p><b>Cancellation.</b> Canceling the call's {@code Future} cancels the attempt in flight (its connection lease,
 * connect or exchange) or the backoff, and closes the backend's selection without charging it.
 *
 * <p><b>Each attempt</b> runs on a fork of the call's exec runtime, so a retry never reuses the previous backend's
 * connection and a discarded response is aborted without touching the next attempt. Informational (1xx)
 * responses of an attempt are not passed to the application (the attempt may yet be thrown away).
 *
 * <p>Thread-safety: immutable and thread-safe; one instance may serve several clients (they then share retry
 * budgets).
 */
public final class LoadBalancingAsyncExec implements AsyncExecChainHandler {

    private final Routing routing;

    private LoadBalancingAsyncExec(HttpBalancer balancer) {
        this.routing = new Routing(balancer);
    }

    /** @return a builder with no route yet */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void execute(HttpRequest request, AsyncEntityProducer entityProducer, AsyncExecChain.Scope scope,
                        AsyncExecChain chain, AsyncExecCallback callback) throws HttpException, IOException {
        Route route;
        try {
            route = routing.route(request, scope.route);
        } catch (IOException e) {
            callback.failed(e);
            return;
        }
        if (route == null) {
            chain.proceed(request, entityProducer, scope, callback);
            return;
        }
        CompletableFuture<AsyncAttemptResponse> result = routing.balancer.executeAsync(route,
                new AsyncExchange(request, entityProducer, scope, chain, route));
        if (scope.cancellableDependency != null) {
            scope.cancellableDependency.setDependency(() -> result.cancel(true));
        }
        result.whenComplete((response, thrown) -> {
            if (thrown == null) {
                response.deliverTo(callback);
            } else {
                callback.failed(failure(thrown));
            }
        });
    }

    private static Exception failure(Throwable thrown) {
        Throwable t = thrown;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof Exception) {
            return (Exception) t;
        }
        return new IllegalStateException("the balanced call failed", t); // an Error: callbacks take Exceptions
    }

    @Override
    public String toString() {
        return "LoadBalancingAsyncExec" + routing.balancer.routeNames();
    }

    /**
     * Configures a {@link LoadBalancingAsyncExec}. Every setter validates its argument at once and names the bad
     * value.
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
         * @return the handler
         * @throws IllegalStateException if no route was added
         */
        public LoadBalancingAsyncExec build() {
            return new LoadBalancingAsyncExec(balancer.build());
        }
    }
}
