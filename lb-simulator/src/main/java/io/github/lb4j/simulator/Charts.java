package io.github.lb4j.simulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts of simulation results (XChart, headless).
 *
 * <p>Thread-safety: stateless.
 */
public final class Charts {

    private Charts() {
    }

    /**
     * Latency by percentile for each contender: x is the number of nines ({@code -log10(1 - q)}: 1 = p90, 2 = p99,
     * 3 = p99.9), y the latency in milliseconds on a log scale.
     *
     * @param title the chart's title
     * @param results one series per result
     * @param file the PNG to write (parent directories are created)
     * @throws IOException if the file cannot be written
     */
    public static void latencyPercentiles(String title, List<Result> results, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title)
                .xAxisTitle("percentile (nines: 1 = p90, 2 = p99, 3 = p99.9)").yAxisTitle("latency (ms)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(0);
        for (Result r : results) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (double nines = 0.0; nines <= 4.0001; nines += 0.02) {
                double q = 1 - Math.pow(10, -nines);
                x.add(nines);
                y.add(Math.max(1e-3, r.percentileMs(Math.max(0.0, q))));
            }
            chart.addSeries(r.contender(), x, y).setMarker(SeriesMarkers.NONE);
        }
        write(chart, file);
    }

    /**
     * Share of requests that succeeded within the SLO, second by second.
     *
     * @param title the chart's title
     * @param results one series per result
     * @param file the PNG to write
     * @throws IOException if the file cannot be written
     */
    public static void successBySecond(String title, List<Result> results, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title)
                .xAxisTitle("time (s)").yAxisTitle("success within SLO (%)").build();
        chart.getStyler().setMarkerSize(0);
        for (Result r : results) {
            double[] s = r.successRateBySecond();
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < s.length; i++) {
                if (!Double.isNaN(s[i])) {
                    x.add((double) i);
                    y.add(100 * s[i]);
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries(r.contender(), x, y).setMarker(SeriesMarkers.NONE);
            }
        }
        write(chart, file);
    }

    /**
     * A grouped bar chart.
     *
     * @param title the chart's title
     * @param yTitle the value axis title
     * @param categories the groups
     * @param series series names
     * @param values values[series][category]
     * @param file the PNG to write
     * @throws IOException if the file cannot be written
     */
    public static void bars(String title, String yTitle, List<String> categories, List<String> series,
                            double[][] values, Path file) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(560).title(title).yAxisTitle(yTitle)
                .build();
        for (int s = 0; s < series.size(); s++) {
            List<Double> v = new ArrayList<>();
            for (double d : values[s]) {
                v.add(d);
            }
            chart.addSeries(series.get(s), categories, v);
        }
        write(chart, file);
    }

    /**
     * One line per series over its values' index (values already in the order to draw, such as sorted).
     *
     * @param title the chart's title
     * @param xTitle the x axis title
     * @param yTitle the y axis title
     * @param series series names
     * @param values values per series
     * @param file the PNG to write
     * @throws IOException if the file cannot be written
     */
    public static void sortedCurves(String title, String xTitle, String yTitle, List<String> series,
                                    List<double[]> values, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setMarkerSize(0);
        for (int s = 0; s < series.size(); s++) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            double[] v = values.get(s);
            for (int i = 0; i < v.length; i++) {
                x.add((double) i);
                y.add(v[i]);
            }
            chart.addSeries(series.get(s), x, y).setMarker(SeriesMarkers.NONE);
        }
        write(chart, file);
    }

    private static void write(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        String name = file.toString();
        String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
    }
}
