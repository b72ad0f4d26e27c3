package io.github.lb4j.spring.boot;

import java.time.Duration;

/**
 * {@code lb4j.pools.<name>.route.*}: how calls to the pool's logical host are sent (lb-http's {@code Route}).
 *
 * <p>Thread-safety: a mutable bean filled by Spring's binder at start-up.
 */
public class RouteProperties {

    /** Attempts per call including the first, 1 (never retry) to 10; retries go to another backend. Default 2. */
    private Integer maxAttempts;

    /** The longest one attempt may take before it is abandoned (and retried when that is safe). Default none. */
    private Duration perTryTimeout;

    /**
     * Hedging of idempotent requests: a percentile of the route's own latency such as p95, or a fixed delay such
     * as 50ms; unset or none: no hedging.
     */
    private String hedging;

    /** HTTP statuses that count as a failure of the backend and are retried on another one, such as 503. */
    private java.util.List<Integer> retryOnStatus = new java.util.ArrayList<>();

    /** The request header whose value is the hash key of the hash strategies (ring-hash, maglev, rendezvous). */
    private String hashKeyHeader;

    /** @return attempts per call, or null for the default */
    public Integer getMaxAttempts() {
        return maxAttempts;
    }

    /** @param maxAttempts attempts per call */
    public void setMaxAttempts(Integer maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    /** @return the per-try timeout, or null for none */
    public Duration getPerTryTimeout() {
        return perTryTimeout;
    }

    /** @param perTryTimeout the per-try timeout */
    public void setPerTryTimeout(Duration perTryTimeout) {
        this.perTryTimeout = perTryTimeout;
    }

    /** @return the hedging policy as written, or null */
    public String getHedging() {
        return hedging;
    }

    /** @param hedging the hedging policy */
    public void setHedging(String hedging) {
        this.hedging = hedging;
    }

    /** @return the statuses retried on another backend */
    public java.util.List<Integer> getRetryOnStatus() {
        return retryOnStatus;
    }

    /** @param retryOnStatus the statuses retried on another backend */
    public void setRetryOnStatus(java.util.List<Integer> retryOnStatus) {
        this.retryOnStatus = retryOnStatus;
    }

    /** @return the hash-key header, or null */
    public String getHashKeyHeader() {
        return hashKeyHeader;
    }

    /** @param hashKeyHeader the hash-key header */
    public void setHashKeyHeader(String hashKeyHeader) {
        this.hashKeyHeader = hashKeyHeader;
    }
}
