package io.github.lb4j.core;

import io.github.lb4j.core.internal.PoolObserver;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The long-lived state a pool keeps for one backend id. It survives snapshot swaps and membership updates in which
 * the id stays, so counters and latency estimates are never reset by an unrelated change.
 *
 * <p>The in-flight count and the number of completed calls share one {@code long} so that a pick and a completion
 * each cost a single atomic add: bits 0-23 hold the in-flight count (16 777 215 concurrent calls on one backend is
 * far beyond what one process can open) and bits 24-63 the completed count.
 *
 * <p>The fields a pick and its outcome touch are declared in two superclasses, {@link BackendCounters} and
 * {@link BackendLatency}, only so that the JVM lays them out first and next to each other: it places a superclass's
 * fields before a subclass's but orders the fields of one class by size, which put the in-flight word and the
 * references a selection reads a hundred bytes apart, on two or three cache lines. On a pool of thousands of
 * backends, whose states do not fit in the cache, every extra line is a miss on each pick.
 */
final class BackendState extends BackendLatency implements PoolObserver.Member {

    private static final VarHandle LOAD;
    private static final VarHandle FAILURES;
    private static final VarHandle NEUTRAL;
    private static final VarHandle IN_A_ROW;
    private static final VarHandle EWMA;
    private static final VarHandle EWMA_STAMP;
    private static final VarHandle FAILURE_RUN;
    private static final VarHandle ATTACHMENTS;
    private static final Object[] NO_ATTACHMENTS = new Object[0];
    /** What a failed call counts as against its latency (see {@link #observeFailure}). */
    static final double FAILURE_PENALTY = 2.0;
    static final int IN_FLIGHT_BITS = 24;
    static final long IN_FLIGHT_MASK = (1L << IN_FLIGHT_BITS) - 1;
    /** Added on completion: one more completed, one less in flight. */
    private static final long COMPLETE = (1L << IN_FLIGHT_BITS) - 1;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LOAD = l.findVarHandle(BackendState.class, "load", long.class);
            FAILURES = l.findVarHandle(BackendState.class, "failures", long.class);
            NEUTRAL = l.findVarHandle(BackendState.class, "neutral", long.class);
            IN_A_ROW = l.findVarHandle(BackendState.class, "failuresInARow", int.class);
            EWMA = l.findVarHandle(BackendState.class, "ewmaNanos", double.class);
            EWMA_STAMP = l.findVarHandle(BackendState.class, "ewmaStampNanos", long.class);
            FAILURE_RUN = l.findVarHandle(BackendState.class, "ewmaFailureRun", int.class);
            ATTACHMENTS = l.findVarHandle(BackendState.class, "attachments", Object[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final String id;
    volatile BackendHealth health = BackendHealth.HEALTHY;
    volatile long transitionNanos;
    volatile String transitionReason = "joined";

    @SuppressWarnings("unused") // accessed through FAILURES
    private volatile long failures;
    @SuppressWarnings("unused") // accessed through NEUTRAL
    private volatile long neutral;

    @SuppressWarnings("unused") // accessed through IN_A_ROW
    private volatile int failuresInARow;
    /** Created on the first failure: a backend that never fails never pays for one. */
    volatile CircuitBreaker breaker;

    // Health bookkeeping, written under the pool's lock only.
    /** The breaker state the pool last reported (as an event); null before the breaker exists. Read racily. */
    volatile CircuitBreaker.State reportedBreakerState;
    long ejectedUntilNanos;
    /** While {@link BackendHealth#OVERLOADED}: when its window ends. Written under the lock, read by messages. */
    volatile long overloadedUntilNanos;
    int ejectionCount;
    /** When the backend last became healthy: the start of the period that decays its ejection count. */
    long healthySinceNanos;
    /** Start of its slow-start ramp, or {@link #NO_RAMP}. */
    long rampStartNanos = NO_RAMP;
    static final long NO_RAMP = Long.MIN_VALUE;

    // Active checks. Counters and flags under the pool's lock; inFlight and the next check's handle are shared with
    // the scheduler and the checker's completion thread.
    int checksPassed;
    int checksFailed;
    /** Waits for its first passed check before it is picked (and does not count toward panic). */
    boolean awaitingFirstCheck;
    /** Picked before its first check; the first failed check takes it out at once. */
    boolean trustedUntilChecked;
    final AtomicBoolean checkInFlight = new AtomicBoolean();
    volatile Future<?> nextCheck;

    BackendState(DefaultLoadBalancer pool, Backend backend) {
        super(pool, backend);
        this.id = backend.id();
    }

    /** Takes an in-flight slot. @return the load word before (see {@link #started}) */
    long acquire() {
        return (long) LOAD.getAndAdd(this, 1L);
    }

    /** @return the calls started on the backend by the time of a load word: completed plus in flight */
    static long started(long loadWord) {
        return (loadWord >>> IN_FLIGHT_BITS) + (loadWord & IN_FLIGHT_MASK);
    }

    /** Releases the in-flight slot and counts one completed call. */
    void complete() {
        LOAD.getAndAdd(this, COMPLETE);
    }

    void countFailure() {
        FAILURES.getAndAdd(this, 1L);
    }

    void countNeutral() {
        NEUTRAL.getAndAdd(this, 1L);
    }

    /** @return the failures in a row, this one included */
    int failureInARow() {
        return (int) IN_A_ROW.getAndAdd(this, 1) + 1;
    }

    int failuresInARow() {
        return (int) IN_A_ROW.getOpaque(this);
    }

    void resetFailuresInARow() {
        IN_A_ROW.setOpaque(this, 0);
    }

    /** Observers' values: owner, value, owner, value... Copied on write (rare), read on each observed completion. */
    private volatile Object[] attachments = NO_ATTACHMENTS;

    @Override
    public Object attachment(PoolObserver owner) {
        Object[] a = attachments;
        for (int i = 0; i < a.length; i += 2) {
            if (a[i] == owner) {
                return a[i + 1];
            }
        }
        return null;
    }

    @Override
    public void attach(PoolObserver owner, Object value) {
        Objects.requireNonNull(owner, "owner");
        for (;;) {
            Object[] cur = attachments;
            int at = -1;
            for (int i = 0; i < cur.length; i += 2) {
                if (cur[i] == owner) {
                    at = i;
                }
            }
            Object[] next;
            if (at >= 0 && value != null) {
                next = cur.clone();
                next[at + 1] = value;
            } else if (at >= 0) {
                next = new Object[cur.length - 2];
                System.arraycopy(cur, 0, next, 0, at);
                System.arraycopy(cur, at + 2, next, at, cur.length - at - 2);
            } else if (value != null) {
                next = Arrays.copyOf(cur, cur.length + 2);
                next[cur.length] = owner;
                next[cur.length + 1] = value;
            } else {
                return;
            }
            if (ATTACHMENTS.compareAndSet(this, cur, next)) {
                return;
            }
        }
    }

    /**
     * Completed minus failed minus neutral, reading the completions first: the pool counts a failure or neutral
     * outcome before its completion, so this never includes a selection that did not succeed; it may lag by the
     * completions counted between the reads.
     */
    @Override
    public long successes() {
        long completed = loadWord() >>> IN_FLIGHT_BITS;
        return Math.max(0L, completed - failures() - neutral());
    }

    @Override
    public int inFlight() {
        return (int) ((long) LOAD.getOpaque(this) & IN_FLIGHT_MASK);
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public BackendHealth health() {
        return health;
    }

    long loadWord() {
        return (long) LOAD.getVolatile(this);
    }

    long failures() {
        return (long) FAILURES.getVolatile(this);
    }

    long neutral() {
        return (long) NEUTRAL.getVolatile(this);
    }

    /**
     * Folds one latency sample into the peak-sensitive EWMA: a sample above the estimate replaces it at once (so a
     * backend that turns slow is avoided immediately), a lower one is blended in with a weight that grows with the
     * time since the last sample.
     */
    void observeLatency(long rttNanos, long now, double tauNanos) {
        double rtt = Math.max(1.0, rttNanos);
        double prev = ewma();
        if (prev <= 0.0 || rtt > prev) {
            EWMA.setOpaque(this, rtt);
        } else {
            double w = decay(Math.max(0L, now - (long) EWMA_STAMP.getOpaque(this)) / tauNanos);
            EWMA.setOpaque(this, prev * w + rtt * (1.0 - w));
        }
        EWMA_STAMP.setOpaque(this, now);
        if ((int) FAILURE_RUN.getOpaque(this) != 0) {
            FAILURE_RUN.setOpaque(this, 0);
        }
    }

    /**
     * Folds one failed call into the estimate as a penalty: twice its latency, or, when the previous sample was a
     * failure too, twice the larger of its latency and the current estimate, so a run of failures doubles the
     * estimate each time. Capped at the larger of the latency and the decay window, so that an idle failing backend
     * decays back and is tried again within a few decay windows.
     *
     * <p>Why: a failure's latency understates the backend's cost. A timeout censors the true latency at the
     * timeout (a backend answering in 2 s behind a 1 s timeout reads as 1 s), and a refused connection returns in
     * a millisecond, which would make a broken backend look like the fastest one. A lone failure costs a healthy
     * backend a share of its traffic for a few seconds; only a run of them makes it expensive. The stamp is
     * renewed even when the estimate does not move, because a failure is fresh evidence and must restart the idle
     * decay.
     */
    void observeFailure(long rttNanos, long now, double tauNanos) {
        double rtt = Math.max(1.0, rttNanos);
        double prev = ewma();
        int run = (int) FAILURE_RUN.getOpaque(this);
        double base = run == 0 ? rtt : Math.max(rtt, prev);
        double penalised = Math.min(base * FAILURE_PENALTY, Math.max(rtt, tauNanos));
        if (penalised > prev) {
            EWMA.setOpaque(this, penalised);
        }
        EWMA_STAMP.setOpaque(this, now);
        if (run < Integer.MAX_VALUE) {
            FAILURE_RUN.setOpaque(this, run + 1);
        }
    }

    /**
     * Forgets the latency estimate: the backend competes as unmeasured (on calls in flight alone, see
     * {@link PeakEwmaStrategy}) until its next call completes, like a backend that just joined. For a backend back in
     * rotation (an ejection ended, health checks passed, or it rejoined while draining), whose estimate describes the
     * failures or the traffic of before it left (failures double it, up to the decay window) rather than the backend
     * that came back: kept, it could starve the returned backend for as long as the estimate takes to decay, a
     * minute or more.
     */
    void forgetLatency() {
        EWMA.setOpaque(this, 0.0);
        FAILURE_RUN.setOpaque(this, 0);
    }

    /** The estimate decayed toward zero for the time since the last sample, so an idle slow backend is retried. */
    double decayedEwma(long now, double tauNanos) {
        double e = ewma();
        if (e <= 0.0) {
            return 0.0;
        }
        long idle = now - (long) EWMA_STAMP.getOpaque(this);
        return idle <= 0 ? e : e * decay(idle / tauNanos);
    }

    /**
     * {@code exp(-x)}. Under load the gaps between samples are tiny against the decay window, so the common case
     * takes a Taylor polynomial (error below x^3/6, under 4e-6 for x < 1/32) instead of a call to {@link Math#exp}.
     */
    static double decay(double x) {
        return x < 0x1p-5 ? 1.0 - x + 0.5 * x * x : Math.exp(-x);
    }

    /** @return the latency estimate in nanoseconds, 0 before the first sample */
    double ewma() {
        return (double) EWMA.getOpaque(this);
    }

    /**
     * Records a health change; the caller holds the pool's update lock.
     *
     * @throws IllegalStateException if the transition is not one of {@link BackendHealth}'s
     */
    void transition(BackendHealth to, long now, String reason) {
        BackendHealth from = health;
        if (!from.canTransitionTo(to)) {
            throw new IllegalStateException("backend " + id + ": no transition from " + from + " to " + to
                    + " (" + reason + ")");
        }
        health = to;
        transitionNanos = now;
        transitionReason = reason;
    }

    BackendStats stats(long membershipConfirmedNanos) {
        long word = loadWord();
        long failed = failures();
        long neutralCount = neutral();
        int inFlight = (int) (word & IN_FLIGHT_MASK);
        long completed = word >>> IN_FLIGHT_BITS;
        return new BackendStats(backend, health, inFlight, completed + inFlight,
                Math.max(0, completed - failed - neutralCount), failed, ewma(), transitionNanos,
                transitionReason, membershipConfirmedNanos);
    }

    @Override
    public String toString() {
        return id;
    }
}
