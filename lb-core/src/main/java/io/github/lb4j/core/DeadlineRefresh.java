package io.github.lb4j.core;

import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Meets a pool's time-driven changes (an ejection ends, a slow-start ramp takes its next step) with one scheduled
 * rebuild per pool at the earliest deadline, however many backends are ejected or ramping, and holds the pool's share
 * of the scheduler: from the build when active checks need it, else only while a deadline is pending, so an idle pool
 * without checks keeps no scheduler thread alive. With a ticker the scheduler cannot follow (anything but the system
 * ticker, unless a test injects its own scheduler) nothing is scheduled: the snapshot records its deadline and the
 * first pick after it rebuilds ({@link Snapshot#hasDeadline}).
 *
 * <p>Thread-safety: every method is called under the pool's lock.
 */
final class DeadlineRefresh {

    private final boolean scheduled;
    /** Whether {@link #scheduler} is the shared one, held only while a deadline is pending. */
    private final boolean lazy;
    private final Runnable rebuild;
    private CheckScheduler scheduler;
    /** The pending rebuild, and when it is due. */
    private Future<?> task;
    private long taskAt;

    /**
     * @param scheduled whether deadlines are met by a scheduled rebuild
     * @param scheduler the scheduler acquired at build, or null to acquire the shared one on the first deadline
     * @param lazy whether to release the scheduler again when no deadline is left
     * @param rebuild the pool's scheduled rebuild; takes the lock itself
     */
    DeadlineRefresh(boolean scheduled, CheckScheduler scheduler, boolean lazy, Runnable rebuild) {
        this.scheduled = scheduled;
        this.scheduler = scheduler;
        this.lazy = lazy;
        this.rebuild = rebuild;
    }

    /** After each rebuild: makes sure one rebuild is due at or before {@code deadline}, or that none is. */
    void onRebuilt(boolean hasDeadline, long deadline, long now) {
        if (!scheduled) {
            return;
        }
        if (hasDeadline) {
            schedule(deadline, now);
            return;
        }
        cancel();
        if (lazy && scheduler != null) {
            // Nothing pending: a pool without active checks holds no share of the scheduler thread.
            scheduler.release();
            scheduler = null;
        }
    }

    private void schedule(long deadline, long now) {
        if (task != null && !task.isDone() && taskAt - deadline <= 0) {
            return;
        }
        if (task != null) {
            task.cancel(false);
        }
        if (scheduler == null) {
            // (re)acquired here only when nothing else needs the scheduler; released again when no deadline is left
            scheduler = CheckScheduler.shared();
        }
        taskAt = deadline;
        try {
            task = scheduler.schedule(rebuild, deadline - now);
        } catch (RejectedExecutionException e) {
            task = null; // the scheduler stopped: only when this pool is closing
        }
    }

    /** The scheduled rebuild started: the next rebuild schedules afresh. */
    void ran() {
        task = null;
    }

    private void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    /** The pool closed: nothing more is scheduled, and its share of the scheduler is released. */
    void close() {
        cancel();
        if (scheduler != null) {
            scheduler.release();
        }
    }
}
