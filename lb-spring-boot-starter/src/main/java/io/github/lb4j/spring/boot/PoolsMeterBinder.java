package io.github.lb4j.spring.boot;

import io.github.lb4j.micrometer.LoadBalancerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;

/** lb-micrometer's {@link LoadBalancerMetrics} for every pool, as one binder; closing it removes the meters. */
final class PoolsMeterBinder implements MeterBinder, AutoCloseable {

    private final List<LoadBalancerMetrics> metrics = new ArrayList<>();

    PoolsMeterBinder(Lb4jPools pools) {
        pools.pools().values().forEach(pool -> metrics.add(new LoadBalancerMetrics(pool)));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        metrics.forEach(m -> m.bindTo(registry));
    }

    @Override
    public void close() {
        metrics.forEach(LoadBalancerMetrics::close);
    }

    @Override
    public String toString() {
        return "PoolsMeterBinder" + metrics;
    }
}
