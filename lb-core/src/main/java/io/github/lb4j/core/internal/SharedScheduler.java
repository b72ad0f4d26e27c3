package io.github.lb4j.core.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one daemon thread that lb4j's pools (active health checks, deadline rebuilds) and discovery sources (DNS
 * timers and answers) share, reference-counted: each user {@link #acquire() acquires} a lease when it needs the
 * thread and {@link #release() releases} it when it closes, and the last release stops the thread, so closing every
 * pool and source leaves no thread behind. The work on it is short and never blocks (checks and lookups are
 * asynchronous), so one thread serves every user.
 *
 * <pre>{@code
 * SharedScheduler lease = SharedScheduler.acquire();   // on build or start
 * Future<?> timer = lease.schedule(this::refresh, ttlNanos);
 * ...
 * lease.release();                                     // on close: the thread ends with its last lease
 * }</pre>
 *
 * <p>Not API: exported only to lb4j's own modules. Thread-safety: safe for concurrent use.
 */
public final class SharedScheduler {

    /** The name of the thread, followed by {@code -} and a sequence number. */
    public static final String THREAD_NAME = "lb4j-scheduler";

    private static final Object LOCK = new Object();
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** The executor of the current leases; null when there are none. Under {@link #LOCK}. */
    private static ScheduledThreadPoolExecutor executor;
    private static int users;

    private final ScheduledThreadPoolExecutor mine;
    private final Executor inline;
    /** Under {@link #LOCK}. */
    private boolean released;

    private SharedScheduler(ScheduledThreadPoolExecutor mine) {
        this.mine = mine;
        this.inline = command -> {
            try {
                mine.execute(command);
            } catch (RejectedExecutionException stopped) {
                // The last lease was released while a callback was on its way (a lookup answered after its source
                // closed): run it here, so whatever waits on it still completes.
                command.run();
            }
        };
    }

    /**
     * @return a lease on the shared thread, started now if nothing holds one; release it once
     */
    public static SharedScheduler acquire() {
        synchronized (LOCK) {
            if (executor == null) {
                ThreadFactory factory = r -> {
                    Thread t = new Thread(r, THREAD_NAME + "-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                };
                // One thread: it only starts asynchronous work and applies its results.
                ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, factory);
                e.setRemoveOnCancelPolicy(true); // a closed user's cancelled tasks do not linger in the queue
                // On the last release, queued tasks are dropped but a running one is not interrupted: it may be
                // delivering events to listeners (the last release can come from a task of this very thread).
                e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
                executor = e;
            }
            users++;
            return new SharedScheduler(executor);
        }
    }

    /**
     * @param task the work, which should not throw (an exception is kept in the returned future, unseen)
     * @param delayNanos from now; negative counts as 0
     * @return a handle to cancel it
     * @throws RejectedExecutionException if this lease was released and no other holds the thread
     */
    public Future<?> schedule(Runnable task, long delayNanos) {
        return mine.schedule(task, Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
    }

    /** @return runs tasks on the shared thread (on the caller's once the thread has stopped) */
    public Executor executor() {
        return inline;
    }

    /** Gives the lease back; the last one stops the thread. Idempotent. */
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

    /** @return whether any lease is held now (for tests) */
    public static boolean inUse() {
        synchronized (LOCK) {
            return users > 0;
        }
    }

    /** @return tasks waiting on the shared thread now, 0 when it is stopped (for tests) */
    public static int queuedTasks() {
        synchronized (LOCK) {
            return executor == null ? 0 : executor.getQueue().size();
        }
    }
}
