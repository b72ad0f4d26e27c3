package io.github.lb4j.dns;

import io.github.lb4j.core.internal.SharedScheduler;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where DNS sources run their timers and answer callbacks. Production uses lb4j's one shared daemon thread
 * ({@link SharedScheduler}, also used by pools for health checks), leased by each source from its build until its
 * close (queries are asynchronous, so the thread never waits on the network); a caller may give its own executor;
 * tests substitute a manual scheduler driven by a fake {@link io.github.lb4j.core.Ticker}.
 */
interface TaskScheduler {

    /** Runs {@code task} once after {@code delayNanos}; returns a handle that cancels it. */
    Cancellable schedule(Runnable task, long delayNanos);

    /** Runs the continuations of DNS answers. */
    Executor executor();

    /** The source that used this scheduler closed: gives back what it holds (nothing unless shared). */
    default void release() {
    }

    /** A scheduled task that has not run yet. */
    interface Cancellable {
        void cancel();
    }

    /** A caller's executor, which the caller owns and shuts down. */
    static TaskScheduler of(ScheduledExecutorService service) {
        Logged logged = new Logged();
        return new TaskScheduler() {
            @Override
            public Cancellable schedule(Runnable task, long delayNanos) {
                Future<?> f = service.schedule(() -> logged.run(task), Math.max(0L, delayNanos),
                        TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            }

            @Override
            public Executor executor() {
                return service;
            }
        };
    }

    /** A lease on lb4j's shared scheduler thread, for one source; {@link #release()} gives it back. */
    static TaskScheduler shared() {
        SharedScheduler lease = SharedScheduler.acquire();
        Logged logged = new Logged();
        return new TaskScheduler() {
            @Override
            public Cancellable schedule(Runnable task, long delayNanos) {
                Future<?> f = lease.schedule(() -> logged.run(task), delayNanos);
                return () -> f.cancel(false);
            }

            @Override
            public Executor executor() {
                return lease.executor();
            }

            @Override
            public void release() {
                lease.release();
            }
        };
    }

    /** A scheduled executor keeps a task's exception to itself; this says it, or discovery stops silently. */
    final class Logged {
        private static final Logger log = LoggerFactory.getLogger(DnsBackendSource.class);

        void run(Runnable task) {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("DNS discovery task failed", e);
            }
        }
    }
}
