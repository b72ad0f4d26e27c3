package io.github.lb4j.http;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The timers of per-try timeouts, hedge delays and asynchronous backoffs. Production runs them on a
 * {@link ScheduledExecutorService}; tests inject a fake that fires when they advance a fake clock.
 *
 * <p>Thread-safety: implementations are thread-safe.
 */
interface AttemptTimer {

    /**
     * @param task short and non-blocking: it only posts an event to its call
     * @param delayNanos from now
     * @return cancels the task if it has not run yet; idempotent
     */
    Runnable schedule(Runnable task, long delayNanos);

    static AttemptTimer of(ScheduledExecutorService scheduler) {
        return (task, delayNanos) -> {
            Future<?> f = scheduler.schedule(task, Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        };
    }

    /** The default timer: one daemon thread shared by every balancer, started on first use. */
    static AttemptTimer shared() {
        return Shared.TIMER;
    }

    /** Lazy holder: no thread unless a route times or races its attempts. */
    final class Shared {
        static final AttemptTimer TIMER;

        static {
            AtomicInteger n = new AtomicInteger();
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "lb4j-http-timer-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            // Most timers are canceled (an attempt answers before its per-try timeout): do not keep them queued.
            executor.setRemoveOnCancelPolicy(true);
            TIMER = of(executor);
        }

        private Shared() {
        }
    }
}
