package io.github.lb4j.jdkhttp;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * One INFO line, the first time a balanced {@code sendAsync} runs on a JVM whose common pool has a parallelism of 1
 * (one or two cores): there the JDK client completes every asynchronous response on a new thread, since
 * {@code CompletableFuture}'s default executor is then a thread per task. At a few thousand responses a second that
 * costs more than the request (the fleet soak: safepoints slow to reach, attempts timing out).
 *
 * <p>Thread-safety: thread-safe; after the first call, one volatile read.
 */
final class AsyncAdvice {

    private static final AtomicBoolean SAID = new AtomicBoolean();

    private AsyncAdvice() {
    }

    static void once() {
        if (!SAID.get() && ForkJoinPool.getCommonPoolParallelism() <= 1 && SAID.compareAndSet(false, true)) {
            LoggerFactory.getLogger(LoadBalancedHttpClient.class).info("the JDK HttpClient's sendAsync starts a new "
                    + "thread for every response on this machine (common pool parallelism {}); "
                    + "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2 lets it use the common pool",
                    ForkJoinPool.getCommonPoolParallelism());
        }
    }
}
