package io.github.lb4j.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@link ZoneQuality} (zones a/b/c with 3/5/10 backends) for each contender, callers even and 0.5/0.3/0.2, and
 * with every zone-a backend down; prints the markdown table of {@code docs/PERFORMANCE.md} and writes
 * {@code sim-zones.png}. {@link SimulatorReport} prints the same section among the others.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java \
 *     -DskipTests -Ddemo.main=io.github.lb4j.simulator.ZoneReport -Dexec.args="docs"
 * </pre>
 *
 * <p>Thread-safety: stateless.
 */
public final class ZoneReport {

    /** The caller spreads measured, with their names in the report. */
    static final double[][] SHARES = {{1 / 3.0, 1 / 3.0, 1 / 3.0}, {0.5, 0.3, 0.2}};
    static final String[] SHARE_NAMES = {"1/3 each", "0.5/0.3/0.2"};

    private ZoneReport() {
    }

    /**
     * @param args the directory for the PNG chart (default {@code docs}); {@code --quick} as a second argument
     *     sends 36 000 requests per run instead of 360 000
     * @throws IOException if the chart cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "docs");
        boolean quick = args.length > 1 && args[1].equals("--quick");
        run(dir, quick, System.out);
    }

    static void run(Path dir, boolean quick, PrintStream out) throws IOException {
        int requests = quick ? 36_000 : 360_000;
        out.println("### Zone-aware routing: zones a/b/c with 3/5/10 backends, one round-robin pool per caller zone, "
                + requests + " requests per run (seed 1)");
        out.println();
        Tables t = new Tables("callers a/b/c", "zone a", "contender", "local share", "feasible max",
                "local / feasible", "max/mean load", "failed", "zone a's callers served by a/b/c");
        List<String> categories = new ArrayList<>();
        ZoneQuality.Contender[] contenders = ZoneQuality.Contender.values();
        double[][] local = new double[contenders.length][4];
        double[][] balance = new double[contenders.length][4];
        int cat = 0;
        for (boolean down : new boolean[] {false, true}) {
            for (int s = 0; s < SHARES.length; s++) {
                categories.add(SHARE_NAMES[s] + (down ? ", a down" : ""));
                for (int c = 0; c < contenders.length; c++) {
                    ZoneQuality.Row r = ZoneQuality.measure(contenders[c], SHARES[s], down, requests, 1);
                    t.row(SHARE_NAMES[s], down ? "down" : "up", contenders[c].label(),
                            Tables.pct(r.localShare(), 1), Tables.pct(r.feasibleLocal(), 1),
                            Tables.pct(r.ofFeasible(), 1), r.maxOverMean(), r.failed(), split(r));
                    local[c][cat] = 100 * r.localShare();
                    balance[c][cat] = r.maxOverMean();
                }
                cat++;
            }
        }
        out.print(t);
        out.println();
        for (int s = 0; s < SHARES.length; s++) {
            double spareB = Math.max(0, 5 / 15.0 - SHARES[s][1]);
            double spareC = Math.max(0, 10 / 15.0 - SHARES[s][2]);
            out.printf(Locale.ROOT, "- callers %s, zone a down: by spare capacity zone a's callers go %.1f%% to b, "
                            + "%.1f%% to c%n", SHARE_NAMES[s], 100 * spareB / (spareB + spareC),
                    100 * spareC / (spareB + spareC));
        }
        out.println("- targets: lb4j's local share >= 98% of the feasible maximum, max/mean load <= 1.05, no failure "
                + "with zone a down");
        out.println();
        List<String> names = new ArrayList<>();
        for (ZoneQuality.Contender c : contenders) {
            names.add(c.label());
        }
        Charts.bars("Zones a/b/c (3/5/10 backends): requests served in the caller's zone", "local share %",
                categories, names, local, dir.resolve("sim-zones-local.png"));
        Charts.bars("Zones a/b/c (3/5/10 backends): max/mean requests per serving backend", "max/mean load",
                categories, names, balance, dir.resolve("sim-zones-balance.png"));
    }

    private static String split(ZoneQuality.Row r) {
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f%%", 100 * r.fromA().get("a"), 100 * r.fromA().get("b"),
                100 * r.fromA().get("c"));
    }
}
