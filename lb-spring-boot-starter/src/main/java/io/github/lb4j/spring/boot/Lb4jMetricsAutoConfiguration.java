package io.github.lb4j.spring.boot;

import io.github.lb4j.micrometer.LoadBalancerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * With lb-micrometer on the class path and a {@link MeterRegistry} bean: lb4j's meters ({@link LoadBalancerMetrics},
 * {@code lb4j.requests}, {@code lb4j.backend.health}, ...) for every pool. With Actuator's metrics auto-configuration
 * the binder is a {@code MeterBinder} bean that Boot binds to its registry; without it (a registry bean of the
 * application's own), the binder is bound to every {@code MeterRegistry} bean once the context is ready.
 *
 * <p>Thread-safety: a Spring configuration class; the binder is thread-safe.
 */
@AutoConfiguration(after = Lb4jAutoConfiguration.class, afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, LoadBalancerMetrics.class})
@ConditionalOnBean(MeterRegistry.class)
@Conditional(OnPoolsCondition.class)
public class Lb4jMetricsAutoConfiguration {

    /** Boot's post-processor that binds MeterBinder beans; when present, binding is left to it. */
    static final String BOOT_BINDER = "org.springframework.boot.actuate.autoconfigure.metrics.MeterRegistryPostProcessor";

    /** Created by Spring. */
    public Lb4jMetricsAutoConfiguration() {
    }

    /**
     * @param pools the pools
     * @return the binder of every pool's meters, closed with the context
     */
    @Bean(destroyMethod = "close")
    PoolsMeterBinder lb4jMeterBinder(Lb4jPools pools) {
        return new PoolsMeterBinder(pools);
    }

    /**
     * @param binder the pools' binder
     * @param registries the application's registries
     * @return what binds them when Boot's metrics auto-configuration is absent
     */
    @Bean
    @ConditionalOnMissingClass(BOOT_BINDER)
    SmartInitializingSingleton lb4jMeterBinding(PoolsMeterBinder binder, ObjectProvider<MeterRegistry> registries) {
        return () -> registries.orderedStream().forEach(binder::bindTo);
    }
}
