package io.github.lb4j.core;

import static io.github.lb4j.core.HealthFixtures.backends;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The real scheduler: one daemon thread for all pools, gone when the last pool closes. */
class SharedSchedulerTest {

    static List<Thread> schedulerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(SharedScheduler.THREAD_NAME) && t.isAlive())
                .collect(Collectors.toList());
    }

    @Test
    void oneDaemonThreadForAllPoolsAndNoneLeftAfterClose() throws InterruptedException {
        assertThat(schedulerThreads()).isEmpty();
        HealthChecker ok = b -> CompletableFuture.completedFuture(HealthCheckResult.healthy());
        ActiveHealthCheck check = ActiveHealthCheck.builder(ok).interval(Duration.ofMillis(20))
                .jitter(Duration.ZERO).build();
        LoadBalancer one = LoadBalancer.builder("one").backends(backends("a", "b", "c")).healthCheck(check).build();
        LoadBalancer two = LoadBalancer.builder("two").backends(backends("d", "e")).healthCheck(check).build();
        // The thread starts with the first check task; a task is due within one interval.
        List<Thread> threads = schedulerThreads();
        for (int i = 0; threads.isEmpty() && i < 1000; i++) {
            Thread.onSpinWait();
            threads = schedulerThreads();
        }
        assertThat(threads).hasSize(1);
        assertThat(threads.get(0).isDaemon()).isTrue();
        one.close();
        assertThat(threads.get(0).isAlive()).as("still used by pool two").isTrue();
        two.close();
        threads.get(0).join(10_000);
        assertThat(threads.get(0).isAlive()).isFalse();
        assertThat(schedulerThreads()).isEmpty();
    }

    @Test
    void poolsWithoutChecksStartNoThread() {
        LoadBalancer lb = LoadBalancer.builder("none").backends(backends("a")).build();
        lb.select().success();
        assertThat(schedulerThreads()).isEmpty();
        lb.close();
    }
}
