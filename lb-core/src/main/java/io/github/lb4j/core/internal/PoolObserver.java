package io.github.lb4j.core.internal;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendHealth;
import io.github.lb4j.core.LoadBalancerEvent;
import java.util.List;

/**
 * What a pool tells an observer attached after it was built ({@link PoolInternals#observe}): every finished
 * selection, every select that found nothing, its events and its membership. For lb4j's own modules (lb-micrometer);
 * not API.
 *
 * <p>Cost: a pool nobody observes pays one volatile read per completion (and, on a strategy that does not time its
 * calls, one per select). An observed pool calls {@link #finished} on the completing thread, so an observer must be
 * quick, lock-free and allocation-free there.
 *
 * <p>Thread-safety: {@link #finished} and {@link #noBackend} run on request threads, concurrently;
 * {@link #members} and {@link #onEvent} run outside the pool's lock, one at a time and in the order of the changes,
 * like a {@link io.github.lb4j.core.LoadBalancerListener}.
 */
public interface PoolObserver {

    /** How a selection finished. */
    enum Result {
        /** {@code success()}. */
        SUCCESS,
        /** {@code failure(cause)}. */
        FAILURE,
        /** {@code ignore()}. */
        IGNORED,
        /** {@code close()} without an outcome, or a leaked selection released: no latency. */
        CLOSED,
        /** {@code overloaded(retryAfter)}: the backend asked to be left alone for a while. */
        OVERLOADED
    }

    /** A backend of the pool, read without a lock (for gauges). One object per membership period of an id. */
    interface Member {
        /** @return the backend as last updated */
        Backend backend();

        /** @return its health now */
        BackendHealth health();

        /** @return its selections open now */
        int inFlight();

        /**
         * The selections on it that finished with {@code success()} since it joined, read without a lock: never
         * more than the true count, possibly a few behind it while completions race the read (a reader wanting a
         * monotonic series keeps the highest value it saw). It lets an observer count successes without work on
         * the request path.
         *
         * @return its successful selections so far
         */
        long successes();

        /**
         * @param owner the observer that attached the value
         * @return what {@code owner} attached to this member with {@link #attach}, or null; a lock-free read, for
         *     the request path (no map lookup per completion)
         */
        Object attachment(PoolObserver owner);

        /**
         * Attaches {@code value} for {@code owner}, replacing what it attached before; null removes it. Meant for
         * {@link #members} (one observer's values are written one at a time).
         *
         * @param owner the observer the value is for
         * @param value its value, or null
         */
        void attach(PoolObserver owner, Object value);
    }

    /** Stops an observation. */
    @FunctionalInterface
    interface Registration {
        /** Stops it; further calls do nothing. */
        void cancel();
    }

    /**
     * The pool's current members (draining ones excluded): once when the observation starts, then after every
     * membership change, in order with {@link #onEvent}.
     *
     * @param members the members, in membership order
     */
    void members(List<Member> members);

    /**
     * A selection finished.
     *
     * @param member its backend
     * @param result how
     * @param latencyNanos from select to the outcome on the pool's ticker, or -1 when not measured: a
     *     {@link Result#CLOSED} selection, one opened before the observation began on a strategy that does not
     *     time its calls, or, on such a strategy, one not sampled (the pool times one selection in 16 per backend
     *     for observers, counting every one)
     */
    void finished(Member member, Result result, long latencyNanos);

    /** A select or pick found no backend (nothing eligible, or the pinned backend is not available). */
    void noBackend();

    /** @param event an event of the pool, after its listeners had it */
    void onEvent(LoadBalancerEvent event);
}
