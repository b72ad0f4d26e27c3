package io.github.lb4j.core;

import io.github.lb4j.core.LoadBalancerEvent.HealthChanged.Cause;
import java.util.Collection;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks for one pool: one chain of delayed tasks per backend on the (shared) scheduler, at most one
 * check in flight per backend, verdicts applied through the pool's update path, which it reaches through a
 * {@link PoolHelper} only (as {@link PassiveHealth} does).
 *
 * <p>A verdict moves a backend by {@link ActiveHealthCheck}'s rise and fall counts: {@code fall} failed checks in a
 * row take a healthy (or ejected) backend out, {@code rise} passed ones bring it back; the first check decides at once
 * for a backend that waits for it or was trusted until it.
 */
final class ActiveChecks {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    private final PoolHelper pool;
    /** Null when passive outlier detection is off; a backend brought back by a check gets its breaker probed. */
    private final PassiveHealth passive;
    final ActiveHealthCheck config;
    private final CheckScheduler scheduler;
    private final RandomGenerator random;
    private volatile boolean closed;
    /** A misbehaving checker is logged at WARN once per pool, then at DEBUG. */
    private final AtomicBoolean warnedChecker = new AtomicBoolean();

    ActiveChecks(PoolHelper pool, ActiveHealthCheck config, CheckScheduler scheduler, RandomGenerator random,
                 PassiveHealth passive) {
        this.pool = pool;
        this.passive = passive;
        this.config = config;
        this.scheduler = scheduler;
        this.random = random;
    }

    /**
     * Schedules a new member's first check: within one jitter if it waits for that check to get traffic, else at a
     * random point of the first interval, so that the checks of backends that joined together spread out.
     */
    void start(BackendState s) {
        long delay = s.awaitingFirstCheck ? jitter() : randomBelow(config.intervalNanos);
        schedule(s, delay);
    }

    /** Cancels the checks of a backend that left. */
    void stop(BackendState s) {
        Future<?> f = s.nextCheck;
        if (f != null) {
            f.cancel(false);
        }
    }

    /** Stops every check; the caller holds the pool's lock, and releases the scheduler. */
    void close(Collection<BackendState> members) {
        closed = true;
        for (BackendState s : members) {
            stop(s);
        }
    }

    private long jitter() {
        return randomBelow(config.jitterNanos + 1);
    }

    private long randomBelow(long bound) {
        return bound <= 1 ? 0L : random.nextLong(bound);
    }

    private void schedule(BackendState s, long delayNanos) {
        if (closed) {
            return;
        }
        try {
            s.nextCheck = scheduler.schedule(() -> run(s), delayNanos);
        } catch (RejectedExecutionException e) {
            // The scheduler stopped: the pool closed meanwhile.
            return;
        }
        if (closed) {
            stop(s);
        }
    }

    /** One due check. Never throws: an exception here would only kill this backend's chain of checks. */
    void run(BackendState s) {
        if (closed) {
            return;
        }
        if (!s.checkInFlight.compareAndSet(false, true)) {
            // The previous check outlived its timeout and is still running: that is a failed check too.
            finish(s, HealthCheckResult.unhealthy("previous check still running after "
                    + EventDispatcher.duration(config.timeoutNanos)));
            return;
        }
        CompletionStage<HealthCheckResult> stage;
        try {
            stage = config.checker.check(s.backend);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) { // a checker bug, even an Error, is a failed check and must not end the checks
            s.checkInFlight.set(false);
            misbehaved(s, "threw " + e.getClass().getName(), e);
            finish(s, HealthCheckResult.unhealthy("checker threw " + describe(e)));
            return;
        }
        if (stage == null) {
            s.checkInFlight.set(false);
            misbehaved(s, "returned null", null);
            finish(s, HealthCheckResult.unhealthy("checker returned null"));
            return;
        }
        Attempt attempt = new Attempt(s, stage);
        try {
            attempt.timeout = scheduler.schedule(attempt::timedOut, config.timeoutNanos);
        } catch (RejectedExecutionException e) {
            return; // closing
        }
        stage.whenComplete(attempt::completed);
    }

    private void misbehaved(BackendState s, String what, Throwable t) {
        if (warnedChecker.compareAndSet(false, true)) {
            log.warn("pool '{}': health checker {} {} for backend {}; counted as a failed check (logged once, then"
                    + " at DEBUG)", pool.poolName(), config.checker, what, s.id, t);
        } else {
            log.debug("pool '{}': health checker {} for backend {}", pool.poolName(), what, s.id, t);
        }
    }

    /** Applies a verdict and schedules the next check. */
    private void finish(BackendState s, HealthCheckResult verdict) {
        if (closed) {
            return;
        }
        if (!verdict.isHealthy()) {
            log.debug("pool '{}': health check of {} failed: {}", pool.poolName(), s.id, verdict.reason());
        }
        boolean member;
        try {
            member = pool.updateMember(s, now -> applyVerdict(s, verdict, now));
        } catch (RuntimeException e) {
            log.error("pool '{}': applying a health check of {} failed; checks go on", pool.poolName(), s.id, e);
            member = true;
        }
        if (member) {
            schedule(s, config.intervalNanos + jitter());
        }
    }

    /**
     * Applies one verdict. Under the pool's lock, for a current member.
     *
     * @return whether the backend's health changed
     */
    private boolean applyVerdict(BackendState s, HealthCheckResult verdict, long now) {
        boolean trusted = s.trustedUntilChecked;
        s.trustedUntilChecked = false;
        if (verdict.isHealthy()) {
            s.checksFailed = 0;
            s.checksPassed++;
            if (s.health != BackendHealth.UNHEALTHY) {
                return false;
            }
            boolean first = s.awaitingFirstCheck;
            if (!first && s.checksPassed < config.rise) {
                return false;
            }
            s.awaitingFirstCheck = false;
            pool.transition(s, BackendHealth.HEALTHY, now, first ? "first health check passed"
                    : s.checksPassed + " health checks passed in a row", Cause.CHECKS_PASSED);
            pool.backInRotation(s, now);
            if (passive != null) {
                passive.probeAfterCheck(s, now);
            }
            return true;
        }
        s.checksPassed = 0;
        s.checksFailed++;
        if (s.health == BackendHealth.HEALTHY && (trusted || s.checksFailed >= config.fall)) {
            pool.transition(s, BackendHealth.UNHEALTHY, now, trusted ? "first health check failed: "
                    + verdict.reason() : s.checksFailed + " health checks failed in a row; last: " + verdict.reason(),
                    Cause.CHECKS_FAILED);
            return true;
        }
        if ((s.health == BackendHealth.EJECTED || s.health == BackendHealth.OVERLOADED)
                && s.checksFailed >= config.fall) {
            pool.transition(s, BackendHealth.UNHEALTHY, now, s.checksFailed + " health checks failed in a row while "
                    + s.health.label() + "; last: " + verdict.reason(), Cause.CHECKS_FAILED);
            return true;
        }
        return false;
    }

    /** A check's message for reasons and logs: the exception type and the first line of its message. */
    static String describe(Throwable t) {
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        int cut = m.length();
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (c == '\n' || c == '\r' || c == '?') { // never a query string in a log line
                cut = i;
                break;
            }
        }
        return t.getClass().getSimpleName() + ": " + m.substring(0, Math.min(cut, 200));
    }

    /** One check in flight: whichever of its completion and its timeout comes first decides. */
    private final class Attempt {
        private final BackendState s;
        private final CompletionStage<HealthCheckResult> stage;
        private final AtomicBoolean decided = new AtomicBoolean();
        volatile Future<?> timeout;

        Attempt(BackendState s, CompletionStage<HealthCheckResult> stage) {
            this.s = s;
            this.stage = stage;
        }

        void completed(HealthCheckResult result, Throwable error) {
            s.checkInFlight.set(false);
            if (!decided.compareAndSet(false, true)) {
                return;
            }
            Future<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            HealthCheckResult verdict;
            if (error != null) {
                verdict = HealthCheckResult.unhealthy(error instanceof CancellationException ? "check cancelled"
                        : "check failed: " + describe(error));
            } else if (result == null) {
                misbehaved(s, "completed with null", null);
                verdict = HealthCheckResult.unhealthy("checker completed with null");
            } else {
                verdict = result;
            }
            finish(s, verdict);
        }

        void timedOut() {
            if (!decided.compareAndSet(false, true)) {
                return;
            }
            try {
                // Frees the in-flight slot at once for checkers that honour cancellation.
                stage.toCompletableFuture().cancel(true);
            } catch (UnsupportedOperationException ignored) {
                // a stage that cannot be converted stays in flight until it completes
            }
            finish(s, HealthCheckResult.unhealthy("timed out after " + EventDispatcher.duration(config.timeoutNanos)));
        }
    }
}
