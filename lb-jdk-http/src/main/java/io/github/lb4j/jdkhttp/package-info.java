/**
 * JDK {@link java.net.http.HttpClient} integration: {@link io.github.lb4j.jdkhttp.LoadBalancedHttpClient} wraps the
 * application's client and sends each request for {@code http://route-name/...} to a backend of that route's
 * {@link io.github.lb4j.core.LoadBalancer} pool, with lb-http's retries, retry budget and outcome reporting (the same
 * rules as lb-okhttp, proven by the same conformance suite).
 *
 * <ul>
 *   <li>{@link io.github.lb4j.jdkhttp.LoadBalancedHttpClient} — the client: routing, safe retries of replayable
 *       bodies, outcomes reported when a response body is finished, route-name certificates, Host header;</li>
 *   <li>{@link io.github.lb4j.http.Route} (lb-http) — per-route options;</li>
 *   <li>{@link io.github.lb4j.http.NoBackendAvailableIOException} (lb-http) — what a call fails with when a pool
 *       has no backend to pick.</li>
 * </ul>
 *
 * <p>Needs nothing beyond the JDK (Java 17 or newer) and lb-http.
 */
package io.github.lb4j.jdkhttp;
