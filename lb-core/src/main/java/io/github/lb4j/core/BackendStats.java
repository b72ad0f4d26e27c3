package io.github.lb4j.core;

/**
 * A point-in-time view of one backend's counters and health, as returned by {@link LoadBalancer#stats()}.
 *
 * <pre>{@code
 * for (BackendStats s : pool.stats()) {
 *     log.info("{} {} in-flight={} requests={} failures={}", s.backend().id(), s.health(),
 *             s.inFlight(), s.requests(), s.failures());
 * }
 * }</pre>
 *
 * <p>The counters are read one after another without a lock, so under load they may be a few calls apart.
 *
 * <p>Thread-safety: immutable.
 */
public final class BackendStats {

    private final Backend backend;
    private final BackendHealth health;
    private final int inFlight;
    private final long requests;
    private final long successes;
    private final long failures;
    private final double latencyEwmaNanos;
    private final long lastTransitionNanos;
    private final String lastTransitionReason;
    private final long membershipConfirmedNanos;

    BackendStats(Backend backend, BackendHealth health, int inFlight, long requests, long successes, long failures,
                 double latencyEwmaNanos, long lastTransitionNanos, String lastTransitionReason,
                 long membershipConfirmedNanos) {
        this.backend = backend;
        this.health = health;
        this.inFlight = inFlight;
        this.requests = requests;
        this.successes = successes;
        this.failures = failures;
        this.latencyEwmaNanos = latencyEwmaNanos;
        this.lastTransitionNanos = lastTransitionNanos;
        this.lastTransitionReason = lastTransitionReason;
        this.membershipConfirmedNanos = membershipConfirmedNanos;
    }

    /** @return the backend */
    public Backend backend() {
        return backend;
    }

    /** @return its health */
    public BackendHealth health() {
        return health;
    }

    /** @return calls selected and not yet completed */
    public int inFlight() {
        return inFlight;
    }

    /** @return calls selected since the backend joined the pool (completed or not) */
    public long requests() {
        return requests;
    }

    /** @return calls reported with {@link Selection#success()} */
    public long successes() {
        return successes;
    }

    /** @return calls reported with {@link Selection#failure(Throwable)} */
    public long failures() {
        return failures;
    }

    /**
     * @return the peak-EWMA latency estimate in nanoseconds, or 0 when latency is not tracked (it is tracked for
     *     {@link Strategy#peakEwma()}) or no call completed yet
     */
    public double latencyEwmaNanos() {
        return latencyEwmaNanos;
    }

    /** @return the {@link Ticker} time of the last health transition (the time it joined, if none) */
    public long lastTransitionNanos() {
        return lastTransitionNanos;
    }

    /** @return why the last health transition happened (e.g. "joined", "5 consecutive failures") */
    public String lastTransitionReason() {
        return lastTransitionReason;
    }

    /**
     * When the pool's membership, this backend's among it, was last known to be current: the {@link Ticker} time of
     * the last {@link LoadBalancer#updateBackends} (by the application or a {@link BackendSource}, changed or not),
     * or of the source's last {@link BackendSource.Sink#confirmed() confirmation}, or of the pool's creation. While
     * discovery is down the pool keeps its last good set and this time stops moving, so
     * {@code ticker.read() - membershipConfirmedNanos()} is how stale the set may be.
     *
     * @return the pool's {@link LoadBalancer#membershipConfirmedNanos()} when these stats were taken
     */
    public long membershipConfirmedNanos() {
        return membershipConfirmedNanos;
    }

    @Override
    public String toString() {
        return "BackendStats{" + backend.id() + ' ' + health.label() + ", inFlight=" + inFlight + ", requests="
                + requests + ", successes=" + successes + ", failures=" + failures + '}';
    }
}
