package io.github.lb4j.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BarChartCsvTest {

    @TempDir
    Path dir;

    @Test
    void drawsOnePngPerChart() throws Exception {
        Path csv = dir.resolve("c.csv");
        Files.writeString(csv, String.join("\n",
                "a.png,Pick cost,ns/op,round robin,lb4j,8.4",
                "a.png,Pick cost,ns/op,round robin,best peer,8.6",
                "a.png,Pick cost,ns/op,random,lb4j,4.5",
                "b.png,Ratio,x floor,n=10,roundRobin,1.36",
                ""));
        List<Path> written = BarChartCsv.draw(csv, dir.resolve("out"));
        assertThat(written).containsExactly(dir.resolve("out/a.png"), dir.resolve("out/b.png"));
        byte[] png = Files.readAllBytes(dir.resolve("out/a.png"));
        assertThat(png).hasSizeGreaterThan(1000);
        assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    @Test
    void namesTheBadLine() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "a.png,t,y,c,s,1\na.png,t,y,c,s,fast\n");
        assertThatThrownBy(() -> BarChartCsv.draw(csv, dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2").hasMessageContaining("'fast'");
        Files.writeString(csv, "a.png,t,y,c\n");
        assertThatThrownBy(() -> BarChartCsv.draw(csv, dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 1").hasMessageContaining("expected 6 fields");
    }
}
