package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the demo's scenario, headless and scaled down to 12 seconds, and checks the claims it makes to the user:
 * traffic leaves the slow backend, no request fails while a backend crashes, the crashed backend and the new one
 * serve traffic, and the report's charts and page are written. The printed summary is parsed back and its counts must
 * add up: within each phase, across the phases, and against the pool's own failure count.
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
        RunResult.Counts all = r.totals();
        assertThat(all.requests()).isBetween(1000L, 1300L);
        assertThat(r.shed()).isZero();
        assertThat(all.failedRequests()).as("failed requests over the whole run").isZero();
        assertThat(all.inFlight()).as("requests not ended when the run ended").isZero();

        // A slow backend loses traffic under peakEwma: its share at least halves.
        assertThat(steady.share("b2")).as("b2 share while normal").isGreaterThan(0.10);
        assertThat(slow.share("b2")).as("b2 share while slow").isLessThan(steady.share("b2") / 2);

        // The crash is real (attempts on b3 failed) and invisible to callers (retried elsewhere).
        assertThat(crashed.failedAttempts("b3")).as("attempts that failed on crashed b3").isPositive();
        assertThat(crashed.counts().failedRequests()).as("requests that failed during the crash").isZero();
        assertThat(crashed.counts().answeredByRetry()).as("requests of the crash answered by a retry").isPositive();
        // Counted on two sides: the pool's failures (reported by the interceptor, one per failed attempt) and the
        // client's failed attempts (seen by an interceptor behind the balancing one).
        assertThat(r.poolFailures()).as("failures the pool counted").isEqualTo(all.failedAttempts());
        assertThat(crashed.share("b3")).as("b3 share while down").isLessThan(0.02);
        // The pool's own verdict on the crash, as it reported it (not the scenario's label).
        assertThat(r.events()).filteredOn(e -> !e.scenario()).extracting(RunResult.Event::label)
                .contains("b3 ejected");

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
        assertThat(text).contains(LiveView.LEGEND, "[peakEwma", "scenario: b3 crashed: socket closed", "Summary",
                "so 0 requests failed.", "the pool moved traffic away from it",
                "The pool counted the same " + all.failedAttempts() + " failed attempts",
                "Report: " + report.resolve("index.html").toAbsolutePath().normalize());
        assertPlainLinesShowThePoolsHealth(text, "peakEwma", 5);
        assertSummaryAddsUp(text, List.of(r));
    }

    @Test
    void compareRunsTheThreeStrategiesAndHedgingAndChartsThemSideBySide(@TempDir Path dir) throws Exception {
        DemoOptions options = DemoOptions.parse("--compare", "--duration", "8s", "--rate", "60", "--report",
                dir.toString());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        Demo.Outcome outcome = Demo.run(options, out, LiveView.of(out, true));
        Demo.printSummary(outcome, options, out);

        assertThat(outcome.runs()).extracting(RunResult::strategy)
                .containsExactly("roundRobin", "leastRequests", "peakEwma", "peakEwmaHedging");
        for (RunResult r : outcome.runs()) {
            assertThat(r.duration().toMillis()).isEqualTo(2000);
            assertThat(r.totals().failedRequests()).as(r.strategy() + " failed requests").isZero();
            assertThat(r.poolFailures()).as(r.strategy() + ": the pool's failures")
                    .isEqualTo(r.totals().failedAttempts());
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
        // Without hedging, nothing but a retry of a request already delivered adds requests (the crash resets some);
        // the hedging run adds its hedges, each of which the backends count.
        for (RunResult r : outcome.runs().subList(0, 3)) {
            assertThat(r.extraShare()).as(r.strategy() + " extra requests").isLessThan(0.05);
        }
        RunResult hedged = outcome.runs().get(3);
        assertThat(hedged.extraRequests()).as("hedges the backends received").isPositive();
        assertThat(hedged.p999Millis()).isGreaterThanOrEqualTo(hedged.p99Millis());
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("roundRobin does not look at latency", "p99.9 ms", "extra",
                "Hedging after the observed p95, with a 1 s per-try timeout, over the whole run: p99 ");
        assertSummaryAddsUp(text, outcome.runs());
    }

    private static final Pattern SUMMARY_ROW = Pattern.compile(
            "^(\\w+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +\\S+ +\\S+ .*$", Pattern.MULTILINE);
    private static final Pattern PHASE_ROW = Pattern.compile(
            "^  (.+?) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+)$");
    private static final Pattern WHOLE_RUN = Pattern.compile("Whole run: (\\d+) requests = (\\d+) answered \\((\\d+)"
            + " by a retry\\) \\+ (\\d+) failed; (\\d+) attempts, (\\d+) failed = (\\d+) retried \\+ (\\d+) not retried\\.");
    private static final Pattern CRASH = Pattern.compile("crashed at \\d+ s\\. Of the (\\d+) requests sent while it was"
            + " down, (\\d+) attempts failed \\((\\d+) sent to b3\\): (\\d+) were retried on another backend and"
            + " (\\d+) were not, so (\\d+) requests failed");
    private static final Pattern POOL = Pattern.compile("The pool counted the same (\\d+) failed attempts");

    /** One row of counts as printed: requests, answered, by a retry, failed, attempts, failed attempts, retried. */
    private record Row(long requests, long answered, long byRetry, long failed, long attempts, long failedAttempts,
                       long retried) {

        static Row of(Matcher m, int first) {
            long[] v = new long[7];
            for (int i = 0; i < 7; i++) {
                v[i] = Long.parseLong(m.group(first + i));
            }
            return new Row(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
        }

        Row plus(Row o) {
            return new Row(requests + o.requests, answered + o.answered, byRetry + o.byRetry, failed + o.failed,
                    attempts + o.attempts, failedAttempts + o.failedAttempts, retried + o.retried);
        }

        /** The definitions the demo prints, as arithmetic; no request in the demo lacks a backend to try. */
        void addsUp(String what) {
            assertThat(answered + failed).as(what + ": requests = answered + failed").isEqualTo(requests);
            assertThat(answered + failedAttempts).as(what + ": attempts = answered + failed attempts")
                    .isEqualTo(attempts);
            assertThat(failedAttempts - retried).as(what + ": failed requests = failed attempts - retried")
                    .isEqualTo(failed);
            assertThat(byRetry).as(what + ": answered by a retry <= retried").isLessThanOrEqualTo(retried);
        }
    }

    /**
     * Parses the printed summary back and checks that its numbers agree: the summary table's row of each strategy,
     * its "whole run" sentence and the last row of its phase table are the same counts, the phase rows add up to it,
     * each row obeys the printed definitions, the crash sentence repeats the crash phase's row, and the pool counted
     * as many failures as the client saw failed attempts.
     */
    static void assertSummaryAddsUp(String text, List<RunResult> runs) {
        String summary = text.substring(text.indexOf("\nSummary\n"));
        Map<String, Row> table = new HashMap<>();
        Matcher m = SUMMARY_ROW.matcher(summary.substring(0, summary.indexOf("\nWhat happened with ")));
        while (m.find()) {
            // strategy, requests, answered, failed, attempts, failed attempts, retried (no "by a retry" column)
            table.put(m.group(1), new Row(Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), 0,
                    Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
                    Long.parseLong(m.group(7))));
        }
        assertThat(table.keySet()).containsExactlyInAnyOrderElementsOf(runs.stream().map(RunResult::strategy)
                .toList());
        for (RunResult r : runs) {
            String what = r.strategy();
            int from = summary.indexOf("What happened with " + what + ":");
            int to = summary.indexOf("\nWhat happened with ", from + 1);
            String section = summary.substring(from, to < 0 ? summary.indexOf("\nReport: ") : to);

            List<Row> phases = new ArrayList<>();
            Row whole = null;
            for (String line : section.split("\n")) {
                Matcher row = PHASE_ROW.matcher(line);
                if (!row.matches()) {
                    continue;
                }
                Row parsed = Row.of(row, 2);
                parsed.addsUp(what + ", " + row.group(1).trim());
                if (row.group(1).trim().equals("whole run")) {
                    whole = parsed;
                } else {
                    phases.add(parsed);
                }
            }
            assertThat(phases).as(what + ": phase rows").hasSize(5);
            assertThat(whole).as(what + ": whole-run row").isNotNull();
            assertThat(phases.stream().reduce(new Row(0, 0, 0, 0, 0, 0, 0), Row::plus)).as(what
                    + ": the phases add up to the whole run").isEqualTo(whole);

            Row summaryRow = table.get(what);
            assertThat(summaryRow).as(what + ": summary table = whole-run row").isEqualTo(new Row(whole.requests,
                    whole.answered, 0, whole.failed, whole.attempts, whole.failedAttempts, whole.retried));

            Matcher sentence = WHOLE_RUN.matcher(section);
            assertThat(sentence.find()).as(what + ": the whole-run sentence in\n" + section).isTrue();
            assertThat(List.of(sentence.group(1), sentence.group(2), sentence.group(3), sentence.group(4),
                    sentence.group(5), sentence.group(6), sentence.group(7)).stream().map(Long::parseLong).toList())
                    .as(what + ": whole-run sentence = whole-run row").containsExactly(whole.requests, whole.answered,
                            whole.byRetry, whole.failed, whole.attempts, whole.failedAttempts, whole.retried);
            assertThat(Long.parseLong(sentence.group(8))).isEqualTo(whole.failedAttempts - whole.retried);

            Matcher crash = CRASH.matcher(section);
            assertThat(crash.find()).as(what + ": the crash sentence in\n" + section).isTrue();
            Row down = phases.get(2);
            assertThat(Long.parseLong(crash.group(1))).isEqualTo(down.requests);
            assertThat(Long.parseLong(crash.group(2))).isEqualTo(down.failedAttempts);
            assertThat(Long.parseLong(crash.group(3))).as("failed attempts on b3").isPositive()
                    .isLessThanOrEqualTo(down.failedAttempts);
            assertThat(Long.parseLong(crash.group(4))).isEqualTo(down.retried);
            assertThat(Long.parseLong(crash.group(5))).isEqualTo(down.failedAttempts - down.retried);
            assertThat(Long.parseLong(crash.group(6))).isEqualTo(down.failed);

            Matcher pool = POOL.matcher(section);
            assertThat(pool.find()).as(what + ": the pool's count agrees with the client's").isTrue();
            assertThat(Long.parseLong(pool.group(1))).isEqualTo(whole.failedAttempts);
        }
    }

    /** Every plain progress line gives, for each of {@code backends} backends or more, a health the pool reports. */
    static void assertPlainLinesShowThePoolsHealth(String text, String strategy, int backends) {
        Pattern health = Pattern.compile("\\| b\\d+ (HEALTHY|EJECTED|UNHEALTHY|DRAINING) +\\d+/s");
        List<String> lines = text.lines().filter(l -> l.startsWith("[" + strategy)).toList();
        assertThat(lines).as("plain progress lines").hasSizeGreaterThan(3);
        for (String line : lines) {
            assertThat(line).contains(" scenario: ");
            Matcher m = health.matcher(line);
            int found = 0;
            while (m.find()) {
                found++;
            }
            assertThat(found).as("backends with the pool's health in: " + line)
                    .isGreaterThanOrEqualTo(backends - 1);
        }
    }
}
