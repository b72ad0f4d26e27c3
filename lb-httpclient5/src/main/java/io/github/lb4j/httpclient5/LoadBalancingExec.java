package io.github.lb4j.httpclient5;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Ticker;
import io.github.lb4j.http.HttpBalancer;
import io.github.lb4j.http.Idempotency;
import io.github.lb4j.http.Route;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;

/**
 * An Apache HttpClient 5 <em>classic</em> exec-chain handler that sends each request for a logical host
 * ({@code http://orders/...}) to a backend picked by that host's {@link LoadBalancer}, reports every attempt's
 * outcome to the pool, and retries a failed attempt on another backend when that is safe.
 *
 * <pre>{@code
 * LoadBalancingExec lb = LoadBalancingExec.builder()
 *         .route("orders", orders)                           // orders is an io.github.lb4j.core.LoadBalancer
 *         .build();
 * CloseableHttpClient client = HttpClients.custom()
 *         .addExecInterceptorFirst("lb4j", lb)               // first: above redirects, retries and connections
 *         .disableAutomaticRetries()                         // lb4j decides every re-send (see below)
 *         .disableRedirectHandling()
 *         .build();
 * HttpClientContext context = HttpClientContext.create();   // optional: a sticky key for this request
 * context.setAttribute(RequestContext.class.getName(), RequestContext.ofHashKey("user-42"));
 * String body = client.execute(new HttpGet("http://orders/api/items/7"), context,
 *         response -> EntityUtils.toString(response.getEntity()));
 * }</pre>
 *
 * <p><b>Routing.</b> A request whose host names a route is sent, attempt by attempt, to the picked backend: the
 * handler rewrites the request's authority and passes the rest of the chain a scope whose
 * {@link org.apache.hc.client5.http.HttpRoute} targets that backend (proxy and local address kept). HttpClient's
 * connection pool keys connections by route, so each backend gets its own pooled, reused connections. Scheme, path,
 * query, method, headers and entity are kept; the Host header is the backend's address unless the route
 * {@linkplain Route.Builder#preserveHostHeader preserves the logical host}. Hosts match route names
 * case-insensitively and with or without a trailing dot. Requests for other hosts pass down the chain untouched, or
 * fail with an {@link UnknownHostException} when the handler {@linkplain Builder#rejectUnknownHosts rejects
 * unknown hosts}. A URL that names a route and carries an explicit non-default port, or user info, fails with an
 * {@link IOException} saying why.
 *
 * <p><b>Hash keys and idempotency.</b> A {@link RequestContext} in the {@code HttpContext} under the attribute
 * {@code RequestContext.class.getName()} wins (a hash key, or a pin; pinned requests are never retried
 * elsewhere); otherwise the route's hash-key source. An {@link Idempotency} under {@code
 * Idempotency.class.getName()} allows or forbids re-sending a request whatever its method.
 *
 * <p><b>Outcomes.</b> An attempt that throws an {@link IOException}, or whose response the route classifies as a
 * failure (default: 5xx), is reported as a failure; anything else as a success. The backend's in-flight slot is
 * held until the response entity is read to its end or closed, or the response is closed (the response handler
 * variants of {@code execute} do both); a response without an entity reports at once.
 *
 * <p><b>Retries and request entities.</b> The rules are lb-http's and the same for every lb4j adapter (see
 * {@link HttpBalancer} and lb-okhttp's {@code LoadBalancingInterceptor}): a failure that never reached the backend
 * is retried on another backend whatever the method; one that may have is retried only for an idempotent request
 * whose entity is {@linkplain org.apache.hc.core5.http.HttpEntity#isRepeatable() repeatable}. An entity counts as
 * sent once HttpClient starts to write it, so an {@code InputStreamEntity} POST is never sent twice, while a
 * {@code StringEntity} POST to a refused backend is sent to the next one.
 *
 * <p><b>HttpClient's own retries and redirects</b> run below this handler, on the backend of the current attempt.
 * The default {@code DefaultHttpRequestRetryStrategy} re-sends idempotent requests after I/O errors and retries 429
 * and 503 responses on the same backend, after a wait; where a POST must arrive at most once, or lb4j's retry budget
 * should bound every re-send, build the client with {@code disableAutomaticRetries()}. A redirect is followed by
 * HttpClient to the address it names, outside the balancer, and charged to the backend that redirected; use
 * {@code disableRedirectHandling()} and follow redirects in the application where that matters.
 *
 * <p><b>TLS.</b> Certificates are verified by the client's TLS strategy, as for any call, against the backend's
 * address. For a route with {@link Route.Builder#verifyCertificateAgainstRouteName}, the attempt's route carries
 * the route's name as the TLS target name: the handshake sends it as SNI and the certificate must be valid for it
 * (a certificate valid only for the backend's address is then refused). Nothing else is needed on the client.
 *
 * <p>Thread-safety: immutable and thread-safe; one instance may serve several clients (they then share retry
 * budgets).
 */
public final class LoadBalancingExec implements ExecChainHandler {

    private final Routing routing;

    private LoadBalancingExec(HttpBalancer balancer) {
        this.routing = new Routing(balancer);
    }

    /** @return a builder with no route yet */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        Route route = routing.route(request, scope.route);
        if (route == null) {
            return chain.proceed(request, scope);
        }
        return routing.balancer.execute(route, new ClassicExchange(request, scope, chain, route));
    }

    @Override
    public String toString() {
        return "LoadBalancingExec" + routing.balancer.routeNames();
    }

    /**
     * Configures a {@link LoadBalancingExec}. Every setter validates its argument at once and names the bad value.
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
        public LoadBalancingExec build() {
            return new LoadBalancingExec(balancer.build());
        }
    }
}
