package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.internal.SharedScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Resource discipline of lb-core: pools and the static and programmatic sources start no thread and schedule no
 * task at all, so building, using and closing many of them leaves the JVM's threads exactly as they were; closing a
 * pool closes its source once, and a closed source takes no more updates. (The DNS source, which does schedule
 * work, has its own test in lb-dns; health checkers get theirs when the health work lands.)
 */
class ResourceReleaseTest {

    static Set<String> liveThreadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(t -> t.getName() + "#" + t.getId()).collect(Collectors.toSet());
    }

    /**
     * Threads alive now that were not at {@code baseline} (threads of earlier tests may end meanwhile). The JDK's
     * own "process reaper", which starts or restarts whenever a process another test started ends, is not the
     * pool's (a CI run saw it appear in the middle of a test).
     */
    static Set<String> added(Set<String> baseline) {
        Set<String> now = liveThreadNames();
        now.removeAll(baseline);
        now.removeIf(n -> n.startsWith("process reaper#"));
        return now;
    }

    @Test
    void poolsAndInProcessSourcesStartNoThreadAndCloseTheirSourceOnce() {
        Set<String> baseline = liveThreadNames();
        List<Backend> set = List.of(Backend.of("10.0.0.1", 80), Backend.of("10.0.0.2", 80));
        AtomicInteger closes = new AtomicInteger();
        List<LoadBalancer> pools = new ArrayList<>();
        List<ProgrammaticBackendSource> programmatic = new ArrayList<>();
        BackendSource shared = BackendSource.of(set);
        for (int i = 0; i < 50; i++) {
            for (Strategy strategy : StrategyCases.all()) {
                ProgrammaticBackendSource p = BackendSource.programmatic();
                programmatic.add(p);
                BackendSource counted = new BackendSource() {
                    @Override
                    public void start(Sink sink) {
                        p.start(sink);
                    }

                    @Override
                    public void close() {
                        closes.incrementAndGet();
                        p.close();
                    }
                };
                pools.add(LoadBalancer.builder("r" + i).strategy(strategy).source(counted).build());
                pools.add(LoadBalancer.builder("s" + i).strategy(strategy).source(shared).build());
                p.update(set);
            }
        }
        for (LoadBalancer pool : pools) {
            try (Selection s = pool.select(RequestContext.ofHashKey("k"))) {
                s.success();
            }
        }
        assertThat(added(baseline)).as("threads started while %d pools are open", pools.size()).isEmpty();
        for (LoadBalancer pool : pools) {
            pool.close();
            pool.close(); // idempotent: the source is closed once
        }
        assertThat(closes).hasValue(programmatic.size());
        for (ProgrammaticBackendSource p : programmatic) {
            assertThatThrownBy(() -> p.update(set)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
        assertThat(added(baseline)).as("threads left after close").isEmpty();
    }

    /**
     * Pools with active health checks share one scheduler thread, reference-counted: it exists while any such pool
     * is open, and closing the last one ends it and every check it had scheduled.
     */
    @Test
    void closingTheLastCheckedPoolEndsTheSharedHealthThread() throws InterruptedException {
        Set<String> baseline = liveThreadNames();
        List<Backend> set = List.of(Backend.of("10.0.0.1", 80), Backend.of("10.0.0.2", 80));
        HealthChecker alwaysHealthy = b -> java.util.concurrent.CompletableFuture.completedFuture(
                HealthCheckResult.healthy());
        List<LoadBalancer> pools = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pools.add(LoadBalancer.builder("checked-" + i).backends(set)
                    .healthCheck(ActiveHealthCheck.of(alwaysHealthy)).build());
        }
        List<Thread> health = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(SharedScheduler.THREAD_NAME))
                .filter(t -> !baseline.contains(t.getName() + "#" + t.getId())) // not one a leaky test left running
                .collect(Collectors.toList());
        assertThat(added(baseline)).as("threads started by 20 checked pools")
                .allMatch(n -> n.startsWith(SharedScheduler.THREAD_NAME)).hasSizeLessThanOrEqualTo(1);
        for (LoadBalancer pool : pools) {
            pool.close();
        }
        for (Thread t : health) {
            t.join(10_000); // ends once its executor is shut down: no sleep, a bounded wait for the thread itself
            assertThat(t.isAlive()).as("%s after the last checked pool closed", t.getName()).isFalse();
        }
        assertThat(added(baseline)).as("threads left after close").isEmpty();
    }
}
