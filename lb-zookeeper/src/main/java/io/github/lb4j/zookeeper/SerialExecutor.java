package io.github.lb4j.zookeeper;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one source's tasks one at a time, in order, on a shared executor: what keeps a source's calls to its pool's
 * sink from overlapping (the SPI asks for that) without a thread per source.
 *
 * <p>Thread-safety: {@link #execute} is safe from any thread.
 */
final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperBackendSource.class);

    private final Executor base;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor base) {
        this.base = base;
    }

    /** One daemon thread for every ZooKeeper source that is not given an executor; its work is short. */
    static Executor shared() {
        return Shared.INSTANCE;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        try {
            base.execute(this::runAll);
        } catch (RuntimeException rejected) {
            synchronized (this) {
                running = false;
                tasks.clear();
            }
            log.warn("ZooKeeper source executor rejected a task ({}); the pool will not see this change",
                    rejected.toString());
        }
    }

    private void runAll() {
        for (;;) {
            Runnable task;
            synchronized (this) {
                task = tasks.poll();
                if (task == null) {
                    running = false;
                    return;
                }
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("ZooKeeper source task failed", e);
            }
        }
    }

    /** Created on first use, never shut down (daemon). */
    private static final class Shared {
        static final ExecutorService INSTANCE = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lb4j-zookeeper");
            t.setDaemon(true);
            return t;
        });

        private Shared() {
        }
    }
}
