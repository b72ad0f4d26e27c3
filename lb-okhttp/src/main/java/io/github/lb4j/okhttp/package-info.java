/**
 * OkHttp integration: an application interceptor that routes {@code http://pool-name/...} to a backend of the named
 * {@link io.github.lb4j.core.LoadBalancer} pool, and an HTTP health checker. The call policy (routes, retries,
 * retry budget, outcomes) is lb-http's, shared with every lb4j HTTP adapter; this package adapts it to OkHttp.
 *
 * <ul>
 *   <li>{@link io.github.lb4j.okhttp.LoadBalancingInterceptor} — routing, outcome reporting, safe retries on another
 *       backend within a retry budget, TLS name verification for backends addressed by IP;</li>
 *   <li>{@link io.github.lb4j.http.Route} (lb-http) — per-route options: hash-key source, attempts, retryable
 *       statuses, failure classifier, retry budget, backoff, Host header, certificate name;</li>
 *   <li>{@link io.github.lb4j.http.Idempotency} (lb-http) — a request tag that allows or forbids resending;</li>
 *   <li>{@link io.github.lb4j.http.NoBackendAvailableIOException} (lb-http) — what a call fails with when a pool
 *       has no backend to pick;</li>
 *   <li>{@link io.github.lb4j.okhttp.OkHttpHealthChecker} — the core's
 *       {@link io.github.lb4j.core.HealthChecker} over HTTP, never carrying the application's credentials.</li>
 * </ul>
 *
 * <p>Works with OkHttp 5.x ({@code com.squareup.okhttp3:okhttp-jvm}) and 4.12 ({@code com.squareup.okhttp3:okhttp});
 * it uses only API present in both. OkHttp is an optional dependency: the application declares the one it runs on,
 * and building an interceptor or health checker fails with a message naming the version if it is another.
 */
package io.github.lb4j.okhttp;
