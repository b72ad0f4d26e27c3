package io.github.lb4j.okhttp;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.NoBackendAvailableException;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Ticker;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * route {@linkplain Route.Builder#preserveHostHeader preserves the logical host}. Requests for other hosts pass
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
 * these hold: attempts remain ({@link Route.Builder#maxAttempts}, default 2); the call was not canceled; the route's
 * retry budget has room; and either the request never reached the backend (connection refused, connect timeout,
 * unknown host, TLS handshake failure: any method) or it may have and the request is idempotent — by method (GET,
 * HEAD, OPTIONS, PUT, DELETE, TRACE) or by an {@link Idempotency} tag — and its body is not a one-shot body that was
 * already written. Statuses are retried only if listed in {@link Route.Builder#retryOnStatus} (default 502, 503,
 * 504), and a failed response is closed before the next attempt. When the last attempt fails with an exception, that
 * exception is thrown with the earlier failures attached as {@linkplain Throwable#getSuppressed() suppressed}; when
 * it fails with a status, that response is returned as is. A pool with nothing to pick fails the call with a
 * {@link NoBackendAvailableIOException}.
 *
 * <p><b>TLS.</b> Certificates are verified by the client as for any call, against the backend's address. For
 * backends addressed by IP whose certificates name the service, enable
 * {@link Route.Builder#verifyCertificateAgainstRouteName} and install {@link #hostnameVerifier(HostnameVerifier)}.
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
 * <p>Thread-safety: immutable and thread-safe; share one instance between clients if you like (they then share
 * retry budgets).
 */
public final class LoadBalancingInterceptor implements Interceptor {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancingInterceptor.class);

    /** How often a retry backoff checks whether its call was canceled or timed out. */
    private static final long CANCEL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Map<String, RouteState> routes;
    private final boolean rejectUnknownHosts;
    private final RandomGenerator random;

    private LoadBalancingInterceptor(Builder b) {
        Map<String, RouteState> map = new HashMap<>();
        for (Route route : b.routes.values()) {
            map.put(route.name, new RouteState(route,
                    new RetryBudget(b.ticker, route.retryRatio, route.minRetriesPerSecond)));
        }
        this.routes = Collections.unmodifiableMap(map);
        this.rejectUnknownHosts = b.rejectUnknownHosts;
        this.random = b.random;
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
        for (RouteState state : routes.values()) {
            if (state.route.verifyCertificateAgainstRouteName) {
                verified.add(state.route);
            }
        }
        return new RouteNameHostnameVerifier(delegate, verified);
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        HttpUrl url = request.url();
        RouteState state = route(url.host());
        if (state == null) {
            if (rejectUnknownHosts) {
                throw new UnknownHostException("no load-balancing route for host '" + url.host()
                        + "' and unknown hosts are rejected; routes: " + routes.keySet());
            }
            return chain.proceed(request);
        }
        if (url.port() != HttpUrl.defaultPort(url.scheme())) {
            throw new IOException("the URL names route '" + state.route.name + "' with port " + url.port()
                    + "; a route's backends bring their own ports, so drop the port from the URL");
        }
        return balance(chain, request, state);
    }

    /**
     * The route a URL host names. {@code orders.} is the absolute form of the DNS name {@code orders} (OkHttp keeps
     * the trailing dot, and IDN mapping turns {@code orders%E3%80%82} into it too), so it names the same route;
     * without this it would bypass the pool and go to DNS.
     */
    private RouteState route(String host) {
        RouteState state = routes.get(host);
        if (state == null && host.length() > 1 && host.charAt(host.length() - 1) == '.') {
            state = routes.get(host.substring(0, host.length() - 1));
        }
        return state;
    }

    private Response balance(Chain chain, Request request, RouteState state) throws IOException {
        Route route = state.route;
        Call call = chain.call();
        RequestContext base = context(request, route);
        state.budget.deposit();
        int maxAttempts = base.pinnedBackendId() != null ? 1 : route.maxAttempts;
        Selection selection = select(route, base);
        RequestBody body = request.body();
        List<String> tried = null;
        List<Exception> earlier = null;
        for (int attempt = 1; ; attempt++) {
            Backend backend = selection.backend();
            TrackingRequestBody tracking = body == null ? null : new TrackingRequestBody(body);
            Request rewritten;
            try {
                rewritten = rewrite(request, backend, state, tracking);
            } catch (IllegalArgumentException e) {
                selection.close();
                throw withSuppressed(new IOException("route '" + route.name + "': backend " + backend.id()
                        + " has a host OkHttp cannot put in a URL", e), earlier);
            }
            Response response;
            try {
                response = chain.proceed(rewritten);
            } catch (IOException e) {
                selection.failure(e);
                boolean sent = tracking != null ? tracking.writeStarted() : !neverSent(e);
                if (attempt >= maxAttempts || call.isCanceled() || !mayResend(request, sent)) {
                    throw withSuppressed(e, earlier);
                }
                earlier = add(earlier, e);
                tried = add(tried, backend.id());
                Selection next = nextSelection(state, base, tried, earlier);
                if (next == null) {
                    throw withSuppressed(e, earlier); // skips e itself
                }
                log.debug("route '{}': attempt {} of {} on {} failed ({}); retrying on {}", route.name, attempt,
                        maxAttempts, backend.id(), e.getClass().getSimpleName(), next.backend().id());
                selection = backoff(call, route, attempt, next, earlier);
                continue;
            } catch (RuntimeException | Error e) {
                selection.failure(e);
                throw e;
            }

            int code = response.code();
            boolean failed;
            try {
                failed = route.failure.test(response);
            } catch (RuntimeException e) {
                response.close();
                selection.failure(e);
                throw e;
            }
            StatusFailure failure = failed ? new StatusFailure(code, backend.id()) : null;
            if (route.retryStatuses.get(code) && attempt < maxAttempts && !call.isCanceled()
                    && mayResend(request, true)) {
                tried = add(tried, backend.id());
                Selection next = nextSelection(state, base, tried, null);
                if (next != null) {
                    response.close();
                    if (failure != null) {
                        selection.failure(failure);
                    } else {
                        selection.success();
                    }
                    earlier = add(earlier, failure != null ? failure : new StatusFailure(code, backend.id()));
                    log.debug("route '{}': attempt {} of {} on {} returned {}; retrying on {}", route.name, attempt,
                            maxAttempts, backend.id(), code, next.backend().id());
                    selection = backoff(call, route, attempt, next, earlier);
                    continue;
                }
            }
            return reportOnClose(response, selection, failure);
        }
    }

    private static RequestContext context(Request request, Route route) {
        RequestContext tagged = request.tag(RequestContext.class);
        if (tagged != null) {
            return tagged;
        }
        if (route.hashKey != null) {
            String key = route.hashKey.apply(request);
            if (key != null) {
                return RequestContext.ofHashKey(key);
            }
        }
        return RequestContext.empty();
    }

    private static Selection select(Route route, RequestContext context) throws IOException {
        try {
            return route.pool.select(context);
        } catch (NoBackendAvailableException e) {
            throw new NoBackendAvailableIOException(e);
        } catch (IllegalStateException e) {
            // The pool was closed: fail the call the OkHttp way, so that enqueue() reports it to onFailure.
            throw new IOException("route '" + route.name + "': " + e.getMessage(), e);
        }
    }

    /**
     * Spends one unit of retry budget and picks a backend not tried yet; null (and nothing spent from the pool)
     * when the budget is spent or nothing can be picked.
     */
    private static Selection nextSelection(RouteState state, RequestContext base, List<String> tried,
                                           List<Exception> earlier) {
        Route route = state.route;
        if (!state.budget.tryWithdraw()) {
            log.debug("route '{}': retry budget spent; returning the failure to the caller", route.name);
            return null;
        }
        try {
            return route.pool.select(base.excluding(tried));
        } catch (NoBackendAvailableException e) {
            if (earlier != null) {
                earlier.add(new NoBackendAvailableIOException(e));
            }
            return null;
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /** Waits before the next attempt; on cancel or timeout releases {@code next} and fails the call. */
    private Selection backoff(Call call, Route route, int retry, Selection next, List<Exception> earlier)
            throws IOException {
        long delay = backoffNanos(route, retry, random);
        if (delay > 0) {
            try {
                sleep(call, delay);
            } catch (IOException e) {
                next.close();
                throw withSuppressed(e, earlier);
            }
        }
        if (call.isCanceled()) {
            next.close();
            throw withSuppressed(new IOException("Canceled"), earlier);
        }
        return next;
    }

    /** Full jitter: uniform in [0, min(max, initial * 2^(retry-1))]. */
    static long backoffNanos(Route route, int retry, RandomGenerator random) {
        long cap = route.backoffInitialNanos;
        for (int i = 1; i < retry && cap < route.backoffMaxNanos; i++) {
            cap *= 2; // initial <= 1 minute and at most 9 doublings: no overflow
        }
        cap = Math.min(cap, route.backoffMaxNanos);
        return cap <= 0 ? 0 : random.nextLong(cap + 1);
    }

    private static void sleep(Call call, long nanos) throws IOException {
        long deadline = System.nanoTime() + nanos;
        while (true) {
            if (call.isCanceled()) {
                throw new IOException("Canceled");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            long slice = Math.min(left, CANCEL_POLL_NANOS);
            try {
                TimeUnit.NANOSECONDS.sleep(slice);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted during retry backoff");
            }
        }
    }

    private static Request rewrite(Request request, Backend backend, RouteState state, TrackingRequestBody body) {
        Route route = state.route;
        HttpUrl url = request.url();
        Request.Builder b = request.newBuilder().url(rewriteUrl(url, state.template(backend, url.isHttps())));
        if (route.preserveHostHeader && request.header("Host") == null) {
            b.header("Host", url.host()); // the URL has the scheme's default port (checked), so no ":port"
        }
        if (body != null) {
            b.method(request.method(), body);
        }
        return b.build();
    }

    /**
     * {@code url} with the scheme, host and port of {@code template}. Equivalent to
     * {@code url.newBuilder().host(h).port(p).build()}, but the host was canonicalized once, when the template was
     * built: canonicalizing a host (IDN mapping) is most of the cost of a rewrite.
     */
    static HttpUrl rewriteUrl(HttpUrl url, HttpUrl template) {
        HttpUrl.Builder b = template.newBuilder().encodedPath(url.encodedPath());
        String query = url.encodedQuery();
        if (query != null) {
            b.encodedQuery(query);
        }
        String user = url.encodedUsername();
        if (!user.isEmpty()) {
            b.encodedUsername(user);
        }
        String password = url.encodedPassword();
        if (!password.isEmpty()) {
            b.encodedPassword(password);
        }
        String fragment = url.encodedFragment();
        if (fragment != null) {
            b.encodedFragment(fragment);
        }
        return b.build();
    }

    /**
     * Whether the request may be sent again. {@code sent}: whether it may have reached the backend.
     */
    private static boolean mayResend(Request request, boolean sent) {
        if (!sent) {
            return true;
        }
        RequestBody body = request.body();
        if (body != null && (body.isOneShot() || body.isDuplex())) {
            return false;
        }
        Idempotency idempotency = request.tag(Idempotency.class);
        if (idempotency != null) {
            return idempotency == Idempotency.IDEMPOTENT;
        }
        switch (request.method()) {
            case "GET":
            case "HEAD":
            case "OPTIONS":
            case "PUT":
            case "DELETE":
            case "TRACE":
                return true;
            default:
                return false;
        }
    }

    /**
     * For a request without a body (nothing tells whether it was written), the failures that certainly happened
     * before a byte of it was sent. A connect timeout is not among them: OkHttp reports it as a plain
     * {@link java.net.SocketTimeoutException}, like a read timeout.
     */
    private static boolean neverSent(IOException e) {
        return e instanceof ConnectException || e instanceof NoRouteToHostException
                || e instanceof UnknownHostException || e instanceof SSLHandshakeException
                || e instanceof SSLPeerUnverifiedException;
    }

    private static Response reportOnClose(Response response, Selection selection, Throwable failure) {
        ResponseBody body = response.body();
        if (body == null || !promisesBody(response, body)) {
            // OkHttp released the connection already; nothing to wait for.
            if (failure == null) {
                selection.success();
            } else {
                selection.failure(failure);
            }
            return response;
        }
        return response.newBuilder().body(new ReportingResponseBody(body, selection, failure)).build();
    }

    private static boolean promisesBody(Response response, ResponseBody body) {
        int code = response.code();
        if ("HEAD".equals(response.request().method()) || code < 200 || code == 204 || code == 304) {
            return false;
        }
        return body.contentLength() != 0L;
    }

    private static <T extends Throwable> T withSuppressed(T thrown, List<Exception> earlier) {
        if (earlier != null) {
            for (Exception e : earlier) {
                if (e != thrown) {
                    thrown.addSuppressed(e);
                }
            }
        }
        return thrown;
    }

    private static <T> List<T> add(List<T> list, T item) {
        List<T> out = list == null ? new ArrayList<>(2) : list;
        out.add(item);
        return out;
    }

    @Override
    public String toString() {
        return "LoadBalancingInterceptor" + routes.keySet();
    }

    /** A route, the retry budget this interceptor keeps for it, and URL templates of its backends. */
    static final class RouteState {
        /** Bound of the template cache: far above any pool, low enough that churn cannot grow it without limit. */
        private static final int MAX_TEMPLATES = 4096;

        final Route route;
        final RetryBudget budget;
        /** Keyed by backend id (its String hash is cached, unlike Backend's); checked against host and port. */
        private final ConcurrentHashMap<String, Templates> templates = new ConcurrentHashMap<>();

        RouteState(Route route, RetryBudget budget) {
            this.route = route;
            this.budget = budget;
        }

        /** @throws IllegalArgumentException if OkHttp does not accept the backend's host */
        HttpUrl template(Backend backend, boolean https) {
            Templates t = templates.get(backend.id());
            if (t == null || !t.isFor(backend)) {
                if (templates.size() >= MAX_TEMPLATES) {
                    templates.clear();
                }
                t = new Templates(backend);
                templates.put(backend.id(), t);
            }
            return https ? t.https : t.http;
        }
    }

    /** {@code http://host:port/} and {@code https://host:port/} of one backend, hosts canonicalized once. */
    private static final class Templates {
        final Backend backend;
        final HttpUrl http;
        final HttpUrl https;

        Templates(Backend backend) {
            this.backend = backend;
            // Both built from scratch: newBuilder() forgets an explicit port equal to the scheme's default.
            this.http = new HttpUrl.Builder().scheme("http").host(backend.host()).port(backend.port()).build();
            this.https = new HttpUrl.Builder().scheme("https").host(backend.host()).port(backend.port()).build();
        }

        boolean isFor(Backend b) {
            // Identity first: a pool hands out the same Backend instance until its membership changes.
            return b == backend || b.port() == backend.port() && b.host().equals(backend.host());
        }
    }

    /**
     * Configures a {@link LoadBalancingInterceptor}. Every setter validates its argument at once and names the bad
     * value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final LinkedHashMap<String, Route> routes = new LinkedHashMap<>();
        private boolean rejectUnknownHosts;
        private Ticker ticker = Ticker.system();
        private RandomGenerator random = ThreadLocalRandom.current();

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
            return route(Route.builder(name, loadBalancer).build());
        }

        /**
         * @param route a configured route
         * @return this builder
         * @throws IllegalArgumentException if a route with the same name was already added
         */
        public Builder route(Route route) {
            Objects.requireNonNull(route, "route");
            if (routes.containsKey(route.name)) {
                throw new IllegalArgumentException("route '" + route.name + "' is already configured (to pool '"
                        + routes.get(route.name).pool.name() + "')");
            }
            routes.put(route.name, route);
            return this;
        }

        /**
         * @param reject whether a request for a host without a route fails with an {@link UnknownHostException}
         *     instead of passing through; default false
         * @return this builder
         */
        public Builder rejectUnknownHosts(boolean reject) {
            this.rejectUnknownHosts = reject;
            return this;
        }

        /**
         * @param ticker the clock of the retry budgets; default {@link Ticker#system()}
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @param random the source of backoff jitter, thread-safe; default {@link ThreadLocalRandom#current()}
         * @return this builder
         */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * @return the interceptor
         * @throws IllegalStateException if no route was added
         */
        public LoadBalancingInterceptor build() {
            if (routes.isEmpty()) {
                throw new IllegalStateException("no route configured; add one with route(name, loadBalancer)");
            }
            return new LoadBalancingInterceptor(this);
        }
    }

    /** The failure reported for a response classified as failed; cheap (no stack trace). */
    static final class StatusFailure extends IOException {
        private static final long serialVersionUID = 1L;

        StatusFailure(int code, String backendId) {
            super("HTTP " + code + " from " + backendId);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
