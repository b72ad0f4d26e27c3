package io.github.lb4j.core;

import io.github.lb4j.core.internal.SharedScheduler;
import java.util.concurrent.Future;

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
     * @return a lease on the one scheduler thread shared by every pool and discovery source of the process
     *     ({@link SharedScheduler}), started now if nothing uses it; {@link #release()} stops the thread when
     *     nothing uses it any more
     */
    static CheckScheduler shared() {
        SharedScheduler lease = SharedScheduler.acquire();
        return new CheckScheduler() {
            @Override
            public Future<?> schedule(Runnable task, long delayNanos) {
                return lease.schedule(task, delayNanos);
            }

            @Override
            public void release() {
                lease.release();
            }
        };
    }
}
