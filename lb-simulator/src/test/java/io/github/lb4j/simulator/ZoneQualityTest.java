package io.github.lb4j.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Issue 17's zone-aware targets on the quick run (36 000 requests, seed 1). */
class ZoneQualityTest {

    private static final int REQUESTS = 36_000;

    @Test
    void lb4jKeepsNearlyTheFeasibleLocalShareWithEvenLoad() {
        for (double[] shares : ZoneReport.SHARES) {
            ZoneQuality.Row r = ZoneQuality.measure(ZoneQuality.Contender.LB4J, shares, false, REQUESTS, 1);
            assertThat(r.ofFeasible()).as("local / feasible, callers %s", shares).isGreaterThanOrEqualTo(0.98);
            assertThat(r.maxOverMean()).as("max/mean, callers %s", shares).isLessThanOrEqualTo(1.05);
            assertThat(r.failed()).isZero();
        }
    }

    @Test
    void theOthersMissOneTargetEach() {
        double[] even = ZoneReport.SHARES[0];
        ZoneQuality.Row rr = ZoneQuality.measure(ZoneQuality.Contender.ROUND_ROBIN, even, false, REQUESTS, 1);
        assertThat(rr.maxOverMean()).isLessThanOrEqualTo(1.05);
        assertThat(rr.ofFeasible()).isLessThan(0.6); // 1/3 of 18 ... a third of requests only by chance local
        ZoneQuality.Row local = ZoneQuality.measure(ZoneQuality.Contender.ALWAYS_LOCAL, even, false, REQUESTS, 1);
        assertThat(local.localShare()).isEqualTo(1.0);
        // zone a's 3 backends take a third of the load: 1/3 / (3/18) = 2x their share
        assertThat(local.maxOverMean()).isCloseTo(2.0, within(0.05));
    }

    @Test
    void withZoneADownNothingFailsAndZoneAsCallersFollowSpareCapacity() {
        for (double[] shares : ZoneReport.SHARES) {
            ZoneQuality.Row r = ZoneQuality.measure(ZoneQuality.Contender.LB4J, shares, true, REQUESTS, 1);
            assertThat(r.failed()).isZero();
            assertThat(r.fromA().get("a")).isZero();
            double spareB = Math.max(0, 5 / 15.0 - shares[1]);
            double spareC = Math.max(0, 10 / 15.0 - shares[2]);
            assertThat(r.fromA().get("b")).isCloseTo(spareB / (spareB + spareC), within(0.02));
            assertThat(r.fromA().get("c")).isCloseTo(spareC / (spareB + spareC), within(0.02));
            assertThat(r.maxOverMean()).isLessThanOrEqualTo(1.05);
            assertThat(r.ofFeasible()).isGreaterThanOrEqualTo(0.98);
        }
    }
}
