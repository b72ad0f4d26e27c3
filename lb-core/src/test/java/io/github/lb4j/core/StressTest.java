package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The concurrency stress test of issue 8: picker threads select and complete (from their own thread and from
 * others, sometimes twice) while one thread churns the membership and another the weights, over every strategy.
 *
 * <p>Invariants, checked on every pick or continuously:
 * <ul>
 *   <li>no exception but the documented {@link NoBackendAvailableException} for a pin to an absent backend;</li>
 *   <li>every pick is a member of the snapshot it was picked from ({@code selectFrom(snapshot, ctx)});</li>
 *   <li>in-flight counts never go negative (a monitor samples them; a negative count would show as a value near
 *       2^24 in the packed word) and the pool-wide count never drops below zero;</li>
 *   <li>at the end every in-flight count is 0 and nothing is left draining.</li>
 * </ul>
 *
 * <p>Size: {@value #TARGET_PICKS} picks in all. Each strategy gets an equal slice of {@value #BUDGET_SECONDS} s; a
 * machine too slow to finish its share in the slice stops early (never below {@value #MIN_PICKS} picks in all) and
 * the printout says how many picks were done. {@code -Dlb4j.stress.picks=N} sets the count and lifts the time bound
 * (a soak run).
 */
class StressTest {

    static final long TARGET_PICKS = 10_000_000L;
    static final long MIN_PICKS = 1_000_000L;
    static final double BUDGET_SECONDS = 15.0;
    static final int PICKERS = 4;
    static final int UNIVERSE = 24;
    /** Selections a picker holds before completing the oldest: keeps several calls in flight per thread. */
    static final int HELD = 4;
    /** Picks between two membership (or weight) updates: about 2 000 updates of each kind per 10M picks. */
    static final long PICKS_PER_UPDATE = 5_000;

    private final List<Backend> universe = new ArrayList<>();
    /** Set when a strategy's time slice ran out before its share of picks. */
    private static final AtomicBoolean DEADLINE_HIT = new AtomicBoolean();

    @Test
    void tenMillionPicksUnderMembershipAndWeightChurn() throws Exception {
        for (int i = 0; i < UNIVERSE; i++) {
            universe.add(Backend.of("10.2.0." + i, 8080));
        }
        List<Strategy> strategies = StrategyCases.all();
        long total = plannedPicks();
        long perStrategy = total / strategies.size();
        // Each strategy gets an equal share of the time budget; a slow machine stops early (but never before
        // MIN_PICKS in all) and the printout says how many select calls were done.
        long slice = System.getProperty("lb4j.stress.picks") != null ? Long.MAX_VALUE
                : (long) (BUDGET_SECONDS * 1e9 / strategies.size());
        long started = System.nanoTime();
        long done = 0;
        long updates = 0;
        StringBuilder report = new StringBuilder();
        for (Strategy strategy : strategies) {
            long t0 = System.nanoTime();
            // Cumulative deadlines: time a fast strategy leaves unused rolls over to the next ones.
            long deadline = slice == Long.MAX_VALUE ? Long.MAX_VALUE
                    : started + slice * (strategies.indexOf(strategy) + 1);
            long[] result = run(strategy, perStrategy, deadline);
            done += result[0];
            updates += result[1];
            report.append(String.format(Locale.ROOT, "  %-34s %,11d selects %,6d updates %6.2f s%n", strategy.name(),
                    result[0], result[1], (System.nanoTime() - t0) / 1e9));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "stress: %,d of %,d planned select calls (%.1f M/s), %,d membership/weight updates,"
                + " %d picker threads, %.1f s, on %d cores%s%n%s", done, total, done / seconds / 1e6, updates,
                PICKERS, seconds, Runtime.getRuntime().availableProcessors(),
                DEADLINE_HIT.get() ? "; scaled down: this machine could not do them within " + BUDGET_SECONDS + " s" : "",
                report);
        assertThat(done).isGreaterThanOrEqualTo(Math.min(total, MIN_PICKS));
    }

    /** The pick count: {@link #TARGET_PICKS}, or {@code -Dlb4j.stress.picks=N} (a soak run sets a larger one). */
    private static long plannedPicks() {
        String explicit = System.getProperty("lb4j.stress.picks");
        return explicit != null ? Long.parseLong(explicit) : TARGET_PICKS;
    }

    /** @return {picks done, updates done} */
    private long[] run(Strategy strategy, long picks, long deadlineNanos) throws Exception {
        DefaultLoadBalancer lb = (DefaultLoadBalancer) LoadBalancer.builder("stress").backends(universe)
                .strategy(strategy).random(new java.util.Random(42)).build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong progress = new AtomicLong();
        AtomicLong updates = new AtomicLong();
        AtomicIntegerArray weights = new AtomicIntegerArray(UNIVERSE);
        for (int i = 0; i < UNIVERSE; i++) {
            weights.set(i, 1);
        }
        AtomicLong membership = new AtomicLong((1L << UNIVERSE) - 1);
        ConcurrentLinkedQueue<Selection> handoff = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(PICKERS + 3);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> pickers = new ArrayList<>();
        long quota = picks / PICKERS;
        for (int t = 0; t < PICKERS; t++) {
            int seed = t;
            pickers.add(pool.submit(() -> {
                start.await();
                pickLoop(lb, quota, deadlineNanos, seed, progress, handoff);
                return null;
            }));
        }
        List<Future<?>> background = new ArrayList<>();
        // Membership churn: a random non-empty subset of the universe, with the current weights.
        background.add(pool.submit(() -> {
            start.await();
            churn(lb, stop, progress, updates, 1, rnd -> {
                long mask;
                do {
                    mask = rnd.nextLong() & ((1L << UNIVERSE) - 1);
                } while (mask == 0);
                membership.set(mask);
            }, membership, weights);
            return null;
        }));
        // Weight churn: one backend's weight changes; ids stay, so its counters must survive.
        background.add(pool.submit(() -> {
            start.await();
            churn(lb, stop, progress, updates, 2, rnd -> weights.set(rnd.nextInt(UNIVERSE), 1 + rnd.nextInt(100)),
                    membership, weights);
            return null;
        }));
        // Health: passive outlier detection is on (the defaults), so runs of failures below eject backends while
        // this runs. HOOK for active health churn (checks flipping backends between healthy and unhealthy, with
        // their returns): add a thread here driving an ActiveHealthCheck, under the same invariants below.
        background.add(pool.submit(() -> {
            start.await();
            monitor(lb, stop);
            return null;
        }));
        start.countDown();
        try {
            for (Future<?> f : pickers) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            for (Future<?> f : background) {
                f.get(30, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        for (Selection s; (s = handoff.poll()) != null; ) {
            s.success();
        }
        for (BackendStats s : lb.stats()) {
            assertThat(s.inFlight()).as("in flight at the end, %s, %s", strategy.name(), s.backend().id()).isZero();
            assertThat(s.health()).as("draining left behind, %s", strategy.name()).isNotEqualTo(BackendHealth.DRAINING);
        }
        assertThat(lb.context.totalInFlight.get()).as("pool-wide in flight, %s", strategy.name()).isZero();
        lb.close();
        return new long[] {progress.get(), updates.get()};
    }

    private static void pickLoop(DefaultLoadBalancer lb, long quota, long deadlineNanos, int seed,
                                 AtomicLong progress, ConcurrentLinkedQueue<Selection> handoff) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long minimum = MIN_PICKS / StrategyCases.all().size() / PICKERS;
        Selection[] held = new Selection[HELD];
        int next = 0;
        long local = 0;
        for (long n = 0; n < quota; n++) {
            if (++local == 1024) {
                progress.addAndGet(local);
                local = 0;
                if (n >= minimum && deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0) {
                    DEADLINE_HIT.set(true);
                    break;
                }
            }
            Snapshot snap = lb.snapshot();
            RequestContext ctx = context(rnd);
            Selection s;
            try {
                s = lb.selectFrom(snap, ctx);
            } catch (NoBackendAvailableException e) {
                if (ctx.pinnedBackendId() == null) {
                    throw e;
                }
                continue; // documented: the pinned backend is not in this snapshot
            }
            if (!inSnapshot(snap, s.backend().id())) {
                throw new AssertionError(s.backend() + " is not in the snapshot it was picked from");
            }
            if (ctx.pinnedBackendId() != null && !ctx.pinnedBackendId().equals(s.backend().id())) {
                throw new AssertionError("pinned to " + ctx.pinnedBackendId() + " but got " + s.backend());
            }
            Selection old = held[next];
            held[next] = s;
            next = (next + 1) % HELD;
            if (old != null) {
                complete(old, rnd, handoff);
            }
        }
        progress.addAndGet(local);
        for (Selection s : held) {
            if (s != null) {
                s.close();
            }
        }
    }

    /** Contexts prepared once, so that the loop measures the pool and not string building. */
    private static final RequestContext[] CONTEXTS = new RequestContext[4096];

    static {
        SplittableRandom rnd = new SplittableRandom(99);
        for (int i = 0; i < CONTEXTS.length; i++) {
            CONTEXTS[i] = newContext(rnd);
        }
    }

    private static RequestContext context(SplittableRandom rnd) {
        return CONTEXTS[rnd.nextInt(CONTEXTS.length)];
    }

    private static RequestContext newContext(SplittableRandom rnd) {
        int r = rnd.nextInt(100);
        if (r < 40) {
            return RequestContext.empty();
        }
        if (r < 80) {
            return RequestContext.ofHashKey("user-" + rnd.nextInt(10_000));
        }
        if (r < 95) {
            return RequestContext.ofHashKey("k" + rnd.nextInt(100))
                    .excluding(List.of("10.2.0." + rnd.nextInt(UNIVERSE) + ":8080"));
        }
        return RequestContext.ofPinned("10.2.0." + rnd.nextInt(UNIVERSE) + ":8080");
    }

    /** One outcome, sometimes two (only the first may count), sometimes from another thread. */
    private static void complete(Selection s, SplittableRandom rnd, ConcurrentLinkedQueue<Selection> handoff) {
        int r = rnd.nextInt(16);
        switch (r) {
            case 0:
                handoff.add(s); // completed by whichever picker polls it next
                break;
            case 1:
                s.failure(new RuntimeException("boom"));
                s.success(); // no effect: first call wins
                break;
            case 2:
                s.ignore();
                break;
            case 3:
                s.close();
                break;
            default:
                s.success();
                break;
        }
        Selection other = r == 4 ? handoff.poll() : null;
        if (other != null) {
            other.success();
            other.close();
        }
    }

    private static boolean inSnapshot(Snapshot snap, String id) {
        for (BackendState s : snap.eligible) {
            if (s.id.equals(id)) {
                return true;
            }
        }
        return false;
    }

    private interface Change {
        void apply(SplittableRandom rnd);
    }

    /** Applies {@code change} and pushes the resulting set, once per {@link #PICKS_PER_UPDATE} picks. */
    private void churn(DefaultLoadBalancer lb, AtomicBoolean stop, AtomicLong progress, AtomicLong updates,
                       int seed, Change change, AtomicLong membership, AtomicIntegerArray weights) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long nextAt = PICKS_PER_UPDATE;
        while (!stop.get()) {
            if (progress.get() < nextAt) {
                LockSupport.parkNanos(50_000); // pacing only: updates keep step with picks, whatever the speed
                continue;
            }
            nextAt += PICKS_PER_UPDATE;
            change.apply(rnd);
            long mask = membership.get();
            List<Backend> set = new ArrayList<>();
            for (int i = 0; i < UNIVERSE; i++) {
                if ((mask & (1L << i)) != 0) {
                    set.add(universe.get(i).withWeight(weights.get(i)));
                }
            }
            lb.updateBackends(set);
            updates.incrementAndGet();
        }
    }

    /** Samples every backend's in-flight count and the pool-wide one while the run lasts. */
    private void monitor(DefaultLoadBalancer lb, AtomicBoolean stop) {
        // The most that can be in flight: each picker's held selections plus everything parked in the handoff.
        long bound = BackendState.IN_FLIGHT_MASK / 2;
        while (!stop.get()) {
            for (BackendStats s : lb.stats()) {
                if (s.inFlight() < 0 || s.inFlight() > bound) {
                    throw new AssertionError("in-flight count of " + s.backend().id() + " is " + s.inFlight()
                            + ": it went negative");
                }
            }
            long total = lb.context.totalInFlight.get();
            if (total < 0) {
                throw new AssertionError("pool-wide in-flight count is " + total);
            }
            LockSupport.parkNanos(200_000);
        }
    }
}
