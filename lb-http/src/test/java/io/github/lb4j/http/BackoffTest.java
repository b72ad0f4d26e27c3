package io.github.lb4j.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.LoadBalancer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final LoadBalancer pool = LoadBalancer.builder("orders").build();

    @Test
    void fullJitterUnderADoublingCap() {
        Route route = Route.builder("orders", pool).build(); // 25 ms doubling to 250 ms
        Random random = new Random(1);
        long[] caps = {25, 50, 100, 200, 250, 250};
        for (int retry = 1; retry <= caps.length; retry++) {
            long cap = TimeUnit.MILLISECONDS.toNanos(caps[retry - 1]);
            long sum = 0;
            long max = 0;
            int n = 4000;
            for (int i = 0; i < n; i++) {
                long d = BalancedCall.backoffNanos(route, retry, random);
                assertThat(d).isBetween(0L, cap);
                sum += d;
                max = Math.max(max, d);
            }
            assertThat((double) sum / n).as("mean of retry %s", retry).isCloseTo(cap / 2.0,
                    org.assertj.core.data.Percentage.withPercentage(5));
            assertThat(max).isGreaterThan(cap * 9 / 10);
        }
        pool.close();
    }

    @Test
    void zeroBackoffIsImmediate() {
        Route route = Route.builder("orders", pool).backoff(Duration.ZERO, Duration.ZERO).build();
        assertThat(BalancedCall.backoffNanos(route, 3, new Random(1))).isZero();
        pool.close();
    }
}
