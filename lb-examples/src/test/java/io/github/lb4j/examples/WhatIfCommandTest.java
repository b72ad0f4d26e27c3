package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The what-if command as a user runs it from lb-examples: a table on standard output and two charts. */
class WhatIfCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsEveryStrategyAndWritesTheCharts() throws Exception {
        Path chart = dir.resolve("what-if.png");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            WhatIf.main(new String[] {"--backend", "3*normal(20,2)", "--rate", "200", "--duration", "10",
                "--timeout", "100", "--slow", "b2=normal(300,5)@2-8", "--chart", chart.toString()});
        } finally {
            System.setOut(saved);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("| roundRobin", "| random", "| leastRequests", "| peakEwma", "| oracle");
        assertThat(Files.size(chart)).isGreaterThan(1000);
        assertThat(Files.size(dir.resolve("what-if-success.png"))).isGreaterThan(1000);
    }
}
