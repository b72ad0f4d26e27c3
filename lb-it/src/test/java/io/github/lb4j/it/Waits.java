package io.github.lb4j.it;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a state change that real sockets and real time bring about: poll a condition until it holds or a
 * deadline passes. Never a bare sleep: a test waits exactly as long as the change takes and fails, naming what it
 * waited for, if the change does not come.
 */
final class Waits {

    /** Poll interval: short against the scenarios' timescales (hundreds of milliseconds). */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private Waits() {
    }

    /**
     * @return how long the condition took to hold
     * @throws AssertionError if it does not hold within {@code deadline}
     */
    static Duration until(String what, Duration deadline, BooleanSupplier condition) {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after " + deadline.toMillis() + " ms waiting for " + what);
            }
            try {
                TimeUnit.NANOSECONDS.sleep(POLL_NANOS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
