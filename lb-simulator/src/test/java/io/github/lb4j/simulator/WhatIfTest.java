package io.github.lb4j.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WhatIfTest {

    @TempDir
    Path dir;

    @Test
    void runsEveryStrategyPrintsTheTableAndWritesCharts() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Path chart = dir.resolve("out/what-if.png");
        List<Result> results = WhatIf.run(new String[] {
            "--backend", "3*normal(20,2)", "--backend", "normal(20,2)@4", "--rate", "300", "--duration", "20",
            "--timeout", "100", "--slow", "b3=normal(400,5)@5-15", "--chart", chart.toString()},
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(results).extracting(Result::contender)
                .containsExactly("roundRobin", "random", "leastRequests", "peakEwma", "oracle");
        assertThat(out).contains("| peakEwma", "| oracle", "p99 ms");
        assertThat(Files.size(chart)).isGreaterThan(1000);
        assertThat(Files.size(dir.resolve("out/what-if-success.png"))).isGreaterThan(1000);
        Result rr = results.get(0);
        Result oracle = results.get(4);
        assertThat(rr.timeouts()).as("round robin sends a quarter of 10 s to the slow backend").isGreaterThan(500);
        assertThat(oracle.successRate()).isEqualTo(1.0);
    }

    @Test
    void readsObservedLatenciesFromCsv() throws Exception {
        Path csv = dir.resolve("observed.csv");
        StringBuilder sb = new StringBuilder("backend,latency_ms\n");
        for (int i = 0; i < 200; i++) {
            sb.append("fast-1,").append(10 + i % 5).append('\n');
            sb.append("fast-2,").append(11 + i % 3).append('\n');
            sb.append("slow,").append(i % 10 == 0 ? 900 : 40).append('\n');
        }
        Files.writeString(csv, sb.toString());
        List<Result> results = WhatIf.run(new String[] {"--csv", csv.toString(), "--rate", "100", "--duration",
            "10", "--timeout", "500", "--chart", dir.resolve("csv.png").toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        Result random = results.get(1);
        assertThat(random.perBackend()).containsOnlyKeys("fast-1", "fast-2", "slow");
        // one in ten of slow's observations exceeds the timeout: a third of the traffic, a tenth of it lost
        assertThat(random.timeouts()).isBetween(15L, 60L);
        assertThat(results.get(4).timeouts()).isZero();
    }

    @Test
    void badInputNamesTheBadValue() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> WhatIf.run(new String[] {"--backend", "gauss(1,2)"}, sink))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gauss");
        assertThatThrownBy(() -> WhatIf.run(new String[] {"--bogus", "1"}, sink))
                .hasMessageContaining("--bogus");
        assertThatThrownBy(() -> WhatIf.run(new String[] {"--rate", "10"}, sink))
                .hasMessageContaining("no backends");
        assertThatThrownBy(() -> WhatIf.run(new String[] {"--backend", "normal(10,1)", "--slow", "b9=exp(5)@1-2"},
                sink)).hasMessageContaining("b9");
        assertThatThrownBy(() -> LatencyDistribution.normal(-1, 1)).hasMessageContaining("-1");
    }
}
