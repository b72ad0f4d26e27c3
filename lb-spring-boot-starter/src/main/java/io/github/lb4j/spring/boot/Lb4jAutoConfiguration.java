package io.github.lb4j.spring.boot;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Builds the pools of {@code lb4j.pools.*} ({@link Lb4jPools}, and one {@code LoadBalancer} bean per pool) with the
 * discovery sources whose modules are on the class path. Every pool is checked at start-up: a bad value fails the
 * start with a {@link Lb4jPropertyException}.
 *
 * <p>Thread-safety: a Spring configuration class; the beans it makes are thread-safe.
 */
@AutoConfiguration
@EnableConfigurationProperties(Lb4jProperties.class)
@Import({PoolBeanRegistrar.class, Lb4jDiscoveryConfiguration.Dns.class, Lb4jDiscoveryConfiguration.ZooKeeper.class,
        Lb4jDiscoveryConfiguration.Etcd.class, Lb4jDiscoveryConfiguration.Kubernetes.class})
public class Lb4jAutoConfiguration {

    /** Created by Spring. */
    public Lb4jAutoConfiguration() {
    }

    /**
     * @param properties the bound {@code lb4j.*} properties
     * @param discovery the discovery factories of the modules on the class path
     * @return the pools, built and checked; closed with the context
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Lb4jPools lb4jPools(Lb4jProperties properties, ObjectProvider<DiscoveryFactory> discovery) {
        return new Lb4jPools(properties, new PoolAssembler(discovery.orderedStream().toList()));
    }
}
