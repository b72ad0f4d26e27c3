package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Several threads pick and complete while another replaces the membership. */
class ConcurrencyTest {

    static List<Strategy> strategies() {
        return StrategyCases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void picksStayInTheirSnapshotAndCountersReturnToZero(Strategy strategy) throws Exception {
        List<Backend> setA = new ArrayList<>();
        List<Backend> setB = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            setA.add(Backend.of("10.1.0." + i, 80).withWeight(1 + i % 3));
            setB.add(Backend.of("10.1.0." + (i + 4), 80).withWeight(1 + i % 2));
        }
        DefaultLoadBalancer lb = (DefaultLoadBalancer) LoadBalancer.builder("c").backends(setA)
                .strategy(strategy).build();
        int threads = 4;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong picks = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            futures.add(pool.submit(() -> {
                start.await();
                List<Selection> held = new ArrayList<>();
                long n = 0;
                while (!stop.get() || n < 20_000) {
                    Snapshot snap = lb.snapshot();
                    RequestContext ctx = (n & 1) == 0 ? RequestContext.ofHashKey("k" + (n % 97))
                            : RequestContext.empty();
                    Selection s = lb.selectFrom(snap, ctx);
                    if (!contains(snap, s.backend())) {
                        throw new AssertionError(s.backend() + " is not in the snapshot it was picked from");
                    }
                    held.add(s);
                    if (held.size() > 3) {
                        Selection done = held.remove(0);
                        switch ((int) (n % 4)) {
                            case 0: done.success(); break;
                            case 1: done.failure(new RuntimeException("x")); break;
                            case 2: done.ignore(); break;
                            default: done.close(); break;
                        }
                    }
                    n++;
                    if (n > 2_000_000) {
                        break;
                    }
                }
                held.forEach(Selection::success);
                picks.addAndGet(n);
                return id;
            }));
        }
        futures.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < 300; i++) {
                lb.updateBackends(i % 2 == 0 ? setB : setA);
            }
            stop.set(true);
            return -1;
        }));
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(picks.get()).isGreaterThanOrEqualTo(threads * 20_000L);
        for (BackendStats s : lb.stats()) {
            assertThat(s.inFlight()).as(s.backend().id()).isZero();
        }
        assertThat(lb.stats()).allSatisfy(s -> assertThat(s.health()).isNotEqualTo(BackendHealth.DRAINING));
        assertThat(lb.context.totalInFlight.get()).isZero();
    }

    static boolean contains(Snapshot snap, Backend b) {
        for (BackendState s : snap.eligible) {
            if (s.id.equals(b.id())) {
                return true;
            }
        }
        return false;
    }
}
