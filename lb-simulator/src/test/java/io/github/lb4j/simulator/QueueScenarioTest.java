package io.github.lb4j.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** 100 M/M/1 queues at 90% utilisation against queueing theory. */
class QueueScenarioTest {

    @Test
    void strategiesMatchTheTheoryOfTheirDispatchPolicy() {
        double rho = 0.9;
        Map<String, Double> t = new LinkedHashMap<>();
        for (Result r : Simulator.runAll(Scenarios.queues(100, rho, 300_000, 5), Contender.latencyContenders())) {
            t.put(r.contender(), r.meanMs() / 10); // in units of the mean service time
        }
        assertThat(t.get("random")).isCloseTo(QueueTheory.random(rho), within(0.15 * QueueTheory.random(rho)));
        double rr = QueueTheory.roundRobin(rho, 100);
        assertThat(t.get("roundRobin")).isCloseTo(rr, within(0.15 * rr));
        double two = QueueTheory.powerOfD(rho, 2);
        assertThat(t.get("leastRequests")).isCloseTo(two, within(0.08 * two));
        assertThat(t.get("peakEwma")).isCloseTo(two, within(0.10 * two));
        assertThat(t.get("oracle")).isLessThan(t.get("leastRequests"));
        assertThat(t.get("leastRequests")).isLessThan(t.get("roundRobin"));
        assertThat(t.get("roundRobin")).isLessThan(t.get("random"));
    }

    @Test
    void theoryFormulas() {
        assertThat(QueueTheory.random(0.5)).isEqualTo(2.0);
        // d = 2 at rho = 0.5: 1 + 0.5^2 + 0.5^6 + 0.5^14 + ...
        assertThat(QueueTheory.powerOfD(0.5, 2)).isCloseTo(1 + 0.25 + 1 / 64.0 + Math.pow(0.5, 14), within(1e-4));
        // E1/M/1 is M/M/1.
        assertThat(QueueTheory.roundRobin(0.5, 1)).isCloseTo(2.0, within(1e-9));
        // More regular arrivals queue less: E100/M/1 between M/M/1 and half of it (D/M/1 limit).
        assertThat(QueueTheory.roundRobin(0.9, 100)).isBetween(5.0, 10.0);
    }
}
