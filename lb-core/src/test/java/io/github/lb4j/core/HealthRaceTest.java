package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Outcomes from several threads while ejections start and end: transitions stay legal, bounded and in order. */
class HealthRaceTest {

    @Test
    void concurrentOutcomesAndTimeKeepHealthConsistent() throws Exception {
        AtomicLong now = new AtomicLong();
        List<String> problems = new ArrayList<>();
        Map<String, BackendHealth> last = new HashMap<>();
        int[] ejectedNow = {0};
        int[] maxEjected = {0};
        int[] transitions = {0};
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            backends.add(Backend.of("10.2.0." + i, 80));
        }
        // The listener is called serially, in order: it can keep its own view of every backend's health.
        LoadBalancerListener check = e -> {
            if (e instanceof LoadBalancerEvent.HealthChanged h) {
                BackendHealth before = last.getOrDefault(h.backend().id(), BackendHealth.HEALTHY);
                if (before != h.from() || !h.from().canTransitionTo(h.to())) {
                    problems.add(h.toString());
                }
                last.put(h.backend().id(), h.to());
                ejectedNow[0] += (h.to() == BackendHealth.EJECTED ? 1 : 0) - (h.from() == BackendHealth.EJECTED ? 1 : 0);
                maxEjected[0] = Math.max(maxEjected[0], ejectedNow[0]);
                transitions[0]++;
            }
        };
        LoadBalancer lb = LoadBalancer.builder("race").backends(backends).strategy(Strategy.leastRequests())
                .ticker(now::get).listener(check).listenerExecutor(Runnable::run).build();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            futures.add(pool.submit(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                start.await();
                for (int n = 0; n < 100_000; n++) {
                    Selection s = lb.select();
                    // Backends .0 to .5 fail 60% of their calls, the others 1%.
                    int id = s.backend().host().charAt(s.backend().host().length() - 1) - '0';
                    double p = id < 6 ? 0.6 : 0.01;
                    if (r.nextDouble() < p) {
                        s.failure(new IOException("x"));
                    } else if (r.nextInt(10) == 0) {
                        s.ignore();
                    } else {
                        s.success();
                    }
                }
                return null;
            }));
        }
        futures.add(pool.submit(() -> {
            start.await();
            while (!stop.get()) {
                now.addAndGet(TimeUnit.MILLISECONDS.toNanos(5));
                Thread.onSpinWait();
            }
            return null;
        }));
        start.countDown();
        for (int i = 0; i < threads; i++) {
            futures.get(i).get(60, TimeUnit.SECONDS);
        }
        stop.set(true);
        futures.get(threads).get(10, TimeUnit.SECONDS);
        pool.shutdown();

        assertThat(problems).isEmpty();
        assertThat(transitions[0]).as("ejections and returns happened").isGreaterThan(4);
        assertThat(maxEjected[0]).isBetween(1, 5);
        for (BackendStats s : lb.stats()) {
            assertThat(s.inFlight()).isZero();
            assertThat(s.health()).isEqualTo(last.getOrDefault(s.backend().id(), BackendHealth.HEALTHY));
        }
    }
}
