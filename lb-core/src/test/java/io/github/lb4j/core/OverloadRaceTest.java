package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Overload signals from several threads at once: once {@link Selection#overloaded} has returned, no select picks
 * that backend inside its window, and once every backend has said so every select fails fast, with a retry time.
 * The figures of docs/RELIABILITY.md ("Overload signals") come from this test's output.
 */
class OverloadRaceTest {

    private static final int THREADS = 8;
    private static final int SELECTS = 25_000;
    private static final int BACKENDS = 5;

    @Test
    void noPickReachesABackendAfterItsSignalAndAnAllOverloadedPoolFailsEverySelect() throws Exception {
        AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < BACKENDS; i++) {
            backends.add(Backend.of("10.3.0." + i, 80).withId("b" + i));
        }
        LoadBalancer lb = LoadBalancer.builder("race").backends(backends).strategy(Strategy.leastRequests())
                .ticker(now::get).slowStart(Duration.ZERO).build();
        // Bit i: backend b{i}'s overloaded() has returned. The window (60 s) never ends: the ticker stands still.
        AtomicInteger paused = new AtomicInteger();
        AtomicLong late = new AtomicLong();
        AtomicLong picks = new AtomicLong();

        // Phase 1: four of the five backends say so, each from another thread, while every thread picks.
        run(t -> {
            for (int n = 0; n < SELECTS; n++) {
                int before = paused.get();
                Selection s = lb.select();
                int i = Integer.parseInt(s.backend().id().substring(1));
                picks.incrementAndGet();
                if ((before & (1 << i)) != 0) {
                    late.incrementAndGet();
                }
                if (t < BACKENDS - 1 && n == 5_000 * (t + 1) && Integer.bitCount(before) < BACKENDS - 1) {
                    s.overloaded(Duration.ofSeconds(60));
                    paused.getAndUpdate(m -> m | (1 << i));
                } else {
                    s.success();
                }
            }
            return null;
        });
        System.out.printf("overload race: %d selects on %d threads, %d backend(s) overloaded meanwhile, %d picks of"
                + " a backend after its signal returned%n", picks.get(), THREADS, Integer.bitCount(paused.get()),
                late.get());
        assertThat(late.get()).isZero();
        assertThat(Integer.bitCount(paused.get())).isBetween(1, BACKENDS - 1);

        // Phase 2: the rest say so too; from then on every select fails fast and says when to come back.
        for (int i = 0; i < BACKENDS; i++) {
            if ((paused.get() & (1 << i)) == 0) {
                lb.select(RequestContext.ofPinned("b" + i)).overloaded(Duration.ofSeconds(30));
            }
        }
        AtomicLong failedFast = new AtomicLong();
        AtomicLong picked = new AtomicLong();
        run(t -> {
            for (int n = 0; n < SELECTS; n++) {
                try {
                    lb.select().close();
                    picked.incrementAndGet();
                } catch (NoBackendAvailableException e) {
                    if (e.retryAfter().filter(d -> d.equals(Duration.ofSeconds(30))).isPresent()) {
                        failedFast.incrementAndGet();
                    }
                }
            }
            return null;
        });
        System.out.printf("overload race: all %d overloaded: %d of %d selects failed with retryAfter=30s, %d picked%n",
                BACKENDS, failedFast.get(), (long) THREADS * SELECTS, picked.get());
        assertThat(picked.get()).isZero();
        assertThat(failedFast.get()).isEqualTo((long) THREADS * SELECTS);
        assertThat(lb.stats()).allSatisfy(s -> {
            assertThat(s.failures()).isZero();
            assertThat(s.inFlight()).isZero();
            assertThat(s.health()).isEqualTo(BackendHealth.OVERLOADED);
        });

        now.addAndGet(TimeUnit.SECONDS.toNanos(60));
        lb.select().success();
        assertThat(lb.stats()).allSatisfy(s -> assertThat(s.health()).isEqualTo(BackendHealth.HEALTHY));
        lb.close();
    }

    /** Runs {@code body(thread)} on {@link #THREADS} threads started together; rethrows the first failure. */
    private static void run(ThreadBody body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Void>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Callable<Void> task = () -> {
                    go.await();
                    return body.run(thread);
                };
                done.add(pool.submit(task));
            }
            go.countDown();
            for (Future<Void> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface ThreadBody {
        Void run(int thread) throws Exception;
    }
}
