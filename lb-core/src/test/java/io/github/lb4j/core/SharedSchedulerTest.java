package io.github.lb4j.core;

import static io.github.lb4j.core.HealthFixtures.backends;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.internal.SharedScheduler;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The real scheduler: one daemon thread for all pools, gone when the last pool closes. Checked in a fresh JVM, since
 * pools that other tests leave open may hold the thread of this one.
 */
class SharedSchedulerTest {

    static List<Thread> schedulerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(SharedScheduler.THREAD_NAME) && t.isAlive())
                .collect(Collectors.toList());
    }

    /** Runs in the child JVM; exits 0 when every check holds, else prints what failed and exits 1. */
    public static void main(String[] args) throws Exception {
        check(schedulerThreads().isEmpty(), "no thread before any pool");
        HealthChecker ok = b -> CompletableFuture.completedFuture(HealthCheckResult.healthy());
        ActiveHealthCheck check = ActiveHealthCheck.builder(ok).interval(Duration.ofMillis(20))
                .jitter(Duration.ZERO).build();
        LoadBalancer plain = LoadBalancer.builder("plain").backends(backends("a", "b")).build();
        plain.select().success();
        check(schedulerThreads().isEmpty(), "a pool without checks or deadlines starts no thread");
        LoadBalancer one = LoadBalancer.builder("one").backends(backends("a", "b", "c")).healthCheck(check).build();
        LoadBalancer two = LoadBalancer.builder("two").backends(backends("d", "e")).healthCheck(check).build();
        // A pool whose deadline (a slow-start ramp) uses the same thread while the ramp lasts.
        plain.updateBackends(backends("a", "b", "c"));
        List<Thread> threads = schedulerThreads();
        check(threads.size() == 1, "one thread for three pools, got " + threads);
        Thread t = threads.get(0);
        check(t.isDaemon(), "daemon");
        one.close();
        two.close();
        check(t.isAlive(), "still used by the ramping pool");
        plain.close();
        t.join(10_000);
        check(!t.isAlive(), "thread ended after the last pool closed");
        check(schedulerThreads().isEmpty(), "no thread left");
        System.exit(0);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.out.println("FAILED: " + what);
            System.exit(1);
        }
    }

    @Test
    void oneDaemonThreadForAllPoolsAndNoneLeftAfterClose() throws IOException, InterruptedException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SharedSchedulerTest.class.getName()).redirectErrorStream(true).start();
        boolean finished = p.waitFor(60, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!finished) {
            p.destroyForcibly();
        }
        assertThat(finished).as("child JVM finished").isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }
}
