package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveViewTest {

    private static LiveView.Progress progress(double elapsed, String phase) {
        List<RunResult.BackendSample> rows = List.of(
                new RunResult.BackendSample("b1", 60, 60, 0.6, 10.2, 14.9, 1, "HEALTHY", HttpBackend.State.UP, 0,
                        600),
                new RunResult.BackendSample("b2", 40, 40, 0.4, 151.0, 160.0, 6, "HEALTHY",
                        HttpBackend.State.SLOW, 0, 400),
                new RunResult.BackendSample("b3", 0, 0, 0.0, Double.NaN, Double.NaN, 0, "EJECTED",
                        HttpBackend.State.DOWN, 12, 300));
        RunResult.Sample s = new RunResult.Sample(elapsed, 1.0, rows, 100, 11.0, 150.0, 0);
        // 1300 sent: 1290 answered (11 by a retry) + 1 failed + 9 in flight; 1302 attempts: 12 failed = 11 + 1.
        RunResult.Counts totals = new RunResult.Counts(1300, 1290, 11, 1, 0, 1302, 12, 11);
        return new LiveView.Progress("peakEwma", 1, 1, elapsed, 60, phase, s, totals, 100);
    }

    @Test
    void tableRedrawsInPlaceOverTheLinesItDrewBefore() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LiveView view = new LiveView.Table(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        view.update(progress(1, "steady"));
        String first = bytes.toString(StandardCharsets.UTF_8);
        int lines = LiveView.render(progress(1, "steady")).size();
        assertThat(first).doesNotContain("\033[" + lines + "F").contains("\033[2K");
        view.update(progress(2, "steady"));
        assertThat(bytes.toString(StandardCharsets.UTF_8).substring(first.length()))
                .startsWith("\033[" + lines + "F");
        assertThat(first).contains("b2       slowed   HEALTHY", "b3       crashed  EJECTED", "[#", "now: steady",
                " | ");
    }

    @Test
    void renderShowsEveryColumnAndDashesForNoData() {
        List<String> lines = LiveView.render(progress(30, "b3 crashed: socket closed"));
        assertThat(lines.get(1)).startsWith("[################----------------]").contains(" 50%", "now: b3 crashed");
        assertThat(lines.get(3)).contains("backend", "scenario", "health", "req/s", "share", "in-flight", "p50 ms",
                "p99 ms", "failed", "answered");
        assertThat(lines.get(4)).contains("b1", "-", "HEALTHY", "60", "60.0%", "10.2", "14.9");
        assertThat(lines.get(6)).contains("b3", "crashed", "EJECTED", "-", "12", "300");
        assertThat(lines.get(8)).contains("requests: 1300 sent = 1290 answered (11 by a retry) + 1 failed + 9 in flight");
        assertThat(lines.get(9)).contains("attempts: 1302, of which 12 failed = 11 retried on another backend + 1 not"
                + " retried");
    }

    @Test
    void plainLinesPrintOnPhaseChangesAndEveryFiveSecondsAndFlushAtTheEnd() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LiveView view = new LiveView.Lines(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        view.update(progress(1, "steady"));
        view.update(progress(2, "steady"));
        view.update(progress(3, "b2 slow"));
        view.update(progress(4, "b2 slow"));
        view.update(progress(8.2, "b2 slow"));
        view.update(progress(9, "b2 slow"));
        view.finish();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(5);
        assertThat(lines[0]).isEqualTo(LiveView.LEGEND).contains("the pool's health (BackendStats.health())");
        assertThat(lines[1]).startsWith("[peakEwma   1s/60s] scenario: steady");
        assertThat(lines[2]).startsWith("[peakEwma   3s/60s] scenario: b2 slow");
        assertThat(lines[3]).startsWith("[peakEwma   8s/60s]"); // 8.2 s: five seconds after the last line
        // Per backend the pool's verdict, not what the scenario did: b2 is slowed but HEALTHY, b3 crashed and EJECTED.
        assertThat(lines[4]).startsWith("[peakEwma   9s/60s]").contains("| b2 HEALTHY  40/s  40% p99 160.0ms |",
                "| b3 EJECTED   0/s   0% p99 - |").endsWith("failed requests 1").doesNotContain("DOWN", "slowed");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("\033");
    }
}
