package io.github.lb4j.okhttp;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.HealthCheckResult;
import io.github.lb4j.core.HealthChecker;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import okhttp3.Authenticator;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.CookieJar;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The core's {@link HealthChecker} over HTTP: a GET (or HEAD) on a path of each backend, healthy on a 2xx status
 * (or a predicate of your own).
 *
 * <pre>{@code
 * HealthChecker checker = OkHttpHealthChecker.builder(client)   // TLS settings, DNS, proxy come from client
 *         .path("/healthz")
 *         .timeout(Duration.ofSeconds(1))
 *         .build();
 * checker.check(Backend.of("10.0.0.1", 8080))                   // http://10.0.0.1:8080/healthz
 *         .thenAccept(result -> log.info("{}", result));
 * }</pre>
 *
 * <p>The checker derives its own client from the one given, with {@code newBuilder()}: it keeps the TLS
 * configuration, DNS, proxy and connection pool, and drops everything that could carry the application's
 * credentials or route the check elsewhere — all application and network interceptors (so a check never goes
 * through a {@link LoadBalancingInterceptor} nor an interceptor that adds {@code Authorization}), the cookie jar
 * ({@link CookieJar#NO_COOKIES}), the authenticators ({@link Authenticator#NONE}), the cache, and redirects. Its
 * requests carry no header of the application's. Each check has connect, read, write and call timeouts equal to
 * {@link Builder#timeout(Duration)}, and checks run on a dispatcher of their own, so a busy application dispatcher
 * cannot delay them into false failures.
 *
 * <p>Thread-safety: thread-safe; {@link #check} may be called from any thread.
 */
public final class OkHttpHealthChecker implements HealthChecker {

    /** Default path. */
    public static final String DEFAULT_PATH = "/health";
    /** Default timeout of one check: short, so a hung backend is detected within one check interval. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);

    private final OkHttpClient client;
    private final HttpUrl template;
    private final String method;
    private final Predicate<Response> healthy;

    private OkHttpHealthChecker(Builder b) {
        long millis = b.timeout.toMillis();
        OkHttpClient.Builder cb = b.client.newBuilder();
        cb.interceptors().clear();
        cb.networkInterceptors().clear();
        this.client = cb
                .cookieJar(CookieJar.NO_COOKIES)
                .authenticator(Authenticator.NONE)
                .proxyAuthenticator(Authenticator.NONE)
                .cache(null)
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .connectTimeout(millis, TimeUnit.MILLISECONDS)
                .readTimeout(millis, TimeUnit.MILLISECONDS)
                .writeTimeout(millis, TimeUnit.MILLISECONDS)
                .callTimeout(millis, TimeUnit.MILLISECONDS)
                .dispatcher(newDispatcher())
                .build();
        this.template = b.template;
        this.method = b.method;
        this.healthy = b.healthy;
    }

    /**
     * @param client the application's client, whose TLS, DNS and proxy settings the checks use
     * @return a builder: GET {@value #DEFAULT_PATH} over http, 2 s timeout, healthy on 2xx
     */
    public static Builder builder(OkHttpClient client) {
        return new Builder(client);
    }

    @Override
    public CompletionStage<HealthCheckResult> check(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        CompletableFuture<HealthCheckResult> result = new CompletableFuture<>();
        HttpUrl url = template.newBuilder().host(backend.host()).port(backend.port()).build();
        Call call = client.newCall(new Request.Builder().url(url).method(method, null).build());
        String what = method + ' ' + template.encodedPath();
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                result.complete(HealthCheckResult.unhealthy(what + " failed: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage())));
            }

            @Override
            public void onResponse(Call c, Response response) {
                HealthCheckResult verdict;
                try (response) {
                    verdict = healthy.test(response)
                            ? HealthCheckResult.healthy()
                            : HealthCheckResult.unhealthy(what + " returned HTTP " + response.code());
                } catch (RuntimeException e) {
                    verdict = HealthCheckResult.unhealthy(what + ": health predicate threw " + e);
                }
                // Completed after the response is closed, so its connection is back in the pool first.
                result.complete(verdict);
            }
        });
        // If the pool gives up on the check (its own timeout), stop the call too.
        result.whenComplete((r, t) -> {
            if (result.isCancelled()) {
                call.cancel();
            }
        });
        return result;
    }

    private static Dispatcher newDispatcher() {
        AtomicInteger n = new AtomicInteger();
        // OkHttp's own dispatcher pool shape (no core threads, idle threads die after 60 s), with daemon threads
        // so that checks never keep a JVM alive.
        ExecutorService executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "lb4j-health-check-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        Dispatcher dispatcher = new Dispatcher(executor);
        // The pool keeps at most one check in flight per backend, so concurrency is bounded by pool size already.
        dispatcher.setMaxRequests(1024);
        dispatcher.setMaxRequestsPerHost(1024);
        return dispatcher;
    }

    @Override
    public String toString() {
        return "OkHttpHealthChecker{" + method + ' ' + template.scheme() + "://<backend>" + template.encodedPath()
                + '}';
    }

    /**
     * Configures an {@link OkHttpHealthChecker}. Every setter validates its argument at once and names the bad
     * value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final OkHttpClient client;
        private HttpUrl template = new HttpUrl.Builder().scheme("http").host("backend").encodedPath(DEFAULT_PATH)
                .build();
        private String method = "GET";
        private Duration timeout = DEFAULT_TIMEOUT;
        private Predicate<Response> healthy = Response::isSuccessful;

        Builder(OkHttpClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /**
         * @param path the absolute path to probe, optionally with a query, such as {@code /healthz}; default
         *     {@value #DEFAULT_PATH}
         * @return this builder
         * @throws IllegalArgumentException if {@code path} does not start with '/' or is not a valid URL path
         */
        public Builder path(String path) {
            Objects.requireNonNull(path, "path");
            HttpUrl parsed = path.startsWith("/") && !path.startsWith("//")
                    ? HttpUrl.parse(template.scheme() + "://backend" + path) : null;
            if (parsed == null || path.indexOf('#') >= 0) {
                throw new IllegalArgumentException("path must be an absolute URL path such as /healthz, got '"
                        + path.replaceAll("\\p{Cntrl}", "?") + "'");
            }
            this.template = parsed;
            return this;
        }

        /**
         * @param https whether to probe over https (with the client's TLS settings); default false
         * @return this builder
         */
        public Builder https(boolean https) {
            this.template = template.newBuilder().scheme(https ? "https" : "http").build();
            return this;
        }

        /**
         * @param head whether to send HEAD instead of GET; default false
         * @return this builder
         */
        public Builder head(boolean head) {
            this.method = head ? "HEAD" : "GET";
            return this;
        }

        /**
         * @param timeout the connect, read, write and overall timeout of one check, 1 ms to 1 minute; default 2 s
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1 || timeout.compareTo(MAX_TIMEOUT) > 0) {
                throw new IllegalArgumentException("timeout must be between 1 ms and " + MAX_TIMEOUT + ", got "
                        + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Decides from the response (status and headers; it may read the body) whether the backend is healthy.
         * Default: a 2xx status. A predicate that throws counts as unhealthy.
         *
         * @param healthy the predicate, thread-safe
         * @return this builder
         */
        public Builder healthyWhen(Predicate<Response> healthy) {
            this.healthy = Objects.requireNonNull(healthy, "healthy");
            return this;
        }

        /**
         * @return the checker
         * @throws IllegalStateException if the OkHttp on the class path is not 4.12 or 5.x
         */
        public OkHttpHealthChecker build() {
            OkHttpVersion.check();
            return new OkHttpHealthChecker(this);
        }
    }
}
