/**
 * Apache HttpClient 5 integration: exec-chain handlers that route {@code http://pool-name/...} to a backend of the
 * named {@link io.github.lb4j.core.LoadBalancer} pool. The call policy (routes, retries, retry budget, outcomes) is
 * lb-http's, shared with every lb4j HTTP adapter; this package adapts it to HttpClient's exec chain.
 *
 * <ul>
 *   <li>{@link io.github.lb4j.httpclient5.LoadBalancingExec} — for the classic {@code CloseableHttpClient}:
 *       {@code HttpClients.custom().addExecInterceptorFirst("lb4j", exec)};</li>
 *   <li>{@link io.github.lb4j.httpclient5.LoadBalancingAsyncExec} — for {@code CloseableHttpAsyncClient}:
 *       {@code HttpAsyncClients.custom().addExecInterceptorFirst("lb4j", exec)}, non-blocking, cancelable;</li>
 *   <li>{@link io.github.lb4j.http.Route} (lb-http) — per-route options;
 *       {@link io.github.lb4j.core.RequestContext} and {@link io.github.lb4j.http.Idempotency} go into the request's
 *       {@code HttpContext} under their class names.</li>
 * </ul>
 *
 * <p>Needs HttpClient 5.6 or newer of the 5.x line ({@code org.apache.httpcomponents.client5:httpclient5}), a
 * compile dependency of this module that the application's own declaration overrides.
 */
package io.github.lb4j.httpclient5;
