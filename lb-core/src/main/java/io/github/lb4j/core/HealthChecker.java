package io.github.lb4j.core;

import java.util.concurrent.CompletionStage;

/**
 * An active health check: probes one backend and completes with its verdict. Any protocol can plug in (an HTTP GET,
 * a TCP connect, a gRPC health call); {@code lb-okhttp} ships an HTTP checker.
 *
 * <pre>{@code
 * HealthChecker tcp = backend -> CompletableFuture.supplyAsync(() -> {
 *     try (Socket s = new Socket()) {
 *         s.connect(new InetSocketAddress(backend.host(), backend.port()), 1000);
 *         return HealthCheckResult.healthy();
 *     } catch (IOException e) {
 *         return HealthCheckResult.unhealthy("connect failed: " + e.getMessage());
 *     }
 * });
 * }</pre>
 *
 * <p>The pool calls a checker with at most one check in flight per backend and applies its own timeout; a checker
 * that throws, returns null or completes exceptionally counts as a failed check.
 *
 * <p>Thread-safety: implementations are called from the shared health-check scheduler and must be thread-safe.
 */
@FunctionalInterface
public interface HealthChecker {

    /**
     * @param backend the backend to probe
     * @return the verdict, completed asynchronously; must not block the calling thread for long
     */
    CompletionStage<HealthCheckResult> check(Backend backend);
}
