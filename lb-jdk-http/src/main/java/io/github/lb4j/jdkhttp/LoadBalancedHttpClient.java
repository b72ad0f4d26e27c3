package io.github.lb4j.jdkhttp;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Ticker;
import io.github.lb4j.http.HttpBalancer;
import io.github.lb4j.http.Route;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A {@link HttpClient} that sends each request for a logical host ({@code http://orders/...}) to a backend picked by
 * that host's {@link LoadBalancer}, reports every attempt's outcome to the pool, and retries a failed attempt on
 * another backend when that is safe. Everything else goes to the client it wraps.
 *
 * <pre>{@code
 * HttpClient client = LoadBalancedHttpClient.builder(HttpClient.newHttpClient())
 *         .route("orders", orders)                                   // an io.github.lb4j.core.LoadBalancer
 *         .route(Route.builder("billing", billing).maxAttempts(3).build())
 *         .build();
 * HttpResponse<String> response = client.send(
 *         HttpRequest.newBuilder(URI.create("http://orders/api/items/7")).timeout(Duration.ofSeconds(2)).build(),
 *         HttpResponse.BodyHandlers.ofString());
 * }</pre>
 *
 * <p><b>Routing.</b> {@code send} and both {@code sendAsync} of a request whose URI host names a route go to the
 * picked backend: the URI gets the backend's host and port; scheme, path, query, method, headers, body, timeout,
 * version and expect-continue are kept. Hosts match route names case-insensitively and with or without a trailing
 * dot. The response's {@link HttpResponse#uri()} and {@link HttpResponse#request()} name the backend it came from.
 * Requests for other hosts, {@link #newWebSocketBuilder()} (a WebSocket is not balanced) and the settings getters go
 * to the wrapped client, unless unknown hosts are {@linkplain Builder#rejectUnknownHosts rejected}. A routed URI
 * with an explicit non-default port or with user info fails with an {@link IOException} saying why (the port would
 * be silently replaced; the JDK client never sends user info).
 *
 * <p><b>Timeouts.</b> {@link HttpRequest#timeout()} bounds each attempt, not the call: a call that is retried may
 * take up to {@link Route#maxAttempts()} times as long, plus backoff.
 *
 * <p><b>Outcomes.</b> An attempt that fails with an {@link IOException}, or whose response the route classifies as
 * a failure (default: 5xx), is reported as a failure; anything else as a success. The backend's in-flight slot is
 * held until the response body is finished: for {@code ofString}, {@code ofByteArray}, {@code ofFile},
 * {@code discarding} and the like, when the last byte arrived; for {@code ofInputStream}, when the application
 * reads the stream to its end or closes it; for {@code ofLines}, when the stream is consumed to its end or closed;
 * for {@code ofPublisher}, when the publisher completes or the application's subscriber cancels. As with the plain
 * client, close every stream you are handed, or its connection and the backend's slot stay taken.
 *
 * <p><b>Retries.</b> A failed attempt is retried on a backend not tried yet by lb-http's rules (the same as
 * lb-okhttp's): attempts remain, the retry budget has room, and either the request never reached the backend
 * (connection refused, TLS handshake failure: any method) or it is idempotent and its body may be sent again. A
 * request body may be sent again when it was never started (the JDK client asks for the body only once the
 * connection is open and the headers are written) or is <em>replayable</em>: {@code ofString},
 * {@code ofByteArray}, {@code ofFile} and {@code noBody} are; {@code ofInputStream}, {@code fromPublisher},
 * {@code ofByteArrays} and {@code concat} are not, unless the application declares one so with
 * {@link #replayable(BodyPublisher)}. Statuses listed in {@link Route.Builder#retryOnStatus} are retried the same
 * way, the response discarded first. An interrupted {@code send} is not retried and throws
 * {@link InterruptedException}; canceling a {@code sendAsync} future cancels the attempt in flight and releases
 * the backend's slot without charging it.
 *
 * <p><b>TLS.</b> Certificates are verified by the JDK as for any call, against the backend's address. For a route
 * with {@link Route.Builder#verifyCertificateAgainstRouteName}, they are verified against the route's name
 * instead, still with the wrapped client's trust material and the JDK's full chain and endpoint checks: the JDK
 * client takes no hostname verifier, so such a route's HTTPS requests go through a second JDK client, built at
 * {@link Builder#build()} with the wrapped client's settings, whose {@link SSLContext} opens TLS engines to that
 * route's backends with the route name as the peer host. That client cannot copy what {@link HttpClient} has no
 * getter for ({@code priority}, {@code localAddress}), and has its own connection pool.
 *
 * <p><b>Host header.</b> The JDK client sets {@code Host} from the URI (the backend) and refuses it as a request
 * header unless the JVM runs with {@code -Djdk.httpclient.allowRestrictedHeaders=host}. A route that
 * {@linkplain Route.Builder#preserveHostHeader preserves the logical host} therefore needs that property:
 * {@link Builder#build()} fails naming it otherwise.
 *
 * <p><b>Redirects.</b> The wrapped client follows redirects itself, below the balancer: a follow-up goes to the
 * address it names, not through a pool. Wrap a client built with {@code followRedirects(NEVER)} (the default of
 * {@code newHttpClient()}) unless that is what you want.
 *
 * <p><b>Lifecycle.</b> On Java 21 and newer, {@code shutdown}, {@code shutdownNow}, {@code awaitTermination},
 * {@code isTerminated} and {@code close} act on the wrapped client and on the route-name clients; on older Java the
 * JDK client has no such methods, so {@code close} and the shutdowns do nothing there, and {@code awaitTermination}
 * and {@code isTerminated} throw {@link UnsupportedOperationException}.
 *
 * <p>The policy (routes, retries, budget, backoff, outcomes) is lb-http's {@link HttpBalancer}, shared with every
 * lb4j adapter; this class only reads JDK requests, rewrites URIs and reports when response bodies end.
 *
 * <p>Thread-safety: immutable and thread-safe, like the JDK client; the retry budgets are shared by all its calls.
 */
public final class LoadBalancedHttpClient extends HttpClient implements AutoCloseable {

    private static final String RESTRICTED_HEADERS_PROPERTY = "jdk.httpclient.allowRestrictedHeaders";

    private final HttpClient delegate;
    private final HttpBalancer balancer;
    /** HTTPS clients of routes that verify certificates against their name, by route name. */
    private final Map<String, HttpClient> routeNameClients;

    private LoadBalancedHttpClient(HttpClient delegate, HttpBalancer balancer) {
        this.delegate = delegate;
        this.balancer = balancer;
        Map<String, HttpClient> clients = new HashMap<>();
        for (Route route : balancer.routes()) {
            if (route.verifyCertificateAgainstRouteName()) {
                clients.put(route.name(), routeNameClient(delegate, route));
            }
        }
        this.routeNameClients = Collections.unmodifiableMap(clients);
    }

    /**
     * @param delegate the client that sends every request, balanced or not; its settings stay as they are
     * @return a builder with no route yet
     */
    public static Builder builder(HttpClient delegate) {
        Objects.requireNonNull(delegate, "delegate");
        if (delegate instanceof LoadBalancedHttpClient) {
            throw new IllegalArgumentException("delegate is already a LoadBalancedHttpClient ("
                    + delegate + "); add the routes to one builder instead");
        }
        return new Builder(delegate);
    }

    /**
     * Declares that {@code publisher} produces the same bytes each time it is subscribed to, so that a request
     * with it may be sent again on another backend (when its method allows). Use it for a publisher the JDK cannot
     * know is replayable, such as {@code BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))},
     * where the supplier opens a fresh stream each time.
     *
     * <pre>{@code
     * HttpRequest request = HttpRequest.newBuilder(URI.create("http://orders/items"))
     *         .PUT(LoadBalancedHttpClient.replayable(BodyPublishers.ofInputStream(() -> open(path))))
     *         .build();
     * }</pre>
     *
     * @param publisher a publisher that can be subscribed to again, from the start
     * @return a publisher of the same bytes, marked replayable
     */
    public static BodyPublisher replayable(BodyPublisher publisher) {
        Objects.requireNonNull(publisher, "publisher");
        return publisher instanceof RequestBodies.Replayable ? publisher : new RequestBodies.Replayable(publisher);
    }

    /** @return the client this one sends through */
    public HttpClient delegate() {
        return delegate;
    }

    /** @return the routes, in no particular order */
    public List<Route> routes() {
        return balancer.routes();
    }

    // ---- balanced calls ---------------------------------------------------------------------------------------

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> responseBodyHandler)
            throws IOException, InterruptedException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(responseBodyHandler, "responseBodyHandler");
        Route route = route(request);
        if (route == null) {
            return delegate.send(request, responseBodyHandler);
        }
        JdkExchange<T> exchange = exchange(route, request, responseBodyHandler, null);
        try {
            return balancer.execute(route, exchange);
        } catch (InterruptedIOException e) {
            if (exchange.wasInterrupted() || Thread.currentThread().isInterrupted()) {
                Thread.interrupted(); // thrown as InterruptedException, which clears the flag by convention
                InterruptedException interrupted = new InterruptedException(e.getMessage());
                interrupted.initCause(e);
                throw interrupted;
            }
            throw e;
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                                                            BodyHandler<T> responseBodyHandler) {
        return sendAsync(request, responseBodyHandler, null);
    }

    /**
     * As the JDK client's. A push promise of a balanced response reaches {@code pushPromiseHandler} with the
     * request as sent to the backend; pushed responses are not balanced and not reported to the pool.
     */
    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                                                            BodyHandler<T> responseBodyHandler,
                                                            PushPromiseHandler<T> pushPromiseHandler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(responseBodyHandler, "responseBodyHandler");
        Route route;
        try {
            route = route(request);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (route == null) {
            return pushPromiseHandler == null ? delegate.sendAsync(request, responseBodyHandler)
                    : delegate.sendAsync(request, responseBodyHandler, pushPromiseHandler);
        }
        AsyncAdvice.once();
        return balancer.executeAsync(route, exchange(route, request, responseBodyHandler, pushPromiseHandler));
    }

    private <T> JdkExchange<T> exchange(Route route, HttpRequest request, BodyHandler<T> handler,
                                        PushPromiseHandler<T> push) {
        HttpClient client = delegate;
        if ("https".equalsIgnoreCase(request.uri().getScheme())) {
            client = routeNameClients.getOrDefault(route.name(), delegate);
        }
        return new JdkExchange<>(client, request, route, handler, push);
    }

    /** The request's route, null to pass it through; fails for hosts rejected and routed URIs it cannot keep. */
    private Route route(HttpRequest request) throws IOException {
        URI uri = request.uri();
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        Route route = balancer.route(host);
        if (route == null) {
            if (balancer.rejectsUnknownHosts()) {
                throw balancer.unknownHost(host);
            }
            return null;
        }
        int port = uri.getPort();
        if (port != -1 && port != defaultPort(uri.getScheme())) {
            throw balancer.explicitPort(route, port);
        }
        if (uri.getRawUserInfo() != null) {
            // The user info itself is left out of the message: it is a credential.
            throw new IOException("the URL names route '" + route.name() + "' with user info; the JDK client never "
                    + "sends user info, so put credentials in an Authorization header and drop them from the URL");
        }
        return route;
    }

    private static int defaultPort(String scheme) {
        return "https".equalsIgnoreCase(scheme) ? 443 : 80;
    }

    // ---- the wrapped client's -----------------------------------------------------------------------------------

    /** @return a WebSocket builder of the wrapped client: WebSocket connections are not balanced */
    @Override
    public WebSocket.Builder newWebSocketBuilder() {
        return delegate.newWebSocketBuilder();
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return delegate.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return delegate.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return delegate.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return delegate.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return delegate.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return delegate.authenticator();
    }

    @Override
    public Version version() {
        return delegate.version();
    }

    @Override
    public Optional<Executor> executor() {
        return delegate.executor();
    }

    // ---- lifecycle (Java 21+) -----------------------------------------------------------------------------------

    /** Java 21's {@code HttpClient.shutdown()} on the wrapped and route-name clients; nothing on older Java. */
    public void shutdown() {
        Lifecycle.run(Lifecycle.SHUTDOWN, clients());
    }

    /** Java 21's {@code HttpClient.shutdownNow()} on the wrapped and route-name clients; nothing on older Java. */
    public void shutdownNow() {
        Lifecycle.run(Lifecycle.SHUTDOWN_NOW, clients());
    }

    /** Java 21's {@code HttpClient.close()} on the wrapped and route-name clients; nothing on older Java. */
    @Override
    public void close() {
        Lifecycle.run(Lifecycle.CLOSE, clients());
    }

    /**
     * Java 21's {@code HttpClient.awaitTermination}, waiting for each of the wrapped and route-name clients in turn.
     *
     * @param duration the longest wait for each client
     * @return whether every client terminated
     * @throws InterruptedException if interrupted while waiting
     * @throws UnsupportedOperationException before Java 21
     */
    public boolean awaitTermination(Duration duration) throws InterruptedException {
        Objects.requireNonNull(duration, "duration");
        MethodHandle await = Lifecycle.require(Lifecycle.AWAIT_TERMINATION, "awaitTermination");
        boolean all = true;
        for (HttpClient c : clients()) {
            try {
                all &= (boolean) await.invoke(c, duration);
            } catch (InterruptedException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        return all;
    }

    /**
     * @return Java 21's {@code HttpClient.isTerminated()}: whether the wrapped and route-name clients all are
     * @throws UnsupportedOperationException before Java 21
     */
    public boolean isTerminated() {
        MethodHandle terminated = Lifecycle.require(Lifecycle.IS_TERMINATED, "isTerminated");
        boolean all = true;
        for (HttpClient c : clients()) {
            try {
                all &= (boolean) terminated.invoke(c);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        return all;
    }

    private List<HttpClient> clients() {
        List<HttpClient> all = new ArrayList<>(1 + routeNameClients.size());
        all.add(delegate);
        all.addAll(routeNameClients.values());
        return all;
    }

    @Override
    public String toString() {
        return "LoadBalancedHttpClient" + balancer.routeNames() + "{" + delegate + "}";
    }

    private static HttpClient routeNameClient(HttpClient delegate, Route route) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .sslContext(new RouteNameSslContext(delegate.sslContext(), route))
                .sslParameters(delegate.sslParameters())
                .followRedirects(delegate.followRedirects())
                .version(delegate.version());
        delegate.cookieHandler().ifPresent(b::cookieHandler);
        delegate.connectTimeout().ifPresent(b::connectTimeout);
        delegate.proxy().ifPresent(b::proxy);
        delegate.authenticator().ifPresent(b::authenticator);
        delegate.executor().ifPresent(b::executor);
        return b.build();
    }

    /** Whether this JVM's JDK client lets a request set the Host header (read once, when its classes load). */
    static boolean hostHeaderAllowed() {
        try {
            HttpRequest.newBuilder(URI.create("http://lb4j-probe/")).header("Host", "lb4j-probe");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Java 21's lifecycle methods of {@link HttpClient}, looked up once; null on older Java. */
    private static final class Lifecycle {
        static final MethodHandle SHUTDOWN = find("shutdown", MethodType.methodType(void.class));
        static final MethodHandle SHUTDOWN_NOW = find("shutdownNow", MethodType.methodType(void.class));
        static final MethodHandle CLOSE = find("close", MethodType.methodType(void.class));
        static final MethodHandle AWAIT_TERMINATION = find("awaitTermination",
                MethodType.methodType(boolean.class, Duration.class));
        static final MethodHandle IS_TERMINATED = find("isTerminated", MethodType.methodType(boolean.class));

        private static MethodHandle find(String name, MethodType type) {
            try {
                return MethodHandles.publicLookup().findVirtual(HttpClient.class, name, type);
            } catch (NoSuchMethodException | IllegalAccessException e) {
                return null; // before Java 21
            }
        }

        static MethodHandle require(MethodHandle handle, String name) {
            if (handle == null) {
                throw new UnsupportedOperationException("HttpClient." + name + " needs Java 21 or newer; this is "
                        + Runtime.version());
            }
            return handle;
        }

        static void run(MethodHandle handle, List<HttpClient> clients) {
            if (handle == null) {
                return;
            }
            for (HttpClient c : clients) {
                try {
                    handle.invoke(c);
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            }
        }
    }

    /**
     * Configures a {@link LoadBalancedHttpClient}. Every setter validates its argument at once and names the bad
     * value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final HttpClient delegate;
        private final HttpBalancer.Builder balancer = HttpBalancer.builder();

        Builder(HttpClient delegate) {
            this.delegate = delegate;
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
         * @return the client
         * @throws IllegalStateException if no route was added, or if a route preserves the Host header and the JVM
         *     does not run with {@code -Djdk.httpclient.allowRestrictedHeaders=host}
         */
        public LoadBalancedHttpClient build() {
            HttpBalancer built = balancer.build();
            for (Route route : built.routes()) {
                if (route.preserveHostHeader() && !hostHeaderAllowed()) {
                    throw new IllegalStateException("route '" + route.name() + "' preserves the Host header, but "
                            + "this JVM's HttpClient refuses to set it: run with -D" + RESTRICTED_HEADERS_PROPERTY
                            + "=host (the JDK reads it once, when its HTTP client loads; now "
                            + RESTRICTED_HEADERS_PROPERTY + "=" + System.getProperty(RESTRICTED_HEADERS_PROPERTY)
                            + ")");
                }
            }
            return new LoadBalancedHttpClient(delegate, built);
        }
    }
}
