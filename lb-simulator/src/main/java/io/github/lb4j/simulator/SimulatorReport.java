package io.github.lb4j.simulator;

import io.github.lb4j.core.HashStrategy;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs every scenario at full size and prints the markdown tables of {@code docs/PERFORMANCE.md}; writes the charts
 * into a directory.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java \
 *     -Ddemo.main=io.github.lb4j.simulator.SimulatorReport -Dexec.args="docs"
 * </pre>
 */
public final class SimulatorReport {

    private SimulatorReport() {
    }

    /**
     * @param args the directory for the PNG charts (default {@code docs}); {@code --quick} as a second argument
     *     shrinks every run
     * @throws IOException if a chart cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "docs");
        boolean quick = args.length > 1 && args[1].equals("--quick");
        run(dir, quick, System.out);
    }

    static void run(Path dir, boolean quick, PrintStream out) throws IOException {
        long t0 = System.nanoTime();
        int keys = quick ? 100_000 : 1_000_000;

        out.println("### Linkerd \"Beyond Round Robin\" (11 backends, 167 ms +- 5 ms, one at 2 s for t = 15-45 s, "
                + "1000 req/s, 1 s timeout)");
        out.println();
        List<Result> linkerd = Simulator.runAll(Scenarios.linkerd(quick ? 0.25 : 1.0, 1),
                Contender.latencyContenders());
        out.print(Tables.latency(linkerd));
        Result oracle = linkerd.get(linkerd.size() - 1);
        out.println();
        for (Result r : linkerd) {
            out.printf(Locale.ROOT, "- %s: p99 / oracle p99 = %.2f%n", r.contender(),
                    r.percentileMs(0.99) / oracle.percentileMs(0.99));
        }
        out.println();
        out.println("The same run with lb-core's default passive outlier detection (5 consecutive failures eject a "
                + "backend for 30 s, longer on repeat; at most 50% of the pool ejected):");
        out.println();
        List<Result> shipped = Simulator.runAll(Scenarios.linkerd(quick ? 0.25 : 1.0, 1),
                Contender.latencyContendersAsShipped());
        out.print(Tables.latency(shipped));
        Charts.latencyPercentiles("Linkerd scenario: latency by percentile", linkerd,
                dir.resolve("sim-linkerd-latency.png"));
        Charts.successBySecond("Linkerd scenario: success within 1 s, per second", linkerd,
                dir.resolve("sim-linkerd-success.png"));
        out.println();

        out.println("### Load-dependent queues: 100 M/M/1 backends (mean service 10 ms), Poisson arrivals");
        out.println();
        Tables q = new Tables("utilisation", "contender", "mean T / service", "theory", "p99 ms", "p99.9 ms");
        List<String> cats = new ArrayList<>();
        List<String> names = new ArrayList<>();
        double[][] means = new double[5][2];
        int col = 0;
        for (double rho : new double[] {0.9, 0.99}) {
            cats.add("rho=" + rho);
            List<Result> rs = Simulator.runAll(Scenarios.queues(100, rho, quick ? 100_000 : 1_000_000, 1),
                    Contender.latencyContenders());
            int row = 0;
            for (Result r : rs) {
                String theory;
                switch (r.contender()) {
                    case "roundRobin":
                        theory = Tables.fmt(QueueTheory.roundRobin(rho, 100)) + " (E100/M/1)";
                        break;
                    case "random":
                        theory = Tables.fmt(QueueTheory.random(rho)) + " (M/M/1)";
                        break;
                    case "leastRequests":
                    case "peakEwma":
                        theory = Tables.fmt(QueueTheory.powerOfD(rho, 2)) + " (d=2, n->inf)";
                        break;
                    default:
                        theory = "-";
                        break;
                }
                q.row(rho, r.contender(), r.meanMs() / 10, theory, r.percentileMs(0.99), r.percentileMs(0.999));
                if (col == 0) {
                    names.add(r.contender());
                }
                means[row++][col] = r.meanMs() / 10;
            }
            col++;
        }
        out.print(q);
        Charts.bars("100 M/M/1 queues: mean response time / mean service time", "mean T / service", cats, names,
                means, dir.resolve("sim-queues.png"));
        out.println();

        TailAtScaleReport.run(dir, quick, out);

        ZoneReport.run(dir, quick, out);

        out.println("### Hash spread: max/mean load, " + keys + " keys");
        out.println();
        Tables hb = new Tables("strategy", "N", "exact max/mean (hash-space share)", "sampled max/mean",
                "noise floor (uniform random keys)");
        for (HashStrategy s : HashQuality.strategies()) {
            for (int n : new int[] {10, 100, 1000}) {
                HashQuality.Balance b = HashQuality.balance(s, n, keys);
                hb.row(b.strategy(), n, b.exactMaxOverMean(), b.sampledMaxOverMean(), b.noiseFloor());
            }
        }
        out.print(hb);
        out.println();

        out.println("### Keys moved on one removal / one addition, / (1/N)");
        out.println();
        Tables mv = new Tables("strategy", "N", "removed / (1/N)", "added / (1/(N+1))");
        for (HashStrategy s : HashQuality.strategies()) {
            for (int n : new int[] {10, 100, 1000}) {
                HashQuality.Movement m = HashQuality.movement(s, n, keys);
                mv.row(m.strategy(), n, m.removedRatio(), m.addedRatio());
            }
        }
        out.print(mv);
        out.println();

        out.println("### Maglev with k% of backends failed (removed)");
        out.println();
        Tables mf = new Tables("N", "table size", "failed", "moved / failed share", "max/mean after (exact)");
        for (int n : new int[] {100, 1000}) {
            for (int k : new int[] {1, 10, 30}) {
                HashQuality.Failed f = HashQuality.failed(Strategy.maglev(), n, k, keys);
                mf.row(n, f.tableSize(), k + "%", f.movedRatio(), f.maxOverMeanAfter());
            }
        }
        out.print(mf);
        out.println();

        out.println("### Table build time (median of 5 pool builds, wall clock on this machine)");
        out.println();
        Tables bt = new Tables("strategy", "N=10 ms", "N=100 ms", "N=1000 ms");
        for (HashStrategy s : HashQuality.strategies()) {
            bt.row(s.name(), HashQuality.buildTime(s, 10, 5).millis(), HashQuality.buildTime(s, 100, 5).millis(),
                    HashQuality.buildTime(s, 1000, 5).millis());
        }
        out.print(bt);
        out.println();

        out.println("### Bounded load (factor 1.25), 10 backends, 1000 calls in flight, 20% of requests on one hot key");
        out.println();
        Tables bl = new Tables("strategy", "max/mean in flight", "cap ceil(c(m+1)/n)/mean", "unbounded max/mean",
                "cold requests off their home");
        for (HashStrategy s : HashQuality.strategies()) {
            HashQuality.Bounded r = HashQuality.boundedLoad(s, 10, 1.25, 0.2, 1000, quick ? 20_000 : 200_000);
            bl.row(r.strategy(), r.maxOverMean(), r.bound(), r.unboundedMaxOverMean(), Tables.pct(r.movedOffHome(), 1));
        }
        out.print(bl);
        out.println();

        out.println("### Weighted accuracy and smoothness (idle pool, 1 ms per call, 100 000 picks)");
        out.println();
        Tables wq = new Tables("weights", "strategy", "max share error", "longest run", "ideal longest run");
        for (int[] w : WeightedQuality.WEIGHT_SETS) {
            for (Strategy s : WeightedQuality.strategies()) {
                WeightedQuality.Row r = WeightedQuality.measure(s, w, quick ? 20_000 : 100_000);
                wq.row(r.weights(), r.strategy(), Tables.pct(r.maxShareError(), 2), r.longestRun(), r.idealRun());
            }
        }
        out.print(wq);
        out.println();
        subsetting(dir, quick, out);
        out.printf(Locale.ROOT, "(report generated in %.1f s)%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Issue 17: deterministic subsetting against random subsetting ({@link SubsettingQuality}). */
    static void subsetting(Path dir, boolean quick, PrintStream out) throws IOException {
        int removals = quick ? 10 : 30;
        out.printf(Locale.ROOT, "### Deterministic subsetting: %d clients, %d backends, subsets of %d, %d requests "
                + "per client (round robin), %d single removals%n%n", SubsettingQuality.CLIENTS,
                SubsettingQuality.BACKENDS, SubsettingQuality.SUBSET, 1000, removals);
        List<SubsettingQuality.Row> rows = SubsettingQuality.measure(SubsettingQuality.CLIENTS,
                SubsettingQuality.BACKENDS, SubsettingQuality.SUBSET, 1000, removals, 1);
        Tables t = new Tables("subsetting", "connections max/mean", "connections min/mean", "requests max/mean",
                "clients moved, one of " + SubsettingQuality.BACKENDS + " removed",
                "clients moved, one of " + (SubsettingQuality.BACKENDS + SubsettingQuality.SUBSET / 2) + " removed",
                "clients that held it");
        for (SubsettingQuality.Row r : rows) {
            t.row(r.way().label(), r.connectionsMaxOverMean(), r.connectionsMinOverMean(), r.requestsMaxOverMean(),
                    Tables.pct(r.movedShare(), 1), Tables.pct(r.movedOffMultiple(), 1),
                    Tables.pct(r.holdersShare(), 1));
        }
        out.print(t);
        out.println();
        SubsettingQuality.Row lb4j = rows.get(rows.size() - 1);
        out.printf(Locale.ROOT, "- targets (lb4j): connections max/mean %.3f (at most 1.05): %s; requests max/mean "
                + "%.3f (at most 1.1): %s%n", lb4j.connectionsMaxOverMean(),
                lb4j.connectionsMaxOverMean() <= 1.05 ? "met" : "missed", lb4j.requestsMaxOverMean(),
                lb4j.requestsMaxOverMean() <= 1.1 ? "met" : "missed");
        out.printf(Locale.ROOT, "- random subsetting, same run: %.0f%%-%.0f%% of the mean connection count (the SRE "
                + "book: 63%%-121%%)%n", 100 * rows.get(0).connectionsMinOverMean(),
                100 * rows.get(0).connectionsMaxOverMean());
        List<String> series = new ArrayList<>();
        List<double[]> curves = new ArrayList<>();
        for (SubsettingQuality.Row r : rows) {
            series.add(r.way().label());
            double mean = (double) SubsettingQuality.CLIENTS * SubsettingQuality.SUBSET / SubsettingQuality.BACKENDS;
            double[] y = new double[r.connections().length];
            for (int i = 0; i < y.length; i++) {
                y[i] = r.connections()[i] / mean;
            }
            curves.add(y);
        }
        Charts.sortedCurves("Clients per backend / mean, backends sorted (1000 clients, 300 backends, subsets of 10)",
                "backends, fewest clients first", "clients / mean", series, curves,
                dir.resolve("sim-subsetting.png"));
        out.println();
    }
}
