package io.github.lb4j.core;

import java.util.Objects;

/**
 * The verdict of one {@link HealthChecker} probe: healthy or not, and why.
 *
 * <pre>{@code
 * return ok ? HealthCheckResult.healthy() : HealthCheckResult.unhealthy("HTTP 503 from /healthz");
 * }</pre>
 *
 * <p>Thread-safety: immutable.
 */
public final class HealthCheckResult {

    private static final HealthCheckResult HEALTHY = new HealthCheckResult(true, "check passed");

    private final boolean healthy;
    private final String reason;

    private HealthCheckResult(boolean healthy, String reason) {
        this.healthy = healthy;
        this.reason = reason;
    }

    /** @return a passed check */
    public static HealthCheckResult healthy() {
        return HEALTHY;
    }

    /**
     * @param reason why the check failed, for logs and events; not null
     * @return a failed check
     */
    public static HealthCheckResult unhealthy(String reason) {
        return new HealthCheckResult(false, Objects.requireNonNull(reason, "reason"));
    }

    /** @return whether the check passed */
    public boolean isHealthy() {
        return healthy;
    }

    /** @return why (for a passed check, "check passed") */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return healthy ? "healthy" : "unhealthy: " + reason;
    }
}
