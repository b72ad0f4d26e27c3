package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Peak-EWMA decays the estimate of an idle backend only: outstanding calls are evidence of slowness. */
class PeakEwmaDecayTest {

    static final Backend FAST = Backend.of("fast", 1);
    static final Backend SLOW = Backend.of("slow", 1);

    @Test
    void aBackendWithACallStillOutstandingIsNotMadeCheapByDecay() {
        FakeTicker ticker = new FakeTicker();
        LoadBalancer lb = LoadBalancer.builder("decay").backends(List.of(FAST, SLOW)).strategy(Strategy.peakEwma())
                .ticker(ticker).random(new SplittableRandom(7)).build();
        Selection slow = lb.select(RequestContext.ofPinned(SLOW.id()));
        ticker.advanceMillis(1000);
        slow.failure(new RuntimeException("timeout")); // slow's estimate: 1 s
        Selection fast = lb.select(RequestContext.ofPinned(FAST.id()));
        ticker.advanceMillis(10);
        fast.success(); // fast's estimate: 10 ms

        // One call to the slow backend hangs; fast keeps answering in 10 ms every 100 ms for 60 s (6 decay windows).
        Selection hanging = lb.select(RequestContext.ofPinned(SLOW.id()));
        for (int i = 0; i < 600; i++) {
            ticker.advanceMillis(90);
            Selection s = lb.select();
            assertThat(s.backend()).as("pick %d at %d ms", i, i * 100).isEqualTo(FAST);
            ticker.advanceMillis(10);
            s.success();
        }
        hanging.close();

        // Once idle, the slow backend's estimate decays and it is tried again (what decay is for).
        ticker.advanceMillis(120_000);
        boolean retried = false;
        for (int i = 0; i < 20 && !retried; i++) {
            Selection s = lb.select();
            retried = s.backend().equals(SLOW);
            s.close();
        }
        assertThat(retried).as("idle slow backend retried after its estimate decayed").isTrue();
    }
}
