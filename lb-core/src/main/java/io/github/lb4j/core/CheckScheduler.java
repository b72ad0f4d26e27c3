package io.github.lb4j.core;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a pool's delayed health-check work. Production pools share {@link #shared()}; tests pass a fake driven by
 * their fake clock.
 */
interface CheckScheduler {

    /**
     * @param task the work, which must not throw
     * @param delayNanos from now
     * @return a handle to cancel it
     */
    Future<?> schedule(Runnable task, long delayNanos);

    /** Called once when the pool that acquired this scheduler closes. */
    void release();

    /**
     * @return a handle on the one scheduler thread shared by every pool of the process, started now if no pool uses
     *     it; {@link #release()} stops the thread when no pool uses it any more
     */
    static CheckScheduler shared() {
        return SharedScheduler.acquire();
    }
}

/** One daemon thread for all pools, reference-counted so that closing the last pool leaves no thread behind. */
final class SharedScheduler implements CheckScheduler {

    static final String THREAD_NAME = "lb4j-health-scheduler";
    private static final Object LOCK = new Object();
    private static ScheduledThreadPoolExecutor executor;
    private static int users;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ScheduledThreadPoolExecutor mine;
    private boolean released;

    private SharedScheduler(ScheduledThreadPoolExecutor mine) {
        this.mine = mine;
    }

    static CheckScheduler acquire() {
        synchronized (LOCK) {
            if (executor == null) {
                ThreadFactory factory = r -> {
                    Thread t = new Thread(r, THREAD_NAME + "-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                };
                // One thread: it only starts asynchronous checks and applies their verdicts.
                ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, factory);
                e.setRemoveOnCancelPolicy(true); // a closed pool's cancelled tasks do not linger in the queue
                // On the last release, queued tasks are dropped but a running one is not interrupted: it may be
                // delivering events to listeners (the last release can come from a task of this very thread).
                e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
                executor = e;
            }
            users++;
            return new SharedScheduler(executor);
        }
    }

    @Override
    public Future<?> schedule(Runnable task, long delayNanos) {
        return mine.schedule(task, Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public void release() {
        synchronized (LOCK) {
            if (released) {
                return;
            }
            released = true;
            if (--users == 0 && executor == mine) {
                executor.shutdown();
                executor = null;
            }
        }
    }
}
