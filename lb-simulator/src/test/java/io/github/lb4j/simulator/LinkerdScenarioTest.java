package io.github.lb4j.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.lb4j.core.Strategy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Linkerd's "Beyond Round Robin" run at full size (60 s of virtual time, 60 000 requests per contender, about 2 s of
 * real time for all five). Published: round robin about 95%, least loaded about 99%, peak EWMA about 99.9%.
 */
class LinkerdScenarioTest {

    static final Map<String, Result> RESULTS = new LinkedHashMap<>();

    @BeforeAll
    static void run() {
        for (Result r : Simulator.runAll(Scenarios.linkerd(1.0, 1), Contender.latencyContenders())) {
            RESULTS.put(r.contender(), r);
        }
    }

    @Test
    void roundRobinAndRandomLoseTheSlowBackendsShareAsPublished() {
        // 1/11 of the traffic for half the run times out: 4.5% lost, success 95.5% (Linkerd: about 95%).
        for (String name : List.of("roundRobin", "random")) {
            Result r = RESULTS.get(name);
            assertThat(r.successRate()).as(name).isCloseTo(1 - 0.5 / 11, within(0.005));
            assertThat(r.percentileMs(0.99)).as(name + " p99 is the timeout").isEqualTo(1000.0);
        }
    }

    @Test
    void leastRequestsReachesNinetyNinePercent() {
        Result lr = RESULTS.get("leastRequests");
        assertThat(lr.successRate()).isGreaterThanOrEqualTo(0.99);
        assertThat(lr.percentileMs(0.99)).isLessThanOrEqualTo(1.1 * RESULTS.get("oracle").percentileMs(0.99));
    }

    @Test
    void peakEwmaIsClosestToTheOracle() {
        Result pe = RESULTS.get("peakEwma");
        Result oracle = RESULTS.get("oracle");
        assertThat(pe.percentileMs(0.99)).isLessThanOrEqualTo(1.1 * oracle.percentileMs(0.99));
        // Target 99.9% (Linkerd's published figure), by the strategy alone. The 1 s timeout censors the slow
        // backend's latency at 1 s; if a timeout counted only as 1 s, its cost 1 s x (k + 1) would beat a healthy
        // backend's 167 ms x ~16 in flight until k reached 2, and 2-3 calls a second would time out there (99.82%).
        // Failures in a row double the estimate instead (BackendState.observeFailure).
        assertThat(pe.successRate()).isGreaterThanOrEqualTo(0.999);
        assertThat(pe.successRate()).isGreaterThan(RESULTS.get("leastRequests").successRate());
        // Flat while the backend is slow: the estimate of a backend with calls in flight does not decay.
        double[] bySecond = pe.successRateBySecond();
        for (int s = 17; s < 45; s++) {
            assertThat(bySecond[s]).as("second %d", s).isGreaterThanOrEqualTo(0.995);
        }
    }

    @Test
    void oracleNeverTimesOut() {
        Result oracle = RESULTS.get("oracle");
        assertThat(oracle.successRate()).isEqualTo(1.0);
        assertThat(oracle.percentileMs(0.5)).isCloseTo(167.0, within(1.0));
        assertThat(oracle.percentileMs(0.999)).isLessThan(190.0);
        assertThat(oracle.perBackend().get("b10")).as("slow backend used only while fast")
                .isLessThan(RESULTS.get("roundRobin").perBackend().get("b10"));
    }

    @Test
    void lbCoresDefaultOutlierDetectionEjectsTheSlowBackend() {
        // Every call to the slow backend times out: five in a row eject it, so even round robin stops losing its
        // share, and peak EWMA passes the published 99.9%.
        Map<String, Result> shipped = new LinkedHashMap<>();
        for (Result r : Simulator.runAll(Scenarios.linkerd(1.0, 1), Contender.latencyContendersAsShipped())) {
            shipped.put(r.contender(), r);
        }
        for (String name : List.of("roundRobin", "random", "leastRequests")) {
            assertThat(shipped.get(name + "+ejection").successRate()).as(name)
                    .isGreaterThan(RESULTS.get(name).successRate());
        }
        // peakEwma already avoids the slow backend on its own; ejection keeps it at the target.
        assertThat(shipped.get("peakEwma+ejection").successRate()).isGreaterThanOrEqualTo(0.999);
    }

    @Test
    void sameSeedSameNumbersOtherSeedSimilarNumbers() {
        Result again = Simulator.run(Scenarios.linkerd(1.0, 1), Contender.of(Strategy.peakEwma()));
        Result pe = RESULTS.get("peakEwma");
        assertThat(again.sortedLatencies()).isEqualTo(pe.sortedLatencies());
        assertThat(again.perBackend()).isEqualTo(pe.perBackend());
        Result other = Simulator.run(Scenarios.linkerd(1.0, 2), Contender.of(Strategy.peakEwma()));
        assertThat(other.sortedLatencies()).isNotEqualTo(pe.sortedLatencies());
        assertThat(other.successRate()).isCloseTo(pe.successRate(), within(0.002));
    }
}
