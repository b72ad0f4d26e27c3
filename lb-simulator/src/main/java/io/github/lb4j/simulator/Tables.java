package io.github.lb4j.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Markdown tables for reports (readable as plain text too). */
final class Tables {

    private final List<String[]> rows = new ArrayList<>();

    Tables(String... header) {
        rows.add(header);
    }

    Tables row(Object... cells) {
        String[] s = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            s[i] = cells[i] instanceof Double ? fmt((Double) cells[i]) : String.valueOf(cells[i]);
        }
        rows.add(s);
        return this;
    }

    static String fmt(double d) {
        if (Double.isNaN(d)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, Math.abs(d) >= 100 ? "%.1f" : Math.abs(d) >= 10 ? "%.2f" : "%.3f", d);
    }

    static String pct(double share, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f%%", 100 * share);
    }

    @Override
    public String toString() {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols && i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            sb.append('|');
            for (int i = 0; i < cols; i++) {
                String cell = i < r.length ? r[i] : "";
                sb.append(' ').append(cell).append(" ".repeat(width[i] - cell.length())).append(" |");
            }
            sb.append('\n');
            if (k == 0) {
                sb.append('|');
                for (int i = 0; i < cols; i++) {
                    sb.append('-').append("-".repeat(width[i])).append("-|");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** The latency table of one scenario. */
    static Tables latency(List<Result> results) {
        Tables t = new Tables("contender", "p50 ms", "p99 ms", "p99.9 ms", "mean ms", "success", "errors",
                "timeouts", "requests");
        for (Result r : results) {
            t.row(r.contender(), r.percentileMs(0.5), r.percentileMs(0.99), r.percentileMs(0.999), r.meanMs(),
                    pct(r.successRate(), 3), r.errors(), r.timeouts(), r.requests());
        }
        return t;
    }
}
