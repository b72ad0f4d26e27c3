/**
 * The client-neutral policy of a balanced HTTP call, shared by every lb4j HTTP adapter (lb-okhttp today; the JDK
 * client, Apache HttpClient 5 and Spring next): a {@link io.github.lb4j.http.Route} maps a logical host to a pool,
 * with its hash-key source, retries on another backend, retry budget, backoff and failure classification.
 *
 * <p>For applications:
 * <ul>
 *   <li>{@link io.github.lb4j.http.Route} — per-route options; hash-key functions and the failure classifier see a
 *       {@link io.github.lb4j.http.HttpRequestView} and an {@link io.github.lb4j.http.HttpResponseView};</li>
 *   <li>{@link io.github.lb4j.http.Idempotency} — a per-request override of whether it may be sent again;</li>
 *   <li>{@link io.github.lb4j.http.NoBackendAvailableIOException} — what a call fails with when a pool has nothing
 *       to pick.</li>
 * </ul>
 *
 * <p>For adapter authors (the adapter SPI): {@link io.github.lb4j.http.HttpBalancer} runs a call over an
 * {@link io.github.lb4j.http.HttpExchange} (or {@link io.github.lb4j.http.AsyncHttpExchange}), one
 * {@link io.github.lb4j.http.Attempt} per backend tried, and hands the final response back with a
 * {@link io.github.lb4j.http.ResponseOutcome} to report when its body is finished;
 * {@link io.github.lb4j.http.UnusableBackendException} marks a backend the client cannot address. The conformance
 * suite in this module's test jar proves an adapter against real loopback servers.
 */
package io.github.lb4j.http;
