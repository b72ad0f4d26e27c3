package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the demo, headless and short, with its metrics endpoint, scrapes the endpoint over HTTP as Prometheus would,
 * parses the exposition and checks it against the demo's own counts: every meter of lb-micrometer is there, the
 * selections timed are the attempts the client made, the failures the client saw are the pool's, and the summary
 * line the demo prints says the same.
 */
class DemoMetricsTest {

    /** One sample of the text format: name, labels, value (no timestamps: Micrometer writes none). */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    static List<Sample> parse(String exposition) {
        List<Sample> out = new ArrayList<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a sample line: " + line).isTrue();
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                int end = 0;
                while (l.find()) {
                    assertThat(l.start()).as("labels of " + line).isEqualTo(end);
                    labels.put(l.group(1), l.group(2));
                    end = l.end();
                }
                assertThat(end).as("labels of " + line).isEqualTo(m.group(2).length());
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return out;
    }

    private static double sum(List<Sample> samples, String name, String... labels) {
        return samples.stream().filter(s -> s.name().equals(name)).filter(s -> {
            for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                    return false;
                }
            }
            return true;
        }).mapToDouble(Sample::value).sum();
    }

    @Test
    void theDemoServesItsPoolsMetersInPrometheusTextFormatAndTheyAgreeWithItsCounts(@TempDir Path dir)
            throws Exception {
        DemoOptions options = DemoOptions.parse("--duration", "5s", "--strategy", "peakEwma", "--backends", "4",
                "--rate", "60", "--report", dir.resolve("report").toString(), "--plain");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        try (MetricsEndpoint metrics = MetricsEndpoint.start()) {
            assertThat(metrics.url()).matches("http://127\\.0\\.0\\.1:\\d+/metrics");
            Demo.Outcome outcome = Demo.run(options, out, LiveView.of(out, true), metrics);
            Demo.printMetrics(metrics, out);

            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create(metrics.url()))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.CONTENT_TYPE);
            List<Sample> samples = parse(scrape.body());

            // Every meter of the binder, each with the pool's name and the run's tag.
            // (lb4j.requests is a function timer: count and sum, no window max.)
            for (String name : List.of("lb4j_requests_seconds_count", "lb4j_requests_seconds_sum",
                    "lb4j_backend_in_flight", "lb4j_backend_health",
                    "lb4j_ejections_total", "lb4j_pool_backends", "lb4j_pool_panic", "lb4j_no_backend_total")) {
                assertThat(samples).as(name).filteredOn(s -> s.name().equals(name)).isNotEmpty()
                        .allSatisfy(s -> {
                            assertThat(s.labels()).containsEntry("pool", "demo").containsEntry("run", "peakEwma");
                        });
            }
            // The membership at the end: b1..b5 (b5 joined), each with one series per outcome and one health state.
            assertThat(samples).filteredOn(s -> s.name().equals("lb4j_requests_seconds_count")
                    && s.labels().get("outcome").equals("success")).hasSize(5);
            for (Sample s : samples) {
                if (s.name().equals("lb4j_backend_health")) {
                    assertThat(s.value()).isIn(0.0, 1.0);
                }
                assertThat(s.labels().keySet()).isSubsetOf("pool", "run", "backend", "outcome", "state", "reason",
                        "route", "kind");
                assertThat(s.labels().getOrDefault("backend", "b1")).matches("b[1-5]"); // the demo's backend ids
            }
            assertThat(sum(samples, "lb4j_backend_in_flight")).as("calls open after the run").isZero();

            // Against the demo's own counts: every attempt is one finished selection, and the failed attempts the
            // client saw are the failures the pool timed.
            RunResult r = outcome.runs().get(0);
            RunResult.Counts all = r.totals();
            assertThat(sum(samples, "lb4j_requests_seconds_count")).isEqualTo((double) all.attempts());
            assertThat(sum(samples, "lb4j_requests_seconds_count", "outcome", "failure"))
                    .isEqualTo((double) all.failedAttempts()).isEqualTo((double) r.poolFailures());
            assertThat(sum(samples, "lb4j_requests_seconds_count", "outcome", "success"))
                    .isEqualTo((double) (all.attempts() - all.failedAttempts()));
            assertThat(sum(samples, "lb4j_no_backend_total")).isEqualTo((double) all.noBackend());
            assertThat(sum(samples, "lb4j_requests_seconds_sum")).as("seconds timed").isPositive();
            // The pool reported b3 ejected during the run: the ejection is counted.
            if (r.events().stream().anyMatch(e -> !e.scenario() && e.label().equals("b3 ejected"))) {
                assertThat(sum(samples, "lb4j_ejections_total")).isPositive();
            }

            // The route's meters (lb-micrometer's RouteMetrics on the demo's route): every request is one call,
            // every backend tried one attempt, and nothing of a request is in a tag.
            for (String name : List.of("lb4j_route_attempts_total", "lb4j_route_retries_refused_total",
                    "lb4j_route_per_try_timeouts_total", "lb4j_route_calls_seconds_count")) {
                assertThat(samples).as(name).filteredOn(s -> s.name().equals(name)).isNotEmpty()
                        .allSatisfy(s -> assertThat(s.labels()).containsEntry("route", "demo")
                                .containsEntry("run", "peakEwma"));
            }
            assertThat(sum(samples, "lb4j_route_calls_seconds_count")).as("calls").isEqualTo((double) all.requests());
            assertThat(sum(samples, "lb4j_route_attempts_total")).as("attempts").isEqualTo((double) all.attempts());
            assertThat(sum(samples, "lb4j_route_attempts_total", "kind", "retry")).as("retries")
                    .isEqualTo((double) all.retried());

            // The summary line the demo prints says the same numbers.
            String printed = bytes.toString(StandardCharsets.UTF_8);
            assertThat(printed).contains("Metrics the pools published").contains(String.format(
                    "lb4j.requests success %d failure %d ignored 0", all.attempts() - all.failedAttempts(),
                    all.failedAttempts()));
        }
    }
}
