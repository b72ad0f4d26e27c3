package io.github.lb4j.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;

/**
 * One pick of a backend for one request, and the channel through which the request's outcome flows back to the
 * pool. From {@link LoadBalancer#select} until its first outcome the backend counts one more call in flight (what
 * {@link Strategy#leastRequests()} and {@link Strategy#peakEwma()} compare).
 *
 * <pre>{@code
 * try (Selection selection = pool.select()) {
 *     Backend backend = selection.backend();
 *     try {
 *         Response r = call(backend.host(), backend.port());
 *         if (r.status() >= 500) selection.failure(new IOException("HTTP " + r.status()));
 *         else selection.success();
 *     } catch (IOException e) {
 *         selection.failure(e);
 *         throw e;
 *     }
 * }   // close() after an outcome does nothing; without one it releases the slot and counts nothing
 * }</pre>
 *
 * <p>Only the first of {@link #success()}, {@link #failure(Throwable)}, {@link #ignore()},
 * {@link #overloaded(Duration)} and {@link #close()} takes effect; later calls are no-ops. The latency reported to
 * the pool is measured by the selection itself, from {@code select} to that first call, on the pool's
 * {@link Ticker}.
 *
 * <p>A selection dropped without an outcome is a leak: its backend would count the call in flight forever. The pool
 * finds such selections when the garbage collector does, releases their slots as {@link #close()} would and logs one
 * WARN each, naming the pool, the backend and the stack trace of the {@code select} that opened it. By default one
 * selection in 1024 per backend is watched (a leaking code path usually leaks every time, so it is reported within
 * that many calls, at about a nanosecond per select; only the watched leaks get their slots back); the system
 * property {@code lb4j.leakDetection} set to {@code all} watches every selection (for tests: each then captures a
 * stack trace), {@code off} none. It is read when a pool is built.
 *
 * <p>Thread-safety: safe to complete from any thread, including concurrently (exactly one outcome wins).
 */
public sealed class Selection implements AutoCloseable permits TrackedSelection {

    /**
     * The longest window {@link #overloaded(Duration)} takes a backend out for; longer ones are cut to it. Five
     * minutes, the default longest ejection of {@link OutlierDetection}: a real overload or rate-limit window is
     * seconds to a few minutes, while a buggy or hostile {@code Retry-After} (a year, 2^31 seconds) must not take a
     * backend away for longer than the pool's own worst verdict would.
     */
    public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    private static final VarHandle OUTCOME;

    static {
        try {
            OUTCOME = MethodHandles.lookup().findVarHandle(Selection.class, "outcome", Outcome.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Backend backend;
    private final BackendState state;
    private final long startNanos;
    /** Null until the first outcome; set once, through {@link #OUTCOME}. */
    private volatile Outcome outcome;

    Selection(Backend backend, BackendState state, long startNanos) {
        this.backend = backend;
        this.state = state;
        this.startNanos = startNanos;
    }

    /** @return the backend to send the request to */
    public final Backend backend() {
        return backend;
    }

    /** Reports that the request succeeded. */
    public final void success() {
        complete(Outcome.SUCCESS, null);
    }

    /**
     * Reports that the request failed in a way that says something about the backend (a connection failure, a
     * timeout, a 5xx): it counts toward passive outlier detection.
     *
     * @param cause what went wrong, not null
     */
    public final void failure(Throwable cause) {
        Objects.requireNonNull(cause, "cause");
        complete(Outcome.FAILURE, cause);
    }

    /**
     * Reports that the request completed with an answer that says nothing about the backend's health (for example a
     * 404 or a 429 the caller provoked): the in-flight slot is released and the latency recorded, but it counts
     * neither as a success nor as a failure.
     */
    public final void ignore() {
        complete(Outcome.IGNORED, null);
    }

    /**
     * Reports that the backend answered it is overloaded and asked to be left alone for {@code retryAfter} (an HTTP
     * 429 or 503 with {@code Retry-After}): like {@link #ignore()} it counts neither as a success nor as a failure
     * (passive outlier detection never ejects for it), and the backend becomes {@link BackendHealth#OVERLOADED}
     * until the pool's {@link Ticker} reaches now plus {@code retryAfter}, capped at {@link #MAX_RETRY_AFTER}. Until
     * then no {@code select} picks it, panic mode included; a pool whose every backend is overloaded fails fast with
     * a {@link NoBackendAvailableException} whose {@link NoBackendAvailableException#retryAfter()} says when the
     * first one is due back. A later signal from an overloaded backend extends its window (when by a second or
     * more), never shortens it; one from a backend that is ejected, unhealthy or draining only counts as ignored.
     * Zero asks for no window.
     *
     * <pre>{@code
     * if (status == 429 || status == 503) selection.overloaded(Duration.ofSeconds(retryAfterSeconds));
     * }</pre>
     *
     * @param retryAfter how long the backend asked to be left alone, not negative
     * @throws IllegalArgumentException if {@code retryAfter} is negative
     */
    public final void overloaded(Duration retryAfter) {
        long nanos = Overload.windowNanos(retryAfter);
        if (claim(Outcome.OVERLOADED)) {
            state.pool.onComplete(state, startNanos, Outcome.OVERLOADED, null);
            state.pool.overloaded(state, nanos);
        }
    }

    /**
     * Releases the in-flight slot if no outcome was reported; counts neither success nor failure and records no
     * latency (the call was abandoned, so its duration means nothing). Does nothing after an outcome.
     */
    @Override
    public final void close() {
        complete(Outcome.CLOSED, null);
    }

    /** The first outcome wins and is accounted for once; later ones do nothing. */
    private void complete(Outcome o, Throwable cause) {
        if (claim(o)) {
            state.pool.onComplete(state, startNanos, o, cause);
        }
    }

    /** @return whether {@code o} is the first outcome (a tracked selection decides it on its leak token) */
    boolean claim(Outcome o) {
        return OUTCOME.compareAndSet(this, (Outcome) null, o);
    }

    /** @return the first outcome, or null */
    Outcome outcome() {
        return outcome;
    }

    /** @return whether an outcome (or close) was already reported */
    public final boolean isDone() {
        return outcome() != null;
    }

    @Override
    public final String toString() {
        return "Selection{" + backend.id() + (isDone() ? ", done" : "") + '}';
    }
}
