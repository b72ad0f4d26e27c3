package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

    @Test
    void defaultsMakeAOneMinuteDemo() {
        DemoOptions o = DemoOptions.parse();
        assertThat(o.duration).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.strategies()).containsExactly("peakEwma");
        assertThat(o.backends).isEqualTo(4);
        assertThat(o.rate).isEqualTo(200);
        assertThat(o.report).isEqualTo(Path.of("lb4j-report"));
    }

    @Test
    void readsEveryOptionInBothSpellings() {
        DemoOptions o = DemoOptions.parse("--duration", "30s", "--strategy=roundrobin", "--backends=6", "--rate",
                "50", "--report", "out", "--plain");
        assertThat(o.duration).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.strategy).isEqualTo("roundRobin");
        assertThat(o.backends).isEqualTo(6);
        assertThat(o.rate).isEqualTo(50);
        assertThat(o.report).isEqualTo(Path.of("out"));
        assertThat(o.plain).isTrue();
        assertThat(DemoOptions.parseDuration("d", "2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DemoOptions.parseDuration("d", "1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DemoOptions.parseDuration("d", "45")).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void compareSplitsTheDurationOverThreeStrategiesAndTheHedgingRun() {
        DemoOptions o = DemoOptions.parse("--compare", "--duration", "120s");
        assertThat(o.strategies()).containsExactly("roundRobin", "leastRequests", "peakEwma", "peakEwmaHedging");
        assertThat(o.perRun()).isEqualTo(Duration.ofSeconds(30));
        assertThat(DemoOptions.hedged("peakEwmaHedging")).isTrue();
        assertThat(DemoOptions.hedged("peakEwma")).isFalse();
        assertThat(o.newStrategy("peakEwmaHedging").toString()).isEqualTo(o.newStrategy("peakEwma").toString());
    }

    @Test
    void badValuesAreNamedInTheMessage() {
        assertThatThrownBy(() -> DemoOptions.parse("--rate", "0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--rate must be between 1 and 5000, got 0");
        assertThatThrownBy(() -> DemoOptions.parse("--backends", "two"))
                .hasMessage("--backends must be a whole number, got 'two'");
        assertThatThrownBy(() -> DemoOptions.parse("--backends", "2"))
                .hasMessage("--backends must be between 3 and 12, got 2");
        assertThatThrownBy(() -> DemoOptions.parse("--strategy", "fastest"))
                .hasMessageStartingWith("--strategy must be one of [roundRobin,").hasMessageEndingWith("got 'fastest'");
        assertThatThrownBy(() -> DemoOptions.parse("--duration", "soon"))
                .hasMessage("--duration must look like 45s, 2m or 1500ms, got 'soon'");
        assertThatThrownBy(() -> DemoOptions.parse("--duration", "1s"))
                .hasMessage("--duration must be between 3s and 1h, got 1s");
        assertThatThrownBy(() -> DemoOptions.parse("--rate")).hasMessage("--rate needs a value");
        assertThatThrownBy(() -> DemoOptions.parse("--fast")).hasMessageStartingWith("unknown option '--fast'");
    }
}
