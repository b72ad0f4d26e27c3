package io.github.lb4j.examples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes the demo's report: PNG charts drawn with XChart and an {@code index.html} that shows them with the summary.
 *
 * <p>Per run: requests per second by backend, and latency by backend, over time, with the scenario's steps and the
 * pool's health transitions drawn as vertical lines. With several runs: the client's p99 latency per strategy, and
 * the share of requests each strategy sent to the slow backend.
 */
final class Report {

    static final int WIDTH = 1100;
    static final int HEIGHT = 520;
    private static final String TIME_AXIS = "time since start (s)";
    private static final Color CLIENT = new Color(0x22, 0x22, 0x22);

    private Report() {
    }

    /** The chart files of one run, relative to the report directory. */
    static String requestsFile(RunResult r) {
        return r.strategy() + "-requests.png";
    }

    static String latencyFile(RunResult r) {
        return r.strategy() + "-latency.png";
    }

    static final String COMPARE_LATENCY = "compare-latency.png";
    static final String COMPARE_SLOW_SHARE = "compare-slow-share.png";

    /**
     * @return the files written: the charts, then {@code index.html} last
     */
    static List<Path> write(Path dir, List<RunResult> runs, DemoOptions options) throws IOException {
        System.setProperty("java.awt.headless", "true"); // no window, no display needed
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (RunResult r : runs) {
            files.add(save(requestsChart(r, options), dir.resolve(requestsFile(r))));
            files.add(save(latencyChart(r), dir.resolve(latencyFile(r))));
        }
        if (runs.size() > 1) {
            files.add(save(compareLatency(runs), dir.resolve(COMPARE_LATENCY)));
            files.add(save(compareSlowShare(runs), dir.resolve(COMPARE_SLOW_SHARE)));
        }
        Path html = dir.resolve("index.html");
        Files.writeString(html, html(runs, options), StandardCharsets.UTF_8);
        files.add(html);
        return files;
    }

    private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        Files.write(file, ChartEncoder.getBytes(chart, "png"));
        return file;
    }

    private static XYChart timeChart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(TIME_AXIS)
                .yAxisTitle(yTitle).build();
        Styler s = chart.getStyler();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        chart.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setAnnotationLineColor(new Color(0x99, 0x33, 0x33));
        s.setAnnotationLineStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f));
        s.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        s.setAnnotationTextFontColor(new Color(0x99, 0x33, 0x33));
        return chart;
    }

    /** Vertical dashed lines at the scenario's steps and health transitions, each labelled at the top. */
    private static void markEvents(XYChart chart, RunResult r, double top, boolean log) {
        double span = r.duration().toMillis() / 1000.0;
        int i = 0;
        for (RunResult.Event e : r.events()) {
            chart.addAnnotation(new AnnotationLine(e.t(), true, false));
            // Labels at alternating heights so that close events do not overprint each other.
            double y = log ? top / Math.pow(1.6, i % 2) : top * (0.95 - 0.07 * (i % 2));
            String text = (e.scenario() ? "" : "pool: ") + e.label();
            // AnnotationText centres the text on x: shift it right of the line by half its width (about 7 px a
            // character at 12 pt over a plot about 800 px wide).
            double shift = (text.length() * 7.2 / 2 + 5) / 800.0 * span;
            chart.addAnnotation(new AnnotationText(text, e.t() + shift, y, false));
            i++;
        }
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(r.duration().toMillis() / 1000.0);
    }

    static XYChart requestsChart(RunResult r, DemoOptions options) {
        XYChart chart = timeChart(r.strategy() + ": requests per second answered by each backend",
                "requests / s");
        double max = 1;
        for (String name : names(r)) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (RunResult.Sample s : r.samples()) {
                for (RunResult.BackendSample b : s.backends()) {
                    if (b.name().equals(name)) {
                        x.add(s.t() - s.window() / 2);
                        y.add(b.rate());
                        max = Math.max(max, b.rate());
                    }
                }
            }
            if (!x.isEmpty()) {
                XYSeries series = chart.addSeries(label(r, name), x, y);
                series.setMarker(SeriesMarkers.NONE);
                series.setLineWidth(2.2f);
            }
        }
        double top = max * 1.3;
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(top);
        chart.getStyler().setYAxisDecimalPattern("0");
        markEvents(chart, r, top, false);
        return chart;
    }

    static XYChart latencyChart(RunResult r) {
        XYChart chart = timeChart(r.strategy() + ": latency, p50 per backend and p99 of all requests",
                "latency (ms, log scale)");
        chart.getStyler().setYAxisLogarithmic(true);
        double max = 1;
        double min = Double.MAX_VALUE;
        for (String name : names(r)) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (RunResult.Sample s : r.samples()) {
                for (RunResult.BackendSample b : s.backends()) {
                    if (b.name().equals(name)) {
                        x.add(s.t() - s.window() / 2);
                        if (Double.isNaN(b.p50Millis())) {
                            y.add(null); // served nothing in this window: a gap in the line
                        } else {
                            y.add(b.p50Millis());
                            max = Math.max(max, b.p50Millis());
                            min = Math.min(min, b.p50Millis());
                        }
                    }
                }
            }
            if (!x.isEmpty()) {
                XYSeries series = chart.addSeries(label(r, name) + " p50", x, y);
                series.setMarker(SeriesMarkers.CIRCLE);
                series.setLineWidth(1.6f);
            }
        }
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (RunResult.Sample s : r.samples()) {
            if (!Double.isNaN(s.p99Millis())) {
                x.add(s.t() - s.window() / 2);
                y.add(s.p99Millis());
                max = Math.max(max, s.p99Millis());
                min = Math.min(min, s.p99Millis());
            }
        }
        if (!x.isEmpty()) {
            XYSeries client = chart.addSeries("all requests p99", x, y);
            client.setMarker(SeriesMarkers.NONE);
            client.setLineColor(CLIENT);
            client.setLineWidth(3f);
        }
        double top = max * 4;
        chart.getStyler().setYAxisMin(Math.max(0.1, Math.min(min, max) / 2));
        chart.getStyler().setYAxisMax(top);
        chart.getStyler().setYAxisDecimalPattern("0.#");
        chart.getStyler().setMarkerSize(4);
        markEvents(chart, r, top / 1.2, true);
        return chart;
    }

    static XYChart compareLatency(List<RunResult> runs) {
        XYChart chart = timeChart("p99 latency of all requests, by strategy (same scenario)",
                "p99 latency (ms, log scale)");
        chart.getStyler().setYAxisLogarithmic(true);
        double max = 1;
        double min = Double.MAX_VALUE;
        for (RunResult r : runs) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (RunResult.Sample s : r.samples()) {
                if (!Double.isNaN(s.p99Millis())) {
                    x.add(s.t() - s.window() / 2);
                    y.add(s.p99Millis());
                    max = Math.max(max, s.p99Millis());
                    min = Math.min(min, s.p99Millis());
                }
            }
            if (!x.isEmpty()) {
                XYSeries series = chart.addSeries(r.strategy(), x, y);
                series.setMarker(SeriesMarkers.NONE);
                series.setLineWidth(2.5f);
            }
        }
        double top = max * 4;
        chart.getStyler().setYAxisMin(Math.max(0.1, Math.min(min, max) / 2));
        chart.getStyler().setYAxisMax(top);
        chart.getStyler().setYAxisDecimalPattern("0.#");
        // The steps happen at the same fractions of every run, so the first run's events mark them all.
        markEvents(chart, scenarioOnly(runs.get(0)), top / 1.2, true);
        return chart;
    }

    private static RunResult scenarioOnly(RunResult r) {
        return new RunResult(r.strategy(), r.duration(), r.slowBackend(), r.crashedBackend(), r.addedBackend(),
                r.samples(), r.events().stream().filter(RunResult.Event::scenario).toList(), r.phases(),
                r.shed(), r.poolFailures(), r.p50Millis(), r.p99Millis(), r.p999Millis(), r.received());
    }

    static CategoryChart compareSlowShare(List<RunResult> runs) {
        String slow = runs.get(0).slowBackend();
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Share of requests sent to " + slow + " before and while it was slow")
                .xAxisTitle("strategy").yAxisTitle("share of requests (%)").build();
        Styler s = chart.getStyler();
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        chart.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisDecimalPattern("0");
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        chart.getStyler().setLabelsFontColor(CLIENT);
        chart.getStyler().setLabelsPosition(1.02);
        List<String> names = new ArrayList<>();
        List<Double> before = new ArrayList<>();
        List<Double> during = new ArrayList<>();
        for (RunResult r : runs) {
            names.add(r.strategy());
            before.add(100 * r.phase(0).share(slow));
            during.add(100 * r.phase(1).share(slow));
        }
        chart.addSeries("steady phase (" + slow + " normal)", names, before);
        chart.addSeries(slow + " slow (" + DemoRun.SLOW_LATENCY.toMillis() + " ms)", names, during);
        return chart;
    }

    private static List<String> names(RunResult r) {
        List<String> names = new ArrayList<>();
        for (RunResult.Sample s : r.samples()) {
            for (RunResult.BackendSample b : s.backends()) {
                if (!names.contains(b.name())) {
                    names.add(b.name());
                }
            }
        }
        return names;
    }

    /** "b2 (slow)", "b3 (crashes)", "b5 (joins)". */
    private static String label(RunResult r, String name) {
        if (name.equals(r.slowBackend())) {
            return name + " (turns slow)";
        } else if (name.equals(r.crashedBackend())) {
            return name + " (crashes)";
        } else if (name.equals(r.addedBackend())) {
            return name + " (joins)";
        }
        return name;
    }

    static String html(List<RunResult> runs, DemoOptions o) {
        RunResult first = runs.get(0);
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<title>lb4j demo report</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;")
                .append("color:#222}\n")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .7em;")
                .append("text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}\n")
                .append("img{max-width:100%;border:1px solid #ddd;margin:.5em 0}\n</style></head><body>\n");
        h.append("<h1>lb4j demo report</h1>\n<p>")
                .append(esc(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME)))
                .append(" · ").append(o.backends).append(" backends at the start · ").append(o.rate)
                .append(" requests/s · ").append(secs(first.duration().toMillis() / 1000.0))
                .append(" per strategy</p>\n");
        h.append("<h2>Scenario</h2>\n<ol>\n")
                .append("<li>steady: every backend answers in about ").append(DemoRun.NORMAL_LATENCY.toMillis())
                .append(" ms</li>\n")
                .append("<li>at ").append(pct(DemoRun.SLOW_AT)).append(": <b>").append(first.slowBackend())
                .append("</b> becomes slow (about ").append(DemoRun.SLOW_LATENCY.toMillis()).append(" ms)</li>\n")
                .append("<li>at ").append(pct(DemoRun.CRASH_AT)).append(": <b>").append(first.crashedBackend())
                .append("</b> crashes (its server socket and open connections are closed)</li>\n")
                .append("<li>at ").append(pct(DemoRun.RETURN_AT)).append(": ").append(first.crashedBackend())
                .append(" comes back on the same port</li>\n")
                .append("<li>at ").append(pct(DemoRun.ADD_AT)).append(": <b>").append(first.addedBackend())
                .append("</b> is added to the pool</li>\n</ol>\n")
                .append("<p>Dashed vertical lines in the charts mark these steps; lines labelled <i>pool:</i> mark ")
                .append("health transitions the pool itself reported (<code>BackendStats.health()</code>).</p>\n");
        h.append("<h2>Summary</h2>\n").append(summaryTable(runs));
        if (runs.size() > 1) {
            h.append("<h2>Strategies side by side</h2>\n")
                    .append(img(COMPARE_LATENCY, "p99 latency by strategy"))
                    .append(img(COMPARE_SLOW_SHARE, "share of requests sent to the slow backend"));
        }
        for (RunResult r : runs) {
            h.append("<h2>").append(esc(r.strategy())).append("</h2>\n<ul>\n");
            for (String line : Demo.story(r)) {
                h.append("<li>").append(esc(line)).append("</li>\n");
            }
            h.append("</ul>\n")
                    .append(img(requestsFile(r), r.strategy() + ": requests per second by backend"))
                    .append(img(latencyFile(r), r.strategy() + ": latency by backend"));
        }
        h.append("<p>Produced by <code>io.github.lb4j.examples.Demo</code>.</p>\n</body></html>\n");
        return h.toString();
    }

    private static String summaryTable(List<RunResult> runs) {
        String slow = runs.get(0).slowBackend();
        StringBuilder t = new StringBuilder("<table>\n<tr><th>strategy</th><th>requests</th>"
                + "<th>answered</th><th>failed requests</th><th>attempts</th><th>failed attempts</th><th>retried</th>"
                + "<th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>extra requests</th>"
                + "<th>p99 ms while " + slow + " slow</th><th>" + slow + " share, steady</th><th>" + slow
                + " share, slow</th></tr>\n");
        for (RunResult r : runs) {
            RunResult.Counts c = r.totals();
            t.append("<tr><td>").append(esc(r.strategy())).append("</td><td>").append(c.requests())
                    .append("</td><td>").append(c.answered()).append("</td><td>").append(c.failedRequests())
                    .append("</td><td>").append(c.attempts()).append("</td><td>").append(c.failedAttempts())
                    .append("</td><td>").append(c.retried())
                    .append("</td><td>").append(num(r.p50Millis())).append("</td><td>").append(num(r.p99Millis()))
                    .append("</td><td>").append(num(r.p999Millis())).append("</td><td>").append(pct(r.extraShare()))
                    .append("</td><td>").append(num(r.phase(1).p99Millis())).append("</td><td>")
                    .append(pct(r.phase(0).share(slow))).append("</td><td>").append(pct(r.phase(1).share(slow)))
                    .append("</td></tr>\n");
        }
        t.append("</table>\n");
        for (String d : Demo.DEFINITIONS) {
            t.append("<p><small>").append(esc(d)).append("</small></p>\n");
        }
        return t.toString();
    }

    private static String img(String file, String alt) {
        return "<p><img src=\"" + esc(file) + "\" alt=\"" + esc(alt) + "\"></p>\n";
    }

    static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }

    static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String secs(double s) {
        return String.format(Locale.ROOT, "%.0f s", s);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
