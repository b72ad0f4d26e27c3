package io.github.lb4j.spring;

import static org.assertj.core.api.Assertions.fail;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Pools and bounded waits for the module's own tests. */
final class Fixtures {

    private Fixtures() {
    }

    static LoadBalancer pool(String name, Backend... backends) {
        return LoadBalancer.builder(name).strategy(Strategy.roundRobin()).random(new Random(42))
                .backends(List.of(backends)).build();
    }

    static BackendStats stats(LoadBalancer pool, String id) {
        return pool.stats().stream().filter(s -> s.backend().id().equals(id)).findFirst().orElseThrow();
    }

    static int inFlight(LoadBalancer pool) {
        return pool.stats().stream().mapToInt(BackendStats::inFlight).sum();
    }

    /** Waits, bounded, until no backend of {@code pool} has a call in flight. */
    static void awaitNothingInFlight(LoadBalancer pool) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (inFlight(pool) != 0) {
            if (System.nanoTime() > deadline) {
                fail("calls still in flight in pool " + pool.name() + ": " + pool.stats());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
