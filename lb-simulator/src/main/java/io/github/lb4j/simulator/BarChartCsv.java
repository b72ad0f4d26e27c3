package io.github.lb4j.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws the benchmark charts of docs/PERFORMANCE.md from a CSV that the table scripts write
 * ({@code lb-benchmarks/select-table.py --csv}, {@code lb-benchmarks-peers/peers-table.py --csv}): one grouped bar
 * chart per distinct {@code file}, lines {@code file,title,y axis,category,series,value}.
 *
 * <pre>
 * python3 lb-benchmarks-peers/peers-table.py --csv peers-chart.csv
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.simulator.BarChartCsv \
 *     -Dexec.args="peers-chart.csv docs"
 * </pre>
 */
public final class BarChartCsv {

    private BarChartCsv() {
    }

    /**
     * @param args the CSV file and the directory to write the PNGs into
     * @throws IOException if the CSV cannot be read or a chart written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: BarChartCsv FILE.csv OUTPUT_DIR, got " + args.length
                    + " arguments");
        }
        for (Path written : draw(Path.of(args[0]), Path.of(args[1]))) {
            System.out.println("wrote " + written);
        }
    }

    /**
     * @return the PNG files written, one per chart
     * @throws IOException if the CSV cannot be read or a chart written
     * @throws IllegalArgumentException naming the line, if a line does not have six fields or a value is not a number
     */
    static List<Path> draw(Path csv, Path dir) throws IOException {
        Map<String, ChartData> charts = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != 6) {
                throw new IllegalArgumentException(csv + " line " + (n + 1) + ": expected 6 fields "
                        + "(file,title,y axis,category,series,value), got " + f.length + ": '" + line + "'");
            }
            double value;
            try {
                value = Double.parseDouble(f[5]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(csv + " line " + (n + 1) + ": value '" + f[5]
                        + "' is not a number", e);
            }
            ChartData c = charts.computeIfAbsent(f[0], k -> new ChartData(f[1], f[2]));
            c.values.computeIfAbsent(f[4], k -> new LinkedHashMap<>()).put(f[3], value);
            if (!c.categories.contains(f[3])) {
                c.categories.add(f[3]);
            }
        }
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, ChartData> e : charts.entrySet()) {
            ChartData c = e.getValue();
            List<String> series = new ArrayList<>(c.values.keySet());
            double[][] v = new double[series.size()][c.categories.size()];
            for (int s = 0; s < series.size(); s++) {
                for (int k = 0; k < c.categories.size(); k++) {
                    v[s][k] = c.values.get(series.get(s)).getOrDefault(c.categories.get(k), 0.0);
                }
            }
            Path file = dir.resolve(e.getKey());
            Charts.bars(c.title, c.yAxis, c.categories, series, v, file);
            written.add(file);
        }
        return written;
    }

    private static final class ChartData {
        final String title;
        final String yAxis;
        final List<String> categories = new ArrayList<>();
        final Map<String, Map<String, Double>> values = new LinkedHashMap<>();

        ChartData(String title, String yAxis) {
            this.title = title;
            this.yAxis = yAxis;
        }
    }
}
