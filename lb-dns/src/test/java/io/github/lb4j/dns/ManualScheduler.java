package io.github.lb4j.dns;

import io.github.lb4j.core.Ticker;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link TaskScheduler} on a fake clock: tasks run when the test advances the clock past their due time. */
final class ManualScheduler implements TaskScheduler {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<Task> tasks = new ArrayList<>();

    private static final class Task {
        final Runnable runnable;
        final long dueAt;
        boolean cancelled;

        Task(Runnable runnable, long dueAt) {
            this.runnable = runnable;
            this.dueAt = dueAt;
        }
    }

    Ticker ticker() {
        return now::get;
    }

    long now() {
        return now.get();
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        Task t = new Task(task, now.get() + Math.max(0, delayNanos));
        tasks.add(t);
        return () -> {
            synchronized (ManualScheduler.this) {
                t.cancelled = true;
                tasks.remove(t);
            }
        };
    }

    @Override
    public Executor executor() {
        return Runnable::run;
    }

    /** The delay until the earliest pending task, or -1 if none. */
    synchronized long nextDelay() {
        return tasks.stream().mapToLong(t -> t.dueAt - now.get()).min().orElse(-1);
    }

    synchronized int pending() {
        return tasks.size();
    }

    /** Moves the clock forward, running every task that falls due (in due order), including ones they schedule. */
    void advance(long nanos) {
        long target = now.get() + nanos;
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> t.dueAt <= target).min(Comparator.comparingLong(t -> t.dueAt))
                        .orElse(null);
                if (next == null) {
                    now.set(target);
                    return;
                }
                tasks.remove(next);
                now.set(Math.max(now.get(), next.dueAt));
            }
            if (!next.cancelled) {
                next.runnable.run();
            }
        }
    }
}
