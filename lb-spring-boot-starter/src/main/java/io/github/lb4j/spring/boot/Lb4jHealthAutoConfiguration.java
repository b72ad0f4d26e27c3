package io.github.lb4j.spring.boot;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * With Spring Boot Actuator on the class path: a health contributor {@code lb4j} with one indicator per pool
 * ({@code /actuator/health/lb4j/orders}), UP while {@code lb4j.pools.<name>.min-available-backends} (default 1)
 * backends are healthy. {@code management.health.lb4j.enabled=false} turns it off.
 *
 * <p>Thread-safety: a Spring configuration class; the indicators are thread-safe.
 */
@AutoConfiguration(after = Lb4jAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@Conditional(OnPoolsCondition.class)
@ConditionalOnProperty(prefix = "management.health.lb4j", name = "enabled", matchIfMissing = true)
public class Lb4jHealthAutoConfiguration {

    /** Created by Spring. */
    public Lb4jHealthAutoConfiguration() {
    }

    /**
     * @param pools the pools
     * @return a composite of one indicator per pool, named after it
     */
    @Bean
    @ConditionalOnMissingBean(name = "lb4jHealthContributor")
    CompositeHealthContributor lb4jHealthContributor(Lb4jPools pools) {
        Map<String, HealthContributor> indicators = new LinkedHashMap<>();
        pools.pools().forEach((name, pool) ->
                indicators.put(name, new PoolHealthIndicator(pool, pools.minAvailableBackends(name))));
        return CompositeHealthContributor.fromMap(indicators);
    }
}
