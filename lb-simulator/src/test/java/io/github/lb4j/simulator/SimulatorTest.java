package io.github.lb4j.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Strategy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Scripted events and the mechanics of the simulator. */
class SimulatorTest {

    static Scenario.Builder base() {
        return Scenario.builder("t").backends(4, LatencyDistribution.constant(10)).rate(400)
                .duration(Duration.ofSeconds(10)).timeout(Duration.ofMillis(100)).seed(3);
    }

    @Test
    void aRefusingBackendFailsFastAndAHangingOneTimesOut() {
        Result refused = Simulator.run(base().at(Duration.ofSeconds(2),
                Scenario.Event.crash("b0", Scenario.CrashMode.REFUSE)).build(), Contender.of(Strategy.roundRobin()));
        assertThat(refused.errors()).isBetween(750L, 850L); // a quarter of 8 s x 400/s
        assertThat(refused.timeouts()).isZero();
        Result hung = Simulator.run(base().at(Duration.ofSeconds(2),
                Scenario.Event.crash("b0", Scenario.CrashMode.HANG)).build(), Contender.of(Strategy.roundRobin()));
        assertThat(hung.timeouts()).isEqualTo(refused.errors());
        assertThat(hung.percentileMs(0.99)).isEqualTo(100.0);
    }

    @Test
    void recoveryAndAdditionAndRemoval() {
        Result r = Simulator.run(base()
                .at(Duration.ofSeconds(2), Scenario.Event.crash("b0", Scenario.CrashMode.REFUSE))
                .at(Duration.ofSeconds(4), Scenario.Event.recover("b0"))
                .at(Duration.ofSeconds(5), Scenario.Event.add(Scenario.BackendSpec.of("b4",
                        LatencyDistribution.constant(10))))
                .at(Duration.ofSeconds(5), Scenario.Event.remove("b1"))
                .build(), Contender.of(Strategy.roundRobin()));
        assertThat(r.errors()).isBetween(150L, 250L); // 2 s x 400/s / 4
        assertThat(r.perBackend().get("b4")).isBetween(450L, 550L); // 5 s x 400/s / 4
        assertThat(r.perBackend().get("b1")).isBetween(400L, 600L);
    }

    @Test
    void failureRateAndQueueing() {
        Scenario s = Scenario.builder("f").backend(Scenario.BackendSpec.of("a", LatencyDistribution.constant(10))
                        .withFailureRate(0.1).withServers(1))
                .rate(50).poisson(false).duration(Duration.ofSeconds(20)).seed(1).build();
        Result r = Simulator.run(s, Contender.of(Strategy.leastRequests()));
        assertThat(r.errors() / (double) r.requests()).isBetween(0.08, 0.12);
        assertThat(r.percentileMs(0.99)).as("fixed arrivals every 20 ms never queue").isEqualTo(10.0);
        Scenario busy = Scenario.builder("q").backend(Scenario.BackendSpec.of("a", LatencyDistribution.constant(10))
                .withServers(1)).rate(200).poisson(false).duration(Duration.ofSeconds(1)).seed(1).build();
        Result q = Simulator.run(busy, Contender.oracle());
        assertThat(q.percentileMs(1.0)).as("twice the capacity: the last request waits ~100 x 5 ms").isGreaterThan(900);
    }

    @Test
    void scenarioValidation() {
        assertThatThrownBy(() -> Scenario.builder("x").build()).hasMessageContaining("no backends");
        assertThatThrownBy(() -> Scenario.builder("x").rate(0)).hasMessageContaining("rate").hasMessageContaining("0");
        assertThatThrownBy(() -> base().at(Duration.ofSeconds(1), Scenario.Event.recover("zz")).build())
                .hasMessageContaining("zz");
        assertThatThrownBy(() -> base().backends(1, LatencyDistribution.constant(1)).backend(
                Scenario.BackendSpec.of("b0", LatencyDistribution.constant(1))).build()).hasMessageContaining("b0");
        assertThatThrownBy(() -> LatencyDistribution.parse("exp(1,2)")).hasMessageContaining("exp(1,2)");
    }
}
