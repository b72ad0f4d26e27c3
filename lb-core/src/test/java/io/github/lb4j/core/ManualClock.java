package io.github.lb4j.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Comparator;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A fake clock that is also the pool's health-check scheduler (gRPC's FakeClock idea): tasks run only when a test
 * {@link #advance advances} time, in order of due time, on the test's thread. Nothing sleeps, nothing is racy.
 */
final class ManualClock implements Ticker, CheckScheduler {

    private long now = 5_000_000_000L;
    private long seq;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            Comparator.<Task>comparingLong(t -> t.due).thenComparingLong(t -> t.seq));
    /** Every delay ever passed to {@link #schedule}, in order. */
    final List<Long> delays = new ArrayList<>();
    int releases;
    /** Calls to {@link #read()}. */
    long reads;

    @Override
    public synchronized long read() {
        reads++;
        return now;
    }

    @Override
    public synchronized Future<?> schedule(Runnable task, long delayNanos) {
        delays.add(delayNanos);
        Task t = new Task(now + Math.max(0L, delayNanos), seq++, task);
        tasks.add(t);
        return t;
    }

    @Override
    public synchronized void release() {
        releases++;
    }

    /** Moves time forward by {@code d}, running every task that falls due on the way at its due time. */
    ManualClock advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        for (;;) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due > target) {
                    now = target;
                    return this;
                }
                tasks.poll();
                now = Math.max(now, next.due);
            }
            if (!next.cancelled) {
                next.done = true;
                next.task.run();
            }
        }
    }

    ManualClock advanceSeconds(long seconds) {
        return advance(Duration.ofSeconds(seconds));
    }

    /** @return tasks scheduled and neither run nor cancelled */
    synchronized int pending() {
        int n = 0;
        for (Task t : tasks) {
            if (!t.cancelled) {
                n++;
            }
        }
        return n;
    }

    private static final class Task implements Future<Object> {
        final long due;
        final long seq;
        final Runnable task;
        volatile boolean cancelled;
        volatile boolean done;

        Task(long due, long seq, Runnable task) {
            this.due = due;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (done) {
                return false;
            }
            cancelled = true;
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
