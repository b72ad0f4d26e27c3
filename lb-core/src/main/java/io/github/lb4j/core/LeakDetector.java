package io.github.lb4j.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds {@link Selection}s that became unreachable without an outcome (Netty's {@code ResourceLeakDetector}, for
 * in-flight slots): a leaked selection would hold its backend's in-flight slot forever, and
 * {@link Strategy#leastRequests()} and {@link Strategy#peakEwma()} would treat that phantom slot as load. A tracked
 * selection carries a {@link Leak}, a phantom reference that holds the backend state, the outcome and the stack trace
 * of the {@code select} that opened it, but not the selection. When the garbage collector finds the selection
 * unreachable with no outcome, the pool releases the slot as {@link Selection#close()} would (neutral, no latency)
 * and logs one WARN naming the pool, the backend and where the selection was opened.
 *
 * <p>No thread: the pool polls its reference queue when it opens a tracked selection and when it reports
 * {@link LoadBalancer#stats()} or takes a membership update. An untracked selection costs one comparison: whether to
 * track is decided on the count of calls started on the backend, which the in-flight increment returns anyway.
 *
 * <p>The level is read from the system property {@value #PROPERTY} when a pool is built:
 * <ul>
 *   <li>{@code sampled} (the default): one selection in {@value #SAMPLE_INTERVAL} per backend is tracked (see
 *       {@link #SAMPLE_INTERVAL} for why that many). It reports leaks; it releases only the slots of the leaks it
 *       tracked;</li>
 *   <li>{@code all}: every selection is tracked (lb4j's own tests run with it);</li>
 *   <li>{@code off}: nothing is tracked.</li>
 * </ul>
 *
 * <p>Thread-safety: safe for concurrent use; the outcome of a tracked selection is decided by one CAS on its leak,
 * so a selection completed on any thread is never reported.
 */
final class LeakDetector {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    /** The system property that sets the level: {@code off}, {@code sampled} or {@code all}. */
    static final String PROPERTY = "lb4j.leakDetection";
    /**
     * Sampled: one selection in this many per backend. A tracked selection costs about 1.4 us and 950 bytes more
     * than an untracked one (the stack trace, the phantom reference, its entry in {@link #open}; SelectBenchmark,
     * {@code leakDetection=all}); at 1 in 1024 that is about 1.4 ns and under 1 B per select, inside the run's
     * error and the select target (1.5x floor B), where Netty's 1 in 128 would add about 11 ns, half a select. A
     * code path that leaks usually leaks on every call, so it is still reported within 1024 calls on a backend. A
     * power of two, so the decision is a mask.
     */
    static final int SAMPLE_INTERVAL = 1024;

    /** How many selections are tracked. */
    enum Level {
        OFF, SAMPLED, ALL;

        /** The mask a backend's count of started calls is tested against, or -1 when nothing is tracked. */
        long mask() {
            return this == OFF ? -1L : this == ALL ? 0L : SAMPLE_INTERVAL - 1;
        }

        /**
         * @return the level the system property {@value LeakDetector#PROPERTY} names, {@link #SAMPLED} if unset
         * @throws IllegalArgumentException if it names none
         */
        static Level fromSystemProperty() {
            String value = System.getProperty(PROPERTY);
            if (value == null || value.isBlank()) {
                return SAMPLED;
            }
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("system property " + PROPERTY + " must be off, sampled or all,"
                        + " got '" + io.github.lb4j.core.internal.Checks.printable(value) + "'", e);
            }
        }
    }

    private final String pool;
    private final Level level;
    private final ReferenceQueue<Selection> queue = new ReferenceQueue<>();
    /** Leaks of open tracked selections: a phantom reference must stay reachable to be enqueued. */
    private final Set<Leak> open = ConcurrentHashMap.newKeySet();

    LeakDetector(String pool, Level level) {
        this.pool = pool;
        this.level = level;
    }

    /** A tracked selection; releases the slots of leaks found since the last call first. */
    Selection track(Backend backend, BackendState state, long startNanos) {
        releaseLeaked();
        return new TrackedSelection(backend, state, startNanos, this);
    }

    /** Releases the slot of every selection found unreachable without an outcome, with one WARN each. */
    void releaseLeaked() {
        Reference<? extends Selection> r;
        while ((r = queue.poll()) != null) {
            ((Leak) r).leaked();
        }
    }

    /** @return tracked selections still open */
    int open() {
        return open.size();
    }

    /** Where a tracked selection was opened; its stack trace is the report. Carries nothing of the request. */
    private static final class OpenedAt extends Throwable {
        private static final long serialVersionUID = 1L;

        OpenedAt(Level level) {
            super("the Selection was opened here (" + PROPERTY + "=" + level.name().toLowerCase(Locale.ROOT) + ")");
        }
    }

    /**
     * The state of one tracked selection, reachable without it: its backend state, its outcome and where it was
     * opened. The selection's outcome CAS goes through here, so the leak and a late outcome cannot both count.
     */
    static final class Leak extends PhantomReference<Selection> {
        private static final VarHandle OUTCOME;

        static {
            try {
                OUTCOME = MethodHandles.lookup().findVarHandle(Leak.class, "outcome", Outcome.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final LeakDetector detector;
        private final BackendState state;
        private final OpenedAt openedAt;
        private volatile Outcome outcome;

        Leak(Selection selection, LeakDetector detector, BackendState state) {
            super(selection, detector.queue);
            this.detector = detector;
            this.state = state;
            this.openedAt = new OpenedAt(detector.level);
            detector.open.add(this);
        }

        /** @return whether {@code o} is the selection's first outcome */
        boolean claim(Outcome o) {
            if (!OUTCOME.compareAndSet(this, (Outcome) null, o)) {
                return false;
            }
            detector.open.remove(this);
            clear(); // never enqueued now
            return true;
        }

        Outcome outcome() {
            return outcome;
        }

        /** The selection is unreachable: if it never had an outcome, release its slot and say where it opened. */
        void leaked() {
            if (!claim(Outcome.CLOSED)) {
                return;
            }
            state.pool.onComplete(state, 0L, Outcome.CLOSED, null);
            log.warn("pool '{}': a Selection of backend {} was garbage-collected without an outcome (success,"
                    + " failure, ignore or close); its in-flight slot is released now. Complete every Selection,"
                    + " for example with try-with-resources.", detector.pool, state.id, openedAt);
        }
    }
}
