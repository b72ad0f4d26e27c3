package io.github.lb4j.core;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The daemon threads that run the listeners of every pool that has listeners and no
 * {@linkplain LoadBalancer.Builder#listenerExecutor executor of its own}, so that no request thread ever runs a
 * listener. Reference-counted like {@link io.github.lb4j.core.internal.SharedScheduler}: a pool with listeners
 * {@linkplain #acquire() acquires} a lease at build and releases it at close; the last release shuts the threads down
 * once what is queued has been delivered, so closing every pool leaves no thread behind. Pools without listeners take
 * no lease and start no thread.
 *
 * <p>Each pool hands over at most one delivery task at a time (its {@link EventDispatcher} serializes them), so the
 * task queue holds at most one task per pool: bounded by the number of pools, whatever the rate of events.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
final class EventThreads {

    /** The name of the threads, followed by {@code -} and a sequence number. */
    static final String THREAD_NAME = "lb4j-events";
    /**
     * Two threads: a pool whose listener is slow holds one for as long as it delivers, and the other keeps serving
     * every other pool. More would cost threads in every process for a rare case; a pool whose listeners may block
     * for long should bring its own executor.
     */
    static final int THREADS = 2;
    /** An idle thread ends after this long; the next event starts it again. */
    static final long KEEP_ALIVE_SECONDS = 30;

    private static final Object LOCK = new Object();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** The executor of the current leases; null when there are none. Under {@link #LOCK}. */
    private static ThreadPoolExecutor executor;
    /** Under {@link #LOCK}. */
    private static int users;

    private EventThreads() {
    }

    /** @return a lease on the shared threads, created now if nothing holds one; release it once */
    static Lease acquire() {
        synchronized (LOCK) {
            if (executor == null) {
                ThreadFactory factory = r -> {
                    Thread t = new Thread(r, THREAD_NAME + "-" + SEQUENCE.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                };
                ThreadPoolExecutor e = new ThreadPoolExecutor(THREADS, THREADS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(), factory);
                e.allowCoreThreadTimeOut(true);
                executor = e;
            }
            users++;
            return new Lease(executor);
        }
    }

    /** @return how many leases are held now (tests) */
    static int users() {
        synchronized (LOCK) {
            return users;
        }
    }

    /** One pool's use of the shared threads. */
    static final class Lease implements Executor {
        private final ThreadPoolExecutor mine;
        /** Under {@link #LOCK}. */
        private boolean released;

        private Lease(ThreadPoolExecutor mine) {
            this.mine = mine;
        }

        /**
         * @throws java.util.concurrent.RejectedExecutionException after the last lease was released
         */
        @Override
        public void execute(Runnable task) {
            mine.execute(task);
        }

        /** Gives the lease back; the last one shuts the threads down after the queued deliveries. Idempotent. */
        void release() {
            synchronized (LOCK) {
                if (released) {
                    return;
                }
                released = true;
                if (--users == 0) {
                    executor.shutdown();
                    executor = null;
                }
            }
        }

        @Override
        public String toString() {
            return THREAD_NAME;
        }
    }
}
