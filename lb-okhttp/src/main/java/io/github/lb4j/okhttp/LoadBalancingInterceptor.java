package io.github.lb4j.okhttp;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Ticker;
import io.github.lb4j.http.HttpBalancer;
import io.github.lb4j.http.Route;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import javax.net.ssl.HostnameVerifier;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * An OkHttp <em>application</em> interceptor that sends each request for a logical host ({@code http://orders/...})
 * to a backend picked by that host's {@link LoadBalancer}, reports every attempt's outcome to the pool, and retries a
 * failed attempt on another backend when that is safe.
 *
 * <pre>{@code
 * LoadBalancingInterceptor lb = LoadBalancingInterceptor.builder()
 *         .route("orders", orders)                          // orders is an io.github.lb4j.core.LoadBalancer
 *         .build();
 * OkHttpClient client = new OkHttpClient.Builder()
 *         .addInterceptor(lb)                               // addInterceptor, not addNetworkInterceptor
 *         .callTimeout(Duration.ofSeconds(5))               // spans every attempt, backoff included
 *         .build();
 * try (Response response = client.newCall(new Request.Builder()
 *         .url("http://orders/api/items/7")
 *         .tag(RequestContext.class, RequestContext.ofHashKey("user-42"))   // optional: a sticky key
 *         .build()).execute()) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Routing.</b> A request whose URL host names a route is rewritten to the picked backend's host and port;
 * scheme, path, query, method, headers, body and tags are kept. Hosts match route names case-insensitively and with
 * or without a trailing dot ({@code http://orders./} is the absolute form of {@code http://orders/}). The Host header is the backend's address unless the
 * route {@linkplain io.github.lb4j.http.Route.Builder#preserveHostHeader preserves the logical host}. Requests for other hosts pass
 * through untouched, or fail with an {@link UnknownHostException} when the interceptor
 * {@linkplain Builder#rejectUnknownHosts rejects unknown hosts}. A URL that names a route and carries an explicit
 * non-default port fails with an {@link IOException}: the port would be silently replaced otherwise.
 *
 * <p><b>Hash keys.</b> A {@link RequestContext} tag on the request wins (a hash key, or
 * {@link RequestContext#ofPinned(String)} to pin one backend; pinned requests are never retried elsewhere); otherwise
 * the route's hash-key source (header, cookie, query parameter or function), if any.
 *
 * <p><b>Outcomes.</b> An attempt that throws an {@link IOException}, or whose response the route classifies as a
 * failure (default: 5xx), is reported as a failure; anything else as a success. The backend's in-flight slot is
 * held until the response body is closed or read to its end, so strategies that count in-flight calls see
 * streaming responses; closing twice is harmless. Like OkHttp, this requires closing every response.
 *
 * <p><b>Retries.</b> A failed attempt is retried on a backend not tried yet (while one is available) when all of
 * these hold: attempts remain ({@link io.github.lb4j.http.Route.Builder#maxAttempts}, default 2); the call was not canceled; the route's
 * retry budget has room; and either the request never reached the backend (connection refused, connect timeout,
 * unknown host, TLS handshake failure: any method) or it may have and the request is idempotent — by method (GET,
 * HEAD, OPTIONS, PUT, DELETE, TRACE) or by an {@link io.github.lb4j.http.Idempotency} tag — and its body is not a one-shot body that was
 * already written. A backend that OkHttp cannot address at all (a host it cannot put in a URL) counts as that
 * backend's failure and is retried like a refused connection. Statuses are retried only if listed in {@link io.github.lb4j.http.Route.Builder#retryOnStatus} (default 502, 503,
 * 504), and a failed response is closed before the next attempt. When the last attempt fails with an exception, that
 * exception is thrown with the earlier failures attached as {@linkplain Throwable#getSuppressed() suppressed}; when
 * it fails with a status, that response is returned as is. A pool with nothing to pick fails the call with a
 * {@link io.github.lb4j.http.NoBackendAvailableIOException}.
 *
 * <p><b>Per-try timeouts and hedging.</b> A route with {@link Route.Builder#perTryTimeout} or
 * {@link Route.Builder#hedging} needs {@link Builder#attemptClient(OkHttpClient)}: its attempts are calls of their
 * own on that client, so that one can be aborted (timed out, or lost to a hedge) without canceling the application's
 * call. The rules are lb-http's ({@link io.github.lb4j.http.Hedging}); routes without either keep using the chain.
 *
 * <p><b>TLS.</b> Certificates are verified by the client as for any call, against the backend's address. For
 * backends addressed by IP whose certificates name the service, enable
 * {@link io.github.lb4j.http.Route.Builder#verifyCertificateAgainstRouteName} and install {@link #hostnameVerifier(HostnameVerifier)}.
 *
 * <p><b>Redirects.</b> OkHttp follows redirects after application interceptors have run, so a redirect is followed
 * to the address it names, outside the balancer: a follow-up to {@code http://billing/} goes to DNS, not to the
 * {@code billing} pool, and its outcome is charged to the backend that redirected. Build clients that use this
 * interceptor with {@code followRedirects(false)} and follow redirects in the application where needed.
 *
 * <p><b>OkHttp's own retries.</b> With {@code retryOnConnectionFailure(true)}, OkHttp's default, OkHttp resends a
 * request whose pooled connection turns out dead, below every application interceptor and to the same backend, even
 * when the server had already read it. Where a POST must arrive at most once, build the client with
 * {@code retryOnConnectionFailure(false)}: this interceptor then decides every retry by the rules above.
 *
 * <p><b>OkHttp version.</b> OkHttp 5.x ({@code okhttp-jvm}) or 4.12 ({@code okhttp}), declared by the application:
 * lb-okhttp's own dependency on it is optional, so it never adds a second copy. {@link Builder#build()} fails with
 * an {@link IllegalStateException} naming the version found when it is another (Retrofit 2.x alone brings 3.14.9).
 *
 * <p>The policy (routes, retries, budget, backoff, outcomes) is lb-http's {@link HttpBalancer}, shared with every
 * other lb4j adapter; this class only reads OkHttp's requests, rewrites URLs and reports when response bodies close.
 *
 * <p>Thread-safety: immutable and thread-safe; share one instance between clients if you like (they then share
 * retry budgets).
 */
public final class LoadBalancingInterceptor implements Interceptor {

    private final HttpBalancer balancer;
    /** URL templates per route name; the map is fixed at build, the templates inside fill as backends appear. */
    private final Map<String, UrlTemplates> templates;
    /** Sends the attempts of routes with a per-try timeout or hedging; null if none has. */
    private final OkHttpClient attemptClient;

    private LoadBalancingInterceptor(HttpBalancer balancer, OkHttpClient attemptClient) {
        this.balancer = balancer;
        boolean verifiesRouteNames = balancer.routes().stream().anyMatch(Route::verifyCertificateAgainstRouteName);
        // Attempts on the attempt client verify certificates as the application's client would with
        // hostnameVerifier(...) installed; newBuilder() keeps its connection pool and dispatcher.
        this.attemptClient = attemptClient == null || !verifiesRouteNames ? attemptClient
                : attemptClient.newBuilder().hostnameVerifier(hostnameVerifier(attemptClient.hostnameVerifier()))
                        .build();
        Map<String, UrlTemplates> map = new HashMap<>();
        for (String name : balancer.routeNames()) {
            map.put(name, new UrlTemplates());
        }
        this.templates = Collections.unmodifiableMap(map);
    }

    /** @return a builder with no route yet */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Wraps the client's hostname verifier so that routes configured with
     * {@link Route.Builder#verifyCertificateAgainstRouteName(boolean)} accept a backend certificate valid for the
     * route's name. A certificate the delegate accepts for the backend's own address is accepted too; the delegate
     * does all the checking, this only adds the route name as a second acceptable name for that route's backends.
     *
     * <pre>{@code
     * OkHttpClient base = new OkHttpClient.Builder().sslSocketFactory(factory, trustManager).build();
     * OkHttpClient client = base.newBuilder()
     *         .addInterceptor(lb)
     *         .hostnameVerifier(lb.hostnameVerifier(base.hostnameVerifier()))
     *         .build();
     * }</pre>
     *
     * @param delegate the verifier that checks names, normally the client's default ({@code client.hostnameVerifier()})
     * @return the wrapping verifier, thread-safe
     */
    public HostnameVerifier hostnameVerifier(HostnameVerifier delegate) {
        Objects.requireNonNull(delegate, "delegate");
        List<Route> verified = new ArrayList<>();
        for (Route route : balancer.routes()) {
            if (route.verifyCertificateAgainstRouteName()) {
                verified.add(route);
            }
        }
        return new RouteNameHostnameVerifier(delegate, verified);
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        HttpUrl url = request.url();
        Route route = balancer.route(url.host());
        if (route == null) {
            if (balancer.rejectsUnknownHosts()) {
                throw balancer.unknownHost(url.host());
            }
            return chain.proceed(request);
        }
        if (url.port() != HttpUrl.defaultPort(url.scheme())) {
            throw balancer.explicitPort(route, url.port());
        }
        OkHttpClient attempts = route.perTryTimeout() != null || route.hedging() != null ? attemptClient : null;
        return balancer.execute(route, new OkHttpExchange(chain, request, route, templates.get(route.name()),
                attempts));
    }

    @Override
    public String toString() {
        return "LoadBalancingInterceptor" + balancer.routeNames();
    }

    /**
     * Configures a {@link LoadBalancingInterceptor}. Every setter validates its argument at once and names the bad
     * value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final HttpBalancer.Builder balancer = HttpBalancer.builder();
        private final List<String> racing = new ArrayList<>();
        private OkHttpClient attemptClient;

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
            if (route.perTryTimeout() != null || route.hedging() != null) {
                racing.add(route.name());
            }
            return this;
        }

        /**
         * The client that sends the attempts of routes with a {@linkplain Route.Builder#perTryTimeout per-try
         * timeout} or {@linkplain Route.Builder#hedging hedging}, required when a route has either: the application's
         * client <em>without</em> this interceptor. OkHttp's interceptor chain runs one exchange at a time, and
         * aborting an attempt through it would cancel the application's whole call, so each such attempt is a call
         * of its own on this client, canceled alone when its per-try timeout expires or another attempt wins. Build
         * the application's client from it, so that both share the connection pool and dispatcher:
         *
         * <pre>{@code
         * OkHttpClient base = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(2)).build();
         * LoadBalancingInterceptor lb = LoadBalancingInterceptor.builder()
         *         .route(Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(200))
         *                 .hedging(Hedging.after(Duration.ofMillis(50))).build())
         *         .attemptClient(base)
         *         .build();
         * OkHttpClient client = base.newBuilder().addInterceptor(lb).callTimeout(Duration.ofSeconds(5)).build();
         * }</pre>
         *
         * Such attempts run on lb-http's attempt threads while the calling thread waits for the winner; they go
         * through the attempt client's network interceptors but not through the application interceptors of the
         * outer call (those ran once, around this one). The attempt client's own call timeout, if any, bounds each
         * attempt; the outer client's bounds the whole call.
         *
         * @param client the client to send racing attempts with
         * @return this builder
         */
        public Builder attemptClient(OkHttpClient client) {
            Objects.requireNonNull(client, "client");
            for (Interceptor i : client.interceptors()) {
                if (i instanceof LoadBalancingInterceptor) {
                    throw new IllegalArgumentException("attemptClient must not contain a LoadBalancingInterceptor "
                            + "(it sends to backends directly), got " + client.interceptors());
                }
            }
            this.attemptClient = client;
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
         * @return the interceptor
         * @throws IllegalStateException if no route was added, if a route has a per-try timeout or hedging and no
         *     {@link #attemptClient} was given, or if the OkHttp on the class path is not 4.12 or 5.x (the message
         *     names the version found)
         */
        public LoadBalancingInterceptor build() {
            OkHttpVersion.check();
            if (!racing.isEmpty() && attemptClient == null) {
                throw new IllegalStateException("routes " + racing + " have a per-try timeout or hedging: give "
                        + "the interceptor the client to send their attempts with, attemptClient(OkHttpClient)");
            }
            return new LoadBalancingInterceptor(balancer.build(), attemptClient);
        }
    }
}
