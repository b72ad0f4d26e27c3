package io.github.lb4j.simulator;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * When the {@link TailSimulator} sends a hedge: the same request to another backend not tried yet, at most one per
 * request, when the first attempt has not answered after a delay. The first response wins and the other attempt is
 * cancelled. Hedges spend the scenario's retry budget unless the policy is {@link #withoutBudget()}.
 *
 * <pre>{@code
 * HedgePolicy fixed = HedgePolicy.after(Duration.ofMillis(10));
 * HedgePolicy adaptive = HedgePolicy.atPercentile(95, Duration.ofMillis(2));  // observed p95, at least 2 ms
 * TailResult r = TailSimulator.run(TailScenario.tailAtScale(100, 1), adaptive);
 * }</pre>
 *
 * <p>This is the simulator's model of lb-http's {@code Hedging} (issue 15), not that class: lb-simulator depends on
 * lb-core only.
 *
 * <p>Thread-safety: immutable.
 */
public final class HedgePolicy {

    /** Kinds of policy. */
    enum Kind { NONE, FIXED, PERCENTILE }

    final Kind kind;
    final long delayNanos;
    final double percentile;
    final long minDelayNanos;
    final boolean budgeted;

    private HedgePolicy(Kind kind, long delayNanos, double percentile, long minDelayNanos, boolean budgeted) {
        this.kind = kind;
        this.delayNanos = delayNanos;
        this.percentile = percentile;
        this.minDelayNanos = minDelayNanos;
        this.budgeted = budgeted;
    }

    /** @return no hedging: every request has exactly one attempt */
    public static HedgePolicy none() {
        return new HedgePolicy(Kind.NONE, 0, 0, 0, true);
    }

    /**
     * @param delay how long the first attempt may go unanswered before the hedge is sent, positive
     * @return a fixed-delay policy
     */
    public static HedgePolicy after(Duration delay) {
        return new HedgePolicy(Kind.FIXED, positive("delay", delay), 0, 0, true);
    }

    /**
     * @param percentile the percentile in (0, 100) of the latencies of completed requests after which the hedge is
     *     sent, such as 95
     * @param minDelay the delay never goes below this, positive
     * @return an adaptive policy: the delay follows the observed distribution (an HdrHistogram over a sliding
     *     window of two one-second histograms, so constant memory)
     */
    public static HedgePolicy atPercentile(double percentile, Duration minDelay) {
        if (!(percentile > 0 && percentile < 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100), got " + percentile);
        }
        return new HedgePolicy(Kind.PERCENTILE, 0, percentile, positive("minDelay", minDelay), true);
    }

    /** @return the same policy with hedges not limited by the retry budget (to show what the budget prevents) */
    public HedgePolicy withoutBudget() {
        return new HedgePolicy(kind, delayNanos, percentile, minDelayNanos, false);
    }

    /** @return the policy's name in tables, such as {@code after(10 ms)} or {@code atPercentile(95)} */
    public String name() {
        String base;
        switch (kind) {
            case NONE:
                return "no hedging";
            case FIXED:
                base = "after(" + ms(delayNanos) + " ms)";
                break;
            default:
                base = "atPercentile(" + ms(percentile * 1e6) + ")";
                break;
        }
        return budgeted ? base : base + ", no budget";
    }

    @Override
    public String toString() {
        return kind == Kind.PERCENTILE ? name() + " min " + ms(minDelayNanos) + " ms" : name();
    }

    private static String ms(double nanos) {
        double ms = nanos / 1e6;
        return ms == Math.rint(ms) ? Long.toString((long) ms) : String.format(Locale.ROOT, "%.2f", ms);
    }

    private static long positive(String field, Duration d) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, got " + d);
        }
        return d.toNanos();
    }
}
