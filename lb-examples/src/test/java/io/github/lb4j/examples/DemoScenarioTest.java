package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the demo's scenario, headless and scaled down to 12 seconds, and checks the claims it makes to the user:
 * traffic leaves the slow backend, no request fails while a backend crashes, the crashed backend and the new one
 * serve traffic, and the report's charts and page are written.
 */
class DemoScenarioTest {

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void scenarioKeepsItsPromisesAndWritesTheReport(@TempDir Path dir) throws Exception {
        DemoOptions options = DemoOptions.parse("--duration", "12s", "--strategy", "peakEwma", "--backends", "4",
                "--rate", "100", "--report", dir.resolve("report").toString(), "--plain");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        Demo.Outcome outcome = Demo.run(options, out, LiveView.of(out, true));
        Demo.printSummary(outcome, options, out);

        RunResult r = outcome.runs().get(0);
        RunResult.Phase steady = r.phase(0);
        RunResult.Phase slow = r.phase(1);
        RunResult.Phase crashed = r.phase(2);
        RunResult.Phase back = r.phase(3);
        RunResult.Phase added = r.phase(4);

        // Open-loop load at 100/s for 12 s: about 1200 requests, none lost, none shed.
        assertThat(r.requests()).isBetween(1000L, 1300L);
        assertThat(r.shed()).isZero();
        assertThat(r.failures()).as("failed requests over the whole run").isZero();

        // A slow backend loses traffic under peakEwma: its share at least halves.
        assertThat(steady.share("b2")).as("b2 share while normal").isGreaterThan(0.10);
        assertThat(slow.share("b2")).as("b2 share while slow").isLessThan(steady.share("b2") / 2);

        // The crash is real (attempts on b3 failed) and invisible to callers (retried elsewhere).
        assertThat(crashed.failedAttempts("b3")).as("attempts that failed on crashed b3").isPositive();
        assertThat(crashed.failures()).as("requests that failed during the crash").isZero();
        assertThat(crashed.retries()).as("requests of the crash answered by a retry").isPositive();
        // Counted on two sides: the pool's failures (reported by the interceptor, one per failed attempt) and the
        // client's extra attempts (seen by an interceptor behind the balancing one). With no failed request, every
        // failed attempt was followed by exactly one successful retry.
        assertThat(r.retries()).as("retries seen by the client").isEqualTo(r.failedAttempts());
        assertThat(crashed.share("b3")).as("b3 share while down").isLessThan(0.02);

        // It comes back and serves again; the new backend takes traffic.
        assertThat(back.served("b3")).isPositive();
        assertThat(added.served("b5")).isPositive();

        assertThat(r.events()).filteredOn(RunResult.Event::scenario).extracting(RunResult.Event::label)
                .containsExactly("b2 slow", "b3 crashed", "b3 back", "b5 added");
        assertThat(r.samples()).hasSizeGreaterThan(30); // 12 s in 250 ms windows

        // The report: two non-empty PNG charts and a page that shows them.
        Path report = dir.resolve("report");
        for (String png : List.of("peakEwma-requests.png", "peakEwma-latency.png")) {
            Path file = report.resolve(png);
            assertThat(file).exists();
            assertThat(Files.size(file)).as(png).isGreaterThan(10_000);
            byte[] head = new byte[8];
            System.arraycopy(Files.readAllBytes(file), 0, head, 0, 8);
            assertThat(head).as(png + " starts with the PNG signature").isEqualTo(PNG_MAGIC);
        }
        String html = Files.readString(report.resolve("index.html"));
        assertThat(html).contains("<img src=\"peakEwma-requests.png\"", "<img src=\"peakEwma-latency.png\"",
                "<table>", "b3</b> crashes", "<li>b2 turned slow at ");
        assertThat(outcome.files()).last().isEqualTo(report.resolve("index.html"));

        // Plain output for a non-terminal: periodic lines, no escape codes, and the summary's claims.
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("\033[");
        assertThat(text).contains("[peakEwma", "b3 crashed: socket closed", "Summary",
                "0 requests failed while it was down", "the pool moved traffic away from it",
                "Report: " + report.resolve("index.html").toAbsolutePath().normalize());
    }

    @Test
    void compareRunsTheThreeStrategiesAndChartsThemSideBySide(@TempDir Path dir) throws Exception {
        DemoOptions options = DemoOptions.parse("--compare", "--duration", "6s", "--rate", "60", "--report",
                dir.toString());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        Demo.Outcome outcome = Demo.run(options, out, LiveView.of(out, true));
        Demo.printSummary(outcome, options, out);

        assertThat(outcome.runs()).extracting(RunResult::strategy)
                .containsExactly("roundRobin", "leastRequests", "peakEwma");
        for (RunResult r : outcome.runs()) {
            assertThat(r.duration().toMillis()).isEqualTo(2000);
            assertThat(r.failures()).as(r.strategy() + " failed requests").isZero();
        }
        // Round robin ignores latency: the slow backend keeps about its quarter.
        assertThat(outcome.runs().get(0).phase(1).share("b2")).isGreaterThan(0.15);
        assertThat(outcome.files()).extracting(p -> p.getFileName().toString()).contains(
                "roundRobin-requests.png", "leastRequests-latency.png", Report.COMPARE_LATENCY,
                Report.COMPARE_SLOW_SHARE, "index.html");
        for (Path f : outcome.files()) {
            assertThat(Files.size(f)).as(f.toString()).isGreaterThan(1000);
        }
        assertThat(Files.readString(dir.resolve("index.html"))).contains("Strategies side by side",
                "<img src=\"compare-latency.png\"");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("roundRobin does not look at latency");
    }
}
