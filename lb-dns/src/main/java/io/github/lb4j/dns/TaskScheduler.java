package io.github.lb4j.dns;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where DNS sources run their timers and answer callbacks. Production uses one shared daemon thread for every
 * source (queries are asynchronous, so the thread never waits on the network); tests substitute a manual scheduler
 * driven by a fake {@link io.github.lb4j.core.Ticker}.
 */
interface TaskScheduler {

    /** Runs {@code task} once after {@code delayNanos}; returns a handle that cancels it. */
    Cancellable schedule(Runnable task, long delayNanos);

    /** Runs the continuations of DNS answers. */
    Executor executor();

    /** A scheduled task that has not run yet. */
    interface Cancellable {
        void cancel();
    }

    static TaskScheduler of(ScheduledExecutorService service) {
        return new ServiceScheduler(service);
    }

    /** One daemon thread for all DNS sources that are not given a scheduler. */
    static TaskScheduler shared() {
        return Shared.INSTANCE;
    }

    /** Lazily created on first use, never shut down (daemon). */
    final class Shared {
        static final TaskScheduler INSTANCE;

        static {
            ScheduledThreadPoolExecutor service = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "lb4j-dns");
                t.setDaemon(true);
                return t;
            });
            service.setRemoveOnCancelPolicy(true);
            INSTANCE = new ServiceScheduler(service);
        }

        private Shared() {
        }
    }

    final class ServiceScheduler implements TaskScheduler {
        private static final Logger log = LoggerFactory.getLogger(DnsBackendSource.class);
        private final ScheduledExecutorService service;

        ServiceScheduler(ScheduledExecutorService service) {
            this.service = service;
        }

        @Override
        public Cancellable schedule(Runnable task, long delayNanos) {
            ScheduledFuture<?> f = service.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    // A scheduled executor keeps a task's exception to itself; say it, or discovery stops silently.
                    log.error("DNS discovery task failed", e);
                }
            }, Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }

        @Override
        public Executor executor() {
            return service;
        }
    }
}
