package io.github.lb4j.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the "Tail at Scale" scenario ({@link TailScenario#tailAtScale} and {@link TailScenario#outage}) under every
 * hedging policy and prints the markdown tables of {@code docs/PERFORMANCE.md}, beside the paper's figures; writes
 * the charts {@code sim-tail-at-scale-fanout.png} and {@code sim-tail-at-scale-single.png}. {@link SimulatorReport}
 * prints the same section among the others.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java \
 *     -DskipTests -Ddemo.main=io.github.lb4j.simulator.TailAtScaleReport -Dexec.args="docs"
 * </pre>
 *
 * <p>Thread-safety: stateless.
 */
public final class TailAtScaleReport {

    /** Dean and Barroso, "The Tail at Scale", CACM 56(2), 2013: BigTable, 1000 keys read over 100 servers. */
    static final double PAPER_P999_MS = 1800;
    static final double PAPER_HEDGED_P999_MS = 74;
    static final double PAPER_EXTRA = 0.02;

    private TailAtScaleReport() {
    }

    /**
     * @param args the directory for the PNG chart (default {@code docs}); {@code --quick} as a second argument
     *     runs 20 s of virtual time instead of 100 s
     * @throws IOException if the chart cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "docs");
        boolean quick = args.length > 1 && args[1].equals("--quick");
        run(dir, quick, System.out);
    }

    static void run(Path dir, boolean quick, PrintStream out) throws IOException {
        double seconds = quick ? 20 : 100;
        TailScenario normal = TailScenario.tailAtScale(seconds, 1);
        List<TailResult> rs = TailSimulator.runAll(normal, TailSimulator.policies());
        out.printf(Locale.ROOT, "### Tail at Scale: 100 backends, %s; 1000 single and 100 fan-out (x100) requests "
                + "per second for %.0f s%n%n", normal.latency().spec(), seconds);
        out.print(table(rs));
        out.println();

        TailResult none = rs.get(0);
        TailResult fixed = rs.get(1);
        TailResult adaptive = rs.get(2);
        out.printf(Locale.ROOT, "- paper (BigTable, 1000 keys over 100 servers, hedge after 10 ms): p99.9 %.0f -> "
                + "%.0f ms (%.1fx) for %.0f%% more requests%n", PAPER_P999_MS, PAPER_HEDGED_P999_MS,
                PAPER_P999_MS / PAPER_HEDGED_P999_MS, 100 * PAPER_EXTRA);
        for (TailResult r : List.of(fixed, adaptive)) {
            out.printf(Locale.ROOT, "- %s: fan-out p99.9 %.0f -> %.1f ms (%.1fx) for %.2f%% more requests%n",
                    r.policy(), p999(none), p999(r), p999(none) / p999(r), 100 * r.extraLoad());
        }
        boolean met = p999(none) / p999(adaptive) >= 10 && adaptive.extraLoad() <= 0.05;
        out.printf(Locale.ROOT, "- target (atPercentile(95): fan-out p99.9 at least 10x lower for at most 5%% more "
                + "requests): %s%n", met ? "met" : "MISSED");
        out.println();

        TailScenario outage = TailScenario.outage(seconds, 1);
        List<HedgePolicy> outagePolicies = new ArrayList<>(TailSimulator.policies());
        outagePolicies.add(HedgePolicy.after(java.time.Duration.ofMillis(10)).withoutBudget());
        List<TailResult> os = TailSimulator.runAll(outage, outagePolicies);
        out.printf(Locale.ROOT, "### Tail at Scale, outage: every backend x%.0f slower for the whole run%n%n",
                TailScenario.OUTAGE_FACTOR);
        out.print(table(os));
        out.println();
        for (TailResult r : os) {
            if (r.hedges() == 0) {
                continue;
            }
            out.printf(Locale.ROOT, "- %s: extra load %.2f%%, budget bound %.2f%% (%.0f%% of requests + %d/s), %s%n",
                    r.policy(), 100 * r.extraLoad(), 100 * r.budgetBound(), 100 * outage.budgetRatio(),
                    outage.budgetMinPerSecond(), r.extraLoad() <= r.budgetBound() ? "within the budget"
                            : "no budget: beyond it");
        }
        out.println();

        List<Result> singles = new ArrayList<>();
        List<Result> fanOuts = new ArrayList<>();
        for (TailResult r : rs) {
            singles.add(r.single());
            fanOuts.add(r.fanOut());
        }
        Charts.latencyPercentiles("Tail at Scale: 100-way fan-out requests, by hedging policy", fanOuts,
                dir.resolve("sim-tail-at-scale-fanout.png"));
        Charts.latencyPercentiles("Tail at Scale: single requests, by hedging policy", singles,
                dir.resolve("sim-tail-at-scale-single.png"));
    }

    static Tables table(List<TailResult> rs) {
        Tables t = new Tables("policy", "single p50 ms", "single p99 ms", "single p99.9 ms", "fan-out p50 ms",
                "fan-out p99 ms", "fan-out p99.9 ms", "extra requests", "refused by budget",
                "extra server time (cancel frees / not)");
        for (TailResult r : rs) {
            t.row(r.policy(), r.single().percentileMs(0.5), r.single().percentileMs(0.99),
                    r.single().percentileMs(0.999), r.fanOut().percentileMs(0.5), r.fanOut().percentileMs(0.99),
                    p999(r), Tables.pct(r.extraLoad(), 2), r.deniedByBudget(),
                    Tables.pct(r.extraServerTime(), 1) + " / " + Tables.pct(r.extraServerTimeIfNotCancelled(), 1));
        }
        return t;
    }

    private static double p999(TailResult r) {
        return r.fanOut().percentileMs(0.999);
    }
}
