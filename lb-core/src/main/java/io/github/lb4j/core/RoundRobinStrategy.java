package io.github.lb4j.core;

import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round robin over a schedule computed once per snapshot. Equal weights need no schedule: the cursor indexes the
 * backends directly. Unequal weights are reduced by their greatest common divisor and laid out in the order nginx's
 * smooth weighted round robin would produce; the pick is then {@code schedule[cursor++ % length]}, O(1) and
 * lock-free. The cursor is one {@link AtomicInteger} per pool shared by all its pickers, so a membership change does
 * not restart the rotation.
 */
final class RoundRobinStrategy extends Strategy {

    static final RoundRobinStrategy INSTANCE = new RoundRobinStrategy();

    /**
     * Longest schedule kept (4 bytes an entry, so 4 MiB). Weights whose reduced sum exceeds it are scaled down to fit,
     * which keeps proportions to within one part in a million.
     */
    static final int MAX_SCHEDULE = 1 << 20;

    /**
     * The nginx algorithm costs O(n) per schedule entry; above this many steps (entries x backends) the schedule is
     * built by earliest-deadline-first in O(entries x log n) instead: the same exact counts per cycle, a slightly
     * different interleaving.
     */
    static final long MAX_SMOOTH_WORK = 1L << 24;

    @Override
    public String name() {
        return "roundRobin";
    }

    @Override
    PickerFactory newFactory(PoolContext context) {
        AtomicInteger cursor = new AtomicInteger(context.random.nextInt() & Integer.MAX_VALUE);
        return (backends, weights) -> {
            if (Weights.allEqual(weights)) {
                return new Uniform(backends, cursor);
            }
            return new Scheduled(backends, schedule(weights), cursor);
        };
    }

    /** The backend indices of one full cycle. */
    static int[] schedule(int[] weights) {
        int n = weights.length;
        int[] w = weights.clone();
        int g = Weights.gcd(w);
        long total = 0;
        for (int i = 0; i < n; i++) {
            w[i] /= g;
            total += w[i];
        }
        if (total > MAX_SCHEDULE) {
            double scale = (double) MAX_SCHEDULE / total;
            total = 0;
            for (int i = 0; i < n; i++) {
                w[i] = Math.max(1, (int) Math.floor(w[i] * scale));
                total += w[i];
            }
        }
        int len = (int) total;
        return len * (long) n <= MAX_SMOOTH_WORK ? smooth(w, len) : earliestDeadline(w, len);
    }

    /** nginx's smooth weighted round robin, stepped through one full cycle. */
    static int[] smooth(int[] w, int len) {
        int n = w.length;
        long[] current = new long[n];
        int[] out = new int[len];
        for (int k = 0; k < len; k++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                current[i] += w[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= len;
            out[k] = best;
        }
        return out;
    }

    /** Each backend's j-th turn is due at (j + 1/2) / w; turns are taken in order of due time, ties by index. */
    static int[] earliestDeadline(int[] w, int len) {
        int n = w.length;
        PriorityQueue<double[]> queue = new PriorityQueue<>(n, (a, b) -> {
            int c = Double.compare(a[0], b[0]);
            return c != 0 ? c : Double.compare(a[1], b[1]);
        });
        int[] taken = new int[n];
        for (int i = 0; i < n; i++) {
            queue.add(new double[] {0.5 / w[i], i});
        }
        int[] out = new int[len];
        for (int k = 0; k < len; k++) {
            double[] e = queue.poll();
            int i = (int) e[1];
            out[k] = i;
            if (++taken[i] < w[i]) {
                e[0] = (taken[i] + 0.5) / w[i];
                queue.add(e);
            }
        }
        return out;
    }

    static int next(AtomicInteger cursor) {
        return cursor.getAndIncrement() & Integer.MAX_VALUE;
    }

    /**
     * The backends' values at the time the picker is built. A change of weight or metadata rebuilds the picker, so
     * these are as current as the states for {@link Picker#pickBackend}.
     */
    static Backend[] values(BackendState[] backends) {
        Backend[] values = new Backend[backends.length];
        for (int i = 0; i < backends.length; i++) {
            values[i] = backends[i].backend;
        }
        return values;
    }

    static final class Uniform implements Picker {
        private final BackendState[] backends;
        private final Backend[] values;
        private final AtomicInteger cursor;

        Uniform(BackendState[] backends, AtomicInteger cursor) {
            this.backends = backends;
            this.values = values(backends);
            this.cursor = cursor;
        }

        @Override
        public Backend pickBackend(RequestContext ctx, long now) {
            Backend[] v = values;
            return v[next(cursor) % v.length];
        }

        @Override
        public BackendState pick(RequestContext ctx, long now) {
            BackendState[] b = backends;
            int i = next(cursor) % b.length;
            BackendState s = b[i];
            if (ctx.hasExclusions() && ctx.isExcluded(s.id)) {
                // Walk on from this turn rather than drawing more turns: other requests advance the shared cursor
                // between two draws, so repeated draws can land on excluded backends every time (a retry sent
                // back to the backend that just failed, with another one available).
                for (int k = 1; k < b.length; k++) {
                    BackendState next = b[(i + k) % b.length];
                    if (!ctx.isExcluded(next.id)) {
                        return next;
                    }
                }
            }
            return s;
        }
    }

    private static final class Scheduled implements Picker {
        private final BackendState[] backends;
        private final Backend[] values;
        private final int[] schedule;
        private final AtomicInteger cursor;

        Scheduled(BackendState[] backends, int[] schedule, AtomicInteger cursor) {
            this.backends = backends;
            this.values = values(backends);
            this.schedule = schedule;
            this.cursor = cursor;
        }

        @Override
        public Backend pickBackend(RequestContext ctx, long now) {
            return values[schedule[next(cursor) % schedule.length]];
        }

        @Override
        public BackendState pick(RequestContext ctx, long now) {
            BackendState s = backends[schedule[next(cursor) % schedule.length]];
            if (ctx.hasExclusions() && ctx.isExcluded(s.id)) {
                // Walk the cycle without consuming turns of other requests: at most one full cycle.
                int start = next(cursor);
                for (int k = 0; k < schedule.length; k++) {
                    s = backends[schedule[(int) ((start + (long) k) % schedule.length)]];
                    if (!ctx.isExcluded(s.id)) {
                        break;
                    }
                }
            }
            return s;
        }
    }
}
