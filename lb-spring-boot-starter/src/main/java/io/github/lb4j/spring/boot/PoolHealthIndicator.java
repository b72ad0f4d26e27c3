package io.github.lb4j.spring.boot;

import io.github.lb4j.core.BackendHealth;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * One pool's health: UP while at least {@code min-available-backends} members are {@link BackendHealth#HEALTHY}
 * (neither ejected, unhealthy nor draining), else DOWN; the details list every backend (draining ones included) with
 * its state, calls in flight and the reason of its last transition. Reads {@link LoadBalancer#stats()}, which takes
 * no lock on the request path.
 */
final class PoolHealthIndicator implements HealthIndicator {

    private final LoadBalancer pool;
    private final int minAvailable;

    PoolHealthIndicator(LoadBalancer pool, int minAvailable) {
        this.pool = pool;
        this.minAvailable = minAvailable;
    }

    @Override
    public Health health() {
        List<BackendStats> stats = pool.stats();
        int available = 0;
        int members = 0;
        Map<String, Object> backends = new LinkedHashMap<>();
        for (BackendStats s : stats) {
            if (s.health() != BackendHealth.DRAINING) {
                members++;
            }
            if (s.health() == BackendHealth.HEALTHY) {
                available++;
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("state", s.health().name());
            detail.put("inFlight", s.inFlight());
            detail.put("lastTransition", s.lastTransitionReason());
            backends.put(s.backend().id(), detail);
        }
        Health.Builder health = available >= minAvailable && (members > 0 || minAvailable == 0)
                ? Health.up() : Health.down();
        return health.withDetail("available", available)
                .withDetail("members", members)
                .withDetail("minAvailable", minAvailable)
                .withDetail("strategy", pool.strategy().name())
                .withDetail("backends", backends)
                .build();
    }
}
