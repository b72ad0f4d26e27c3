package io.github.lb4j.http;

import io.github.lb4j.core.Ticker;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Finagle-style retry budget over a sliding window of one-second buckets. Each call deposits {@code ratio} of a
 * retry, each retry withdraws one; both expire when their bucket leaves the window, and a fixed reserve of
 * {@code minRetriesPerSecond * window} is always available on top. Amounts are kept in thousandths of a retry so
 * that the ratio adds up exactly.
 *
 * <p>Thread-safety: thread-safe. A deposit (every call) takes no lock while its second's bucket is current: it adds
 * to that bucket's {@link LongAdder}; only the first deposit of a new second, and every withdrawal (a retry), take
 * the short lock that rolls the window. At 256 concurrent calls on two cores a lock per call queued callers behind
 * a holder the scheduler had preempted (the fleet soak's recording showed waits of up to 0.3 s).
 */
final class RetryBudget {

    /** Window length in one-second buckets. */
    static final int WINDOW_SECONDS = Route.RETRY_BUDGET_WINDOW_SECONDS;
    private static final long UNIT = 1000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Ticker ticker;
    private final long deposit;
    private final long reserve;
    /** Deposits per bucket, added without the lock; reset under it when the bucket is reused. */
    private final LongAdder[] deposits = new LongAdder[WINDOW_SECONDS];
    /** The second each bucket holds now; a deposit whose second is not its bucket's takes the lock to roll. */
    private final AtomicLongArray seconds = new AtomicLongArray(WINDOW_SECONDS);
    /** Withdrawals per bucket (negative thousandths), under the lock. */
    private final long[] withdrawn = new long[WINDOW_SECONDS];
    private long currentSecond;

    RetryBudget(Ticker ticker, double ratio, int minRetriesPerSecond) {
        this.ticker = ticker;
        this.deposit = Math.round(ratio * UNIT);
        this.reserve = (long) minRetriesPerSecond * WINDOW_SECONDS * UNIT;
        this.currentSecond = Math.floorDiv(ticker.read(), NANOS_PER_SECOND);
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            deposits[i] = new LongAdder();
            seconds.set(i, Long.MIN_VALUE);
        }
        seconds.set(index(currentSecond), currentSecond);
    }

    /** Records one call. */
    void deposit() {
        if (deposit == 0) {
            return;
        }
        long second = Math.floorDiv(ticker.read(), NANOS_PER_SECOND);
        int i = index(second);
        if (seconds.get(i) == second) {
            deposits[i].add(deposit);
            return;
        }
        synchronized (this) {
            deposits[advance(second)].add(deposit);
        }
    }

    /** @return whether one retry may be made; if so it is withdrawn */
    boolean tryWithdraw() {
        long second = Math.floorDiv(ticker.read(), NANOS_PER_SECOND);
        synchronized (this) {
            int i = advance(second);
            if (sum() + reserve < UNIT) {
                return false;
            }
            withdrawn[i] -= UNIT;
            return true;
        }
    }

    /** @return retries that may be made now (for tests and toString) */
    synchronized double balance() {
        advance(Math.floorDiv(ticker.read(), NANOS_PER_SECOND));
        return (sum() + reserve) / (double) UNIT;
    }

    /** Under the lock: what the window holds. */
    private long sum() {
        long sum = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            sum += deposits[i].sum() + withdrawn[i];
        }
        return sum;
    }

    /**
     * Under the lock: expires buckets older than the window and makes {@code second}'s bucket current (its stamp
     * set after its reset, so that a deposit that sees the stamp adds to the emptied bucket); returns its index.
     */
    private int advance(long second) {
        long elapsed = second - currentSecond;
        if (elapsed > 0) {
            long clear = Math.min(elapsed, WINDOW_SECONDS);
            for (long s = second - clear + 1; s <= second; s++) {
                int i = index(s);
                deposits[i].reset();
                withdrawn[i] = 0;
                seconds.set(i, s);
            }
            currentSecond = second;
        }
        // A ticker that goes backwards (it must not, but a fake might) keeps writing to the current bucket.
        return index(currentSecond);
    }

    private static int index(long second) {
        return (int) Math.floorMod(second, (long) WINDOW_SECONDS);
    }

    @Override
    public String toString() {
        return "RetryBudget{balance=" + balance() + '}';
    }
}
