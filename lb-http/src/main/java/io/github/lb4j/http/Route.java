package io.github.lb4j.http;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.internal.Checks;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * How every lb4j HTTP adapter (lb-okhttp's {@code LoadBalancingInterceptor} and the adapters for other clients)
 * serves one logical host: the pool that owns it, where a request's hash key comes from, which outcomes count as
 * failures and how failed attempts are retried. The same route works with any client: hash-key functions and the
 * failure classifier see a client-neutral {@link HttpRequestView} and {@link HttpResponseView}.
 *
 * <pre>{@code
 * Route orders = Route.builder("orders", ordersPool)         // requests to http(s)://orders/... go to ordersPool
 *         .hashKeyFromHeader("X-User-Id")                    // sticky per user with ringHash/maglev/rendezvous
 *         .maxAttempts(3)                                    // the first attempt and up to two retries
 *         .retryBudget(0.1, 5)                               // retries <= 10% of requests + 5 per second
 *         .build();
 * Interceptor lb = LoadBalancingInterceptor.builder().route(orders).build();   // lb-okhttp
 * }</pre>
 *
 * <p>Tail latency: a per-try timeout bounds each attempt (the client's call timeout still bounds the whole call),
 * and {@link Hedging} races a second backend against a straggler:
 *
 * <pre>{@code
 * Route orders = Route.builder("orders", ordersPool)
 *         .perTryTimeout(Duration.ofMillis(200))                       // one attempt; retried elsewhere if it may be
 *         .hedging(Hedging.after(Duration.ofMillis(50)).maxHedges(1))  // or Hedging.atPercentile(95)
 *         .build();
 * }</pre>
 *
 * An attempt without response headers after the per-try timeout is canceled, charged to its backend as a failure
 * and retried on a backend not tried yet when the request may be sent again (the same rules as any retry);
 * otherwise the call fails with a {@link PerTryTimeoutException}. See {@link Hedging} for its rules.
 *
 * <p>Overload signals: a 429 or 503 answer with a valid {@code Retry-After} (delta-seconds or an HTTP-date) is
 * neither a success nor a failure, whatever {@link Builder#failureWhen} says: it is reported as
 * {@link io.github.lb4j.core.Selection#overloaded}, so the pool leaves that backend out for the window it asked for
 * (at most {@link io.github.lb4j.core.Selection#MAX_RETRY_AFTER}) and passive health never ejects it for that. A
 * retry of such an answer (503 by default; 429 only if listed in {@link Builder#retryOnStatus}) goes to another
 * backend, never back to it; with none left, the answer itself is returned, as for any status the route could not
 * retry. A call made while every backend of the pool is inside its window fails at once with a
 * {@link NoBackendAvailableIOException} whose {@code retryAfter()} says when the first is due back.
 * {@link Builder#honorRetryAfter(boolean) honorRetryAfter(false)} turns this off for a route.
 *
 * <p>Subsets (see {@link RequestContext#withSubset}): a request may pick only among the backends whose metadata
 * matches a selector, taken from a header, from a percentage split, or both; the pool's
 * {@link LoadBalancer.Builder#subsetFallback subset fallback} decides when none of them is available:
 *
 * <pre>{@code
 * Route orders = Route.builder("orders", ordersPool)
 *         .subsetFromHeader("X-Canary", "version")                  // X-Canary: v2 -> only version=v2 backends
 *         .subsetSplit(0.05, Map.of("version", "v2"),               // 5% of the other calls to version=v2,
 *                 Map.of("version", "v1"))                          // the other 95% to version=v1
 *         .build();
 * }</pre>
 *
 * For each call the first of these that applies decides its subset and hash key: a {@link RequestContext} the
 * adapter attached to the request (used as it is: no header, split or hash-key source is consulted), the
 * {@linkplain Builder#subsetFromHeader subset header}, the {@linkplain Builder#subsetSplit split}, else the whole
 * pool. The route's hash key, if any, is kept inside the subset. The subset is decided once per call: retries and
 * hedges stay in it.
 *
 * <p>Defaults: no hash key, no subset, 2 attempts, retry on 502, 503 and 504, 5xx counts as a failure, a retry budget of 20% of
 * requests plus 10 retries per second over a 10-second window, backoff with full jitter from 25 ms doubling up to
 * 250 ms, no per-try timeout, no hedging, GET, HEAD, OPTIONS, PUT, DELETE and TRACE idempotent, the Host header derived from the backend's address, certificates verified against the backend's address.
 *
 * <p>A request URL that names a route must not carry a port of its own (other than the scheme's default, which a
 * URL cannot tell apart from no port): the backend's port is used, and a call to {@code http://orders:8081/} fails
 * with an {@link java.io.IOException} rather than silently dropping the 8081.
 *
 * <p>Thread-safety: immutable; one route may be shared by several interceptors (each keeps its own retry budget).
 */
public final class Route {

    /** Default {@link Builder#maxAttempts(int)}: one retry on another backend. */
    public static final int DEFAULT_MAX_ATTEMPTS = 2;
    /** Default share of {@link Builder#retryBudget(double, int)}: Finagle's and Envoy's 20%. */
    public static final double DEFAULT_RETRY_RATIO = 0.2;
    /** Default floor of {@link Builder#retryBudget(double, int)}, so a quiet route can still retry (Finagle's 10/s). */
    public static final int DEFAULT_MIN_RETRIES_PER_SECOND = 10;
    /** Default first backoff cap (Envoy's base interval). */
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(25);
    /** Default largest backoff cap (Envoy's default: ten times the base interval). */
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMillis(250);

    /** The window of {@link Builder#retryBudget(double, int)}: Finagle's default TTL of 10 seconds. */
    public static final int RETRY_BUDGET_WINDOW_SECONDS = 10;

    /** Upper bound of {@link Builder#maxAttempts(int)}: more attempts than that multiply load without helping. */
    static final int MAX_ATTEMPTS_LIMIT = 10;
    /** Upper bound of the retry ratio: 1000% (Finagle's limit); beyond it a budget no longer limits anything. */
    static final double MAX_RETRY_RATIO = 10.0;
    static final int MAX_MIN_RETRIES_PER_SECOND = 1_000_000;
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    /** Upper bound of {@link Builder#perTryTimeout(Duration)}: an hour is a call timeout, not a per-try one. */
    static final Duration MAX_PER_TRY_TIMEOUT = Duration.ofHours(1);
    /** The methods that may be sent again by default: RFC 9110's idempotent methods. */
    static final Set<String> DEFAULT_IDEMPOTENT_METHODS =
            Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");
    /**
     * The longest {@linkplain Builder#subsetFromHeader subset header} value used; a longer one is ignored. Metadata
     * values are short names (a version, a tenant); a longer header is noise or an attack.
     */
    public static final int MAX_SUBSET_VALUE_LENGTH = 256;

    final String name;
    final LoadBalancer pool;
    final Function<HttpRequestView, String> hashKey;
    final int maxAttempts;
    final BitSet retryStatuses;
    final Predicate<HttpResponseView> failure;
    final double retryRatio;
    final int minRetriesPerSecond;
    final long backoffInitialNanos;
    final long backoffMaxNanos;
    final boolean preserveHostHeader;
    final boolean verifyCertificateAgainstRouteName;
    /** 0: no per-try timeout. */
    final long perTryTimeoutNanos;
    /** null: no hedging. */
    final Hedging hedging;
    final Set<String> idempotentMethods;
    final boolean honorRetryAfter;
    /** null: no listener. */
    final RouteListener listener;
    /** null: no subset header. */
    final String subsetHeader;
    final String subsetMetadataKey;
    /** 0: no split. */
    final double splitShare;
    /** The context of a call the split sends to its selector; null without a split. */
    final RequestContext splitContext;
    /** The context of the other calls of the split; {@link RequestContext#empty()} for the whole pool. */
    final RequestContext splitRestContext;

    private Route(Builder b) {
        this.name = b.name;
        this.pool = b.pool;
        this.hashKey = b.hashKey;
        this.maxAttempts = b.maxAttempts;
        this.retryStatuses = (BitSet) b.retryStatuses.clone();
        this.failure = b.failure;
        this.retryRatio = b.retryRatio;
        this.minRetriesPerSecond = b.minRetriesPerSecond;
        this.backoffInitialNanos = b.backoffInitial.toNanos();
        this.backoffMaxNanos = b.backoffMax.toNanos();
        this.preserveHostHeader = b.preserveHostHeader;
        this.verifyCertificateAgainstRouteName = b.verifyCertificateAgainstRouteName;
        this.perTryTimeoutNanos = b.perTryTimeout == null ? 0 : b.perTryTimeout.toNanos();
        this.hedging = b.hedging;
        this.idempotentMethods = b.idempotentMethods;
        this.honorRetryAfter = b.honorRetryAfter;
        this.listener = b.listener;
        this.subsetHeader = b.subsetHeader;
        this.subsetMetadataKey = b.subsetMetadataKey;
        this.splitShare = b.splitShare;
        this.splitContext = b.splitContext;
        this.splitRestContext = b.splitRestContext;
    }

    /**
     * The context of a call without an attached one: the subset (header, then split) with the route's hash key.
     *
     * @param request the request
     * @param random decides the split
     */
    RequestContext contextOf(HttpRequestView request, RandomGenerator random) {
        RequestContext context = subsetOf(request, random);
        String key = hashKey == null ? null : hashKey.apply(request);
        if (key == null) {
            return context;
        }
        return context == RequestContext.empty() ? RequestContext.ofHashKey(key) : context.withHashKey(key);
    }

    private RequestContext subsetOf(HttpRequestView request, RandomGenerator random) {
        if (subsetHeader != null) {
            String value = request.header(subsetHeader);
            if (usableSubsetValue(value)) {
                return RequestContext.empty().withSubset(Map.of(subsetMetadataKey, value));
            }
        }
        if (splitContext != null) {
            return random.nextDouble() < splitShare ? splitContext : splitRestContext;
        }
        return RequestContext.empty();
    }

    /** A subset header value is used when it is not blank, at most 256 characters and has no control characters. */
    static boolean usableSubsetValue(String value) {
        if (value == null || value.isBlank() || value.length() > MAX_SUBSET_VALUE_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** @return whether attempts of this route's calls are timed or raced (per-try timeout or hedging) */
    boolean racing() {
        return perTryTimeoutNanos > 0 || hedging != null;
    }

    /**
     * @param name the logical host that requests use, such as {@code orders} or {@code orders.internal}; a valid
     *     host name (letters, digits, '-', '.'), matched case-insensitively and with or without a trailing dot
     * @param loadBalancer the pool whose backends serve it
     * @return a builder with the defaults described above
     * @throws IllegalArgumentException if {@code name} is not a valid host name
     */
    public static Builder builder(String name, LoadBalancer loadBalancer) {
        return new Builder(name, loadBalancer);
    }

    /** @return the logical host name, in lower case */
    public String name() {
        return name;
    }

    /** @return the pool */
    public LoadBalancer loadBalancer() {
        return pool;
    }

    /**
     * The hash key this route's source (header, cookie, query parameter or function) gives a request; a
     * {@link RequestContext} attached to the request, which wins over it, is not consulted here.
     *
     * @param request the request
     * @return the key, or null if the route has no source or the request has no key
     */
    public String hashKeyOf(HttpRequestView request) {
        Objects.requireNonNull(request, "request");
        return hashKey == null ? null : hashKey.apply(request);
    }

    /** @return attempts per call including the first, 1 to 10 */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** @return whether the logical host is sent as the Host header instead of the backend's address */
    public boolean preserveHostHeader() {
        return preserveHostHeader;
    }

    /** @return whether a backend's certificate is also accepted when it is valid for this route's name */
    public boolean verifyCertificateAgainstRouteName() {
        return verifyCertificateAgainstRouteName;
    }

    /** @return the per-try timeout, or null if attempts are bounded only by the client's timeouts */
    public Duration perTryTimeout() {
        return perTryTimeoutNanos == 0 ? null : Duration.ofNanos(perTryTimeoutNanos);
    }

    /** @return the hedging policy, or null if calls are not hedged */
    public Hedging hedging() {
        return hedging;
    }

    /** @return the methods (upper case) that may be sent again once they reached a backend */
    public Set<String> idempotentMethods() {
        return idempotentMethods;
    }

    /** @return the listener of this route's calls (several added are combined into one), or null if none */
    public RouteListener listener() {
        return listener;
    }

    @Override
    public String toString() {
        return "Route{" + name + " -> " + pool.name() + ", maxAttempts=" + maxAttempts
                + (perTryTimeoutNanos > 0 ? ", perTryTimeout=" + perTryTimeout() : "")
                + (hedging != null ? ", " + hedging : "")
                + (subsetHeader != null ? ", subsetFromHeader=" + subsetHeader + "->" + subsetMetadataKey : "")
                + (splitContext != null ? ", subsetSplit=" + splitShare + "->" + splitContext.subset() : "") + '}';
    }

    /**
     * Configures a {@link Route}. Every setter validates its argument at once and names the bad value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final String name;
        private final LoadBalancer pool;
        private Function<HttpRequestView, String> hashKey;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private final BitSet retryStatuses = statuses(502, 503, 504);
        private Predicate<HttpResponseView> failure = response -> response.status() >= 500;
        private double retryRatio = DEFAULT_RETRY_RATIO;
        private int minRetriesPerSecond = DEFAULT_MIN_RETRIES_PER_SECOND;
        private Duration backoffInitial = DEFAULT_BACKOFF_INITIAL;
        private Duration backoffMax = DEFAULT_BACKOFF_MAX;
        private boolean preserveHostHeader;
        private boolean verifyCertificateAgainstRouteName;
        private Duration perTryTimeout;
        private Hedging hedging;
        private Set<String> idempotentMethods = DEFAULT_IDEMPOTENT_METHODS;
        private boolean honorRetryAfter = true;
        private RouteListener listener;
        private String subsetHeader;
        private String subsetMetadataKey;
        private double splitShare;
        private RequestContext splitContext;
        private RequestContext splitRestContext;

        Builder(String name, LoadBalancer loadBalancer) {
            this.name = HostNames.checkRouteName(name);
            this.pool = Objects.requireNonNull(loadBalancer, "loadBalancer");
        }

        /**
         * Takes each request's hash key from a request header; a request without it has no key.
         *
         * @param headerName the header, such as {@code X-User-Id}
         * @return this builder
         * @throws IllegalArgumentException if {@code headerName} is not a valid header name
         */
        public Builder hashKeyFromHeader(String headerName) {
            Objects.requireNonNull(headerName, "headerName");
            checkToken("headerName", headerName);
            this.hashKey = request -> request.header(headerName);
            return this;
        }

        /**
         * Takes each request's hash key from a cookie in the request's {@code Cookie} header. Cookies that a client
         * adds itself after the adapter has run (OkHttp's {@code CookieJar}, the JDK client's {@code CookieHandler})
         * are not visible, so this reads cookies set on the request itself.
         *
         * @param cookieName the cookie, such as {@code SESSION}
         * @return this builder
         * @throws IllegalArgumentException if {@code cookieName} is not a valid cookie name
         */
        public Builder hashKeyFromCookie(String cookieName) {
            Objects.requireNonNull(cookieName, "cookieName");
            checkToken("cookieName", cookieName);
            this.hashKey = request -> cookie(request, cookieName);
            return this;
        }

        /**
         * Takes each request's hash key from a query parameter of its URL (the first one of that name).
         *
         * @param parameterName the parameter, such as {@code tenant}
         * @return this builder
         * @throws IllegalArgumentException if {@code parameterName} is empty
         */
        public Builder hashKeyFromQueryParameter(String parameterName) {
            Objects.requireNonNull(parameterName, "parameterName");
            if (parameterName.isEmpty()) {
                throw new IllegalArgumentException("parameterName must not be empty, got ''");
            }
            this.hashKey = request -> request.queryParameter(parameterName);
            return this;
        }

        /**
         * Computes each request's hash key; the function returns null for a request without one. It runs on the
         * calling thread (a client's dispatcher thread for asynchronous calls) and must be thread-safe. A
         * {@link RequestContext} tag on a request overrides every hash-key source.
         *
         * @param hashKeyFunction from request to key or null
         * @return this builder
         */
        public Builder hashKey(Function<HttpRequestView, String> hashKeyFunction) {
            this.hashKey = Objects.requireNonNull(hashKeyFunction, "hashKeyFunction");
            return this;
        }

        /**
         * Takes each request's subset from a request header: a request carrying {@code X-Canary: v2} (with
         * {@code subsetFromHeader("X-Canary", "version")}) picks only among the backends whose metadata has
         * {@code version=v2}. A request without the header picks as if this were not set (the
         * {@linkplain #subsetSplit split}, if any, else the whole pool); so does one whose first value of the header
         * is blank, longer than {@link Route#MAX_SUBSET_VALUE_LENGTH} characters or contains a control character: such
         * a value is ignored, not an error, since the header comes from whoever sent the request.
         *
         * <p>The value is untrusted: any caller can name any subset, so use a header that your edge sets or strips
         * when subsets separate tenants. Memory stays bounded by the pool's {@link LoadBalancer.Builder#maxSubsets}
         * cap on distinct selectors: a request naming a new value once the cap is reached is not rejected but served
         * by the pool's {@link LoadBalancer.Builder#subsetFallback subset fallback} ({@code NONE}, the default,
         * fails it with a {@link NoBackendAvailableIOException}; {@code ANY} uses the whole pool; {@code DEFAULT}
         * the default subset), as is a value that matches no backend. Calling this again replaces the header.
         *
         * @param headerName the header, such as {@code X-Canary}; an HTTP token
         * @param metadataKey the backend metadata key the value must match, such as {@code version}; not blank, no
         *     control characters
         * @return this builder
         * @throws IllegalArgumentException if {@code headerName} is null or not an HTTP token, or
         *     {@code metadataKey} is null, blank or has a control character
         */
        public Builder subsetFromHeader(String headerName, String metadataKey) {
            if (headerName == null) {
                throw new IllegalArgumentException("headerName must not be null, got null");
            }
            checkToken("headerName", headerName);
            if (metadataKey == null || metadataKey.isBlank()) {
                throw new IllegalArgumentException("metadataKey must not be null or blank, got "
                        + (metadataKey == null ? "null" : "'" + Checks.printable(metadataKey) + "'"));
            }
            for (int i = 0; i < metadataKey.length(); i++) {
                if (Character.isISOControl(metadataKey.charAt(i))) {
                    throw new IllegalArgumentException("metadataKey must not contain control characters, got '"
                            + Checks.printable(metadataKey) + "'");
                }
            }
            this.subsetHeader = headerName;
            this.subsetMetadataKey = metadataKey;
            return this;
        }

        /**
         * Sends a share of the calls to a subset, for a canary: {@code subsetSplit(0.05, Map.of("version", "v2"))}
         * sends 5% of the calls to the {@code version=v2} backends. The other calls have no subset: they pick from
         * the whole pool, <em>canaries included</em> (a selector cannot say "not v2"), so with {@code k} of
         * {@code n} backends in the subset these get about {@code share + (1 - share) * k / n} of the calls. To
         * give them exactly {@code share}, name the subset of the other calls with
         * {@link #subsetSplit(double, Map, Map)}.
         *
         * <p>The split applies only to calls that have no subset of their own: a {@linkplain #subsetFromHeader
         * subset header} wins over it, and so does a {@link RequestContext} attached to the request. Each call
         * draws once from the balancer's {@linkplain HttpBalancer.Builder#random random source} (seed it for
         * reproducible tests); retries stay in the subset drawn. When no backend of the subset is available, the
         * pool's {@link LoadBalancer.Builder#subsetFallback subset fallback} applies. Calling this again replaces
         * the split.
         *
         * @param share the share of calls for {@code selector}, more than 0 and less than 1
         * @param selector the subset, not empty, such as {@code Map.of("version", "v2")}
         * @return this builder
         * @throws IllegalArgumentException if {@code share} is out of range or {@code selector} is empty or has a
         *     blank key or one with control characters
         */
        public Builder subsetSplit(double share, Map<String, String> selector) {
            RequestContext split = split(share, "selector", selector);
            this.splitShare = share;
            this.splitContext = split;
            this.splitRestContext = RequestContext.empty();
            return this;
        }

        /**
         * As {@link #subsetSplit(double, Map)}, but the calls not sent to {@code selector} go to {@code rest}
         * instead of the whole pool: {@code subsetSplit(0.05, Map.of("version", "v2"), Map.of("version", "v1"))}
         * gives v2 5% of the calls and v1 95%. Each of the two subsets has the pool's fallback.
         *
         * @param share the share of calls for {@code selector}, more than 0 and less than 1
         * @param selector the subset of that share, not empty
         * @param rest the subset of the other calls, not empty, not equal to {@code selector}
         * @return this builder
         * @throws IllegalArgumentException if {@code share} is out of range, a selector is empty or has a blank key
         *     or one with control characters, or the two are equal
         */
        public Builder subsetSplit(double share, Map<String, String> selector, Map<String, String> rest) {
            RequestContext split = split(share, "selector", selector);
            RequestContext other = split(share, "rest", rest);
            if (split.subset().equals(other.subset())) {
                throw new IllegalArgumentException("subsetSplit rest must differ from selector, got " + rest
                        + " for both");
            }
            this.splitShare = share;
            this.splitContext = split;
            this.splitRestContext = other;
            return this;
        }

        private static RequestContext split(double share, String field, Map<String, String> selector) {
            if (!(share > 0.0 && share < 1.0)) {
                throw new IllegalArgumentException("subsetSplit share must be more than 0 and less than 1, got "
                        + share);
            }
            if (selector == null || selector.isEmpty()) {
                throw new IllegalArgumentException("subsetSplit " + field + " must not be empty, got " + selector);
            }
            return RequestContext.empty().withSubset(selector);
        }

        /**
         * @param maxAttempts attempts per call including the first, 1 (never retry) to 10; default 2
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
                throw new IllegalArgumentException("maxAttempts must be between 1 and " + MAX_ATTEMPTS_LIMIT
                        + ", got " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * The statuses that are retried on another backend (for idempotent requests only, since the request was
         * sent). Replaces the default 502, 503 and 504; no argument disables status retries.
         *
         * @param statuses HTTP statuses, 100 to 599
         * @return this builder
         * @throws IllegalArgumentException if a status is out of range
         */
        public Builder retryOnStatus(int... statuses) {
            Objects.requireNonNull(statuses, "statuses");
            BitSet set = statuses(statuses);
            retryStatuses.clear();
            retryStatuses.or(set);
            return this;
        }

        /**
         * Decides which responses count as a failure of the backend (fed to passive health and to latency-aware
         * strategies); every other response is a success. Default: status 500 and above. The predicate sees the
         * response's status and headers and must not read its body.
         *
         * @param isFailure the classifier
         * @return this builder
         */
        public Builder failureWhen(Predicate<HttpResponseView> isFailure) {
            this.failure = Objects.requireNonNull(isFailure, "isFailure");
            return this;
        }

        /**
         * Whether a 429 or 503 with {@code Retry-After} pauses its backend (see "Overload signals" above). Turn it
         * off for a service whose {@code Retry-After} speaks of one resource rather than the whole backend: such
         * answers are then classified by {@link #failureWhen} like any other. Default true.
         *
         * @param honor whether to honour {@code Retry-After}
         * @return this builder
         */
        public Builder honorRetryAfter(boolean honor) {
            this.honorRetryAfter = honor;
            return this;
        }

        /**
         * Limits retries, Finagle-style: each call deposits {@code ratio} of a retry, each retry withdraws one, and
         * deposits and withdrawals expire after a 10-second window; {@code minRetriesPerSecond} more are always
         * allowed (10 seconds' worth in the window). When the budget is spent a failed attempt goes back to the
         * caller instead of multiplying load on a struggling pool. Time is read from the adapter's
         * {@link io.github.lb4j.core.Ticker}; each adapter instance keeps its own budget per route.
         *
         * @param ratio retries per call, 0 to 10; default 0.2
         * @param minRetriesPerSecond retries allowed regardless of the ratio, 0 to 1 000 000; default 10
         * @return this builder
         * @throws IllegalArgumentException if a value is out of range
         */
        public Builder retryBudget(double ratio, int minRetriesPerSecond) {
            if (!(ratio >= 0.0 && ratio <= MAX_RETRY_RATIO)) {
                throw new IllegalArgumentException("retry budget ratio must be between 0 and " + MAX_RETRY_RATIO
                        + ", got " + ratio);
            }
            if (minRetriesPerSecond < 0 || minRetriesPerSecond > MAX_MIN_RETRIES_PER_SECOND) {
                throw new IllegalArgumentException("minRetriesPerSecond must be between 0 and "
                        + MAX_MIN_RETRIES_PER_SECOND + ", got " + minRetriesPerSecond);
            }
            this.retryRatio = ratio;
            this.minRetriesPerSecond = minRetriesPerSecond;
            return this;
        }

        /**
         * The wait before retry {@code n} is random between 0 and {@code min(max, initial * 2^(n-1))} ("full
         * jitter"), so that clients that failed together do not retry together. Waiting stops at once when the call
         * is canceled or its call timeout expires. {@code Duration.ZERO} for both retries immediately.
         *
         * @param initial the cap of the first wait, 0 to 1 minute; default 25 ms
         * @param max the largest cap, {@code initial} to 1 minute; default 250 ms
         * @return this builder
         * @throws IllegalArgumentException if a value is out of range
         */
        public Builder backoff(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            Checks.between("backoff initial", initial, Duration.ZERO, MAX_BACKOFF);
            if (max.compareTo(initial) < 0 || max.compareTo(MAX_BACKOFF) > 0) {
                throw new IllegalArgumentException("backoff max must be between initial (" + initial + ") and "
                        + MAX_BACKOFF + ", got " + max);
            }
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /**
         * Sends the logical host ({@code orders}) as the Host header (HTTP/2 {@code :authority}) instead of the
         * backend's address, for backends that serve several virtual hosts. A Host header set on the request wins.
         *
         * @param preserve whether to keep the logical host; default false
         * @return this builder
         */
        public Builder preserveHostHeader(boolean preserve) {
            this.preserveHostHeader = preserve;
            return this;
        }

        /**
         * For HTTPS backends addressed by IP (or by a name their certificate does not carry): accept a backend's
         * certificate when it is valid for this route's name. It takes effect only through the
         * hostname verifier the adapter provides (lb-okhttp: {@code LoadBalancingInterceptor.hostnameVerifier}),
         * which must be installed on the client; the certificate chain is still verified by
         * the client's trust manager, and a certificate valid for the backend's own address is still accepted.
         *
         * @param verify whether to verify against the route name; default false
         * @return this builder
         */
        public Builder verifyCertificateAgainstRouteName(boolean verify) {
            this.verifyCertificateAgainstRouteName = verify;
            return this;
        }

        /**
         * Bounds each attempt: one that has no response headers after {@code timeout} is canceled, charged to its
         * backend as a failure (a timeout) and retried on a backend not tried yet when the request may be sent
         * again and the {@linkplain #maxAttempts attempts} and {@linkplain #retryBudget budget} allow; otherwise the
         * call fails with a {@link PerTryTimeoutException}. The client's own call timeout still bounds the whole
         * call. Reading the body is not bounded by it (the client's read timeout does that).
         *
         * @param timeout more than 0, up to 1 hour; default none
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder perTryTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "perTryTimeout");
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_PER_TRY_TIMEOUT) > 0) {
                throw new IllegalArgumentException("perTryTimeout must be more than 0 and at most "
                        + MAX_PER_TRY_TIMEOUT + ", got " + timeout);
            }
            this.perTryTimeout = timeout;
            return this;
        }

        /**
         * Hedges calls that may be sent again (see {@link Hedging} for the rules).
         *
         * @param hedging the policy, such as {@code Hedging.after(Duration.ofMillis(50))}; default none
         * @return this builder
         */
        public Builder hedging(Hedging hedging) {
            this.hedging = Objects.requireNonNull(hedging, "hedging");
            return this;
        }

        /**
         * The methods whose requests may be sent again once they may have reached a backend (retried after a read
         * timeout or a retryable status, hedged). Replaces the default GET, HEAD, OPTIONS, PUT, DELETE and TRACE;
         * {@code idempotentMethods("GET", "POST")} says this route's POSTs are idempotent (the server de-duplicates
         * them). An {@link Idempotency} tag on a request wins over this.
         *
         * @param methods HTTP method tokens, matched case-sensitively as HTTP does (upper case); none for "never
         *     re-send a request that may have arrived"
         * @return this builder
         * @throws IllegalArgumentException if a method is not an HTTP token
         */
        public Builder idempotentMethods(String... methods) {
            Objects.requireNonNull(methods, "methods");
            Set<String> set = new TreeSet<>();
            for (String m : methods) {
                Objects.requireNonNull(m, "method");
                checkToken("idempotent method", m);
                set.add(m);
            }
            this.idempotentMethods = Set.copyOf(set);
            return this;
        }

        /**
         * Tells {@code listener} about every call on this route: its attempts by kind, retries the budget refused,
         * per-try timeouts and how it ended (see {@link RouteListener}); lb-micrometer's {@code RouteMetrics}
         * publishes them as meters. Called again, it adds a listener: each is told in the order added.
         *
         * @param listener the listener; default none
         * @return this builder
         */
        public Builder listener(RouteListener listener) {
            Objects.requireNonNull(listener, "listener");
            this.listener = this.listener == null ? listener : new ListenerPair(this.listener, listener);
            return this;
        }

        /**
         * @return the route
         * @throws IllegalArgumentException if hedging is set but no method may be sent again
         */
        public Route build() {
            if (hedging != null && idempotentMethods.isEmpty()) {
                throw new IllegalArgumentException("route '" + name + "': hedging " + hedging
                        + " needs a method that may be sent again, but idempotentMethods is empty");
            }
            return new Route(this);
        }

        private static BitSet statuses(int... statuses) {
            BitSet set = new BitSet(600);
            for (int s : statuses) {
                if (s < 100 || s > 599) {
                    throw new IllegalArgumentException("retry status must be between 100 and 599, got " + s
                            + " in " + Arrays.toString(statuses));
                }
                set.set(s);
            }
            return set;
        }

        private static void checkToken(String field, String value) {
            if (value.isEmpty()) {
                throw new IllegalArgumentException(field + " must not be empty, got ''");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                // RFC 9110 token characters.
                if (!(c > ' ' && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0)) {
                    throw new IllegalArgumentException(field + " must be an HTTP token, got '"
                            + Checks.printable(value) + "'");
                }
            }
        }
    }

    static String cookie(HttpRequestView request, String name) {
        for (String header : request.headers("Cookie")) {
            int start = 0;
            while (start < header.length()) {
                int end = header.indexOf(';', start);
                if (end < 0) {
                    end = header.length();
                }
                int eq = header.indexOf('=', start);
                if (eq > start && eq < end && header.substring(start, eq).trim().equals(name)) {
                    String value = header.substring(eq + 1, end).trim();
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    return value;
                }
                start = end + 1;
            }
        }
        return null;
    }
}
