package io.github.lb4j.spring.boot;

import static io.github.lb4j.spring.boot.Runners.failedOn;
import static io.github.lb4j.spring.boot.Runners.lb4j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.dns.DnsBackendSource;
import io.github.lb4j.etcd.EtcdBackendSource;
import io.github.lb4j.kubernetes.KubernetesBackendSource;
import io.github.lb4j.micrometer.LoadBalancerMetrics;
import io.github.lb4j.spring.LoadBalancingClientHttpRequestInterceptor;
import io.github.lb4j.spring.LoadBalancingExchangeFilterFunction;
import io.github.lb4j.zookeeper.ZooKeeperBackendSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.web.client.RestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.web.client.RestTemplateAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.function.client.WebClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.client.RestClientCustomizer;
import org.springframework.boot.web.client.RestTemplateBuilder;
import org.springframework.boot.web.client.RestTemplateCustomizer;
import org.springframework.boot.web.reactive.function.client.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/** Each condition of the starter, on and off. */
class ConditionsTest {

    private static final String[] TWO_POOLS = {
            "lb4j.pools.orders.backends=127.0.0.1:8081, 127.0.0.1:8082;weight=3",
            "lb4j.pools.orders.strategy=peak-ewma",
            "lb4j.pools.users.backends=[::1]:9090;zone=a;id=u1"};

    private static ApplicationContextRunner withClients() {
        return lb4j().withConfiguration(AutoConfigurations.of(RestClientAutoConfiguration.class,
                RestTemplateAutoConfiguration.class, WebClientAutoConfiguration.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class UsesOrders {
        @Bean
        String ordersStrategy(@Qualifier("orders") LoadBalancer orders) {
            return orders.strategy().name();
        }
    }

    @Test
    void eachPoolIsANamedBeanClosedWithTheContext() {
        List<LoadBalancer> seen = new ArrayList<>();
        lb4j().withUserConfiguration(UsesOrders.class).withPropertyValues(TWO_POOLS).run(c -> {
            assertThat(c).hasNotFailed();
            assertThat(c.getBean("ordersStrategy")).isEqualTo("peakEwma");
            LoadBalancer orders = c.getBean("lb4j.pools.orders", LoadBalancer.class);
            assertThat(orders.backends()).containsExactly(Backend.of("127.0.0.1", 8081),
                    Backend.of("127.0.0.1", 8082).withWeight(3));
            LoadBalancer users = c.getBean(Lb4jPools.class).pool("users");
            assertThat(users.backends()).containsExactly(Backend.of("::1", 9090).withZone("a").withId("u1"));
            assertThat(c.getBeansOfType(LoadBalancer.class)).containsOnlyKeys("lb4j.pools.orders",
                    "lb4j.pools.users");
            seen.add(orders);
            seen.add(users);
        });
        for (LoadBalancer pool : seen) {
            assertThatThrownBy(pool::select).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void noPoolsNoClientsHealthOrMetrics() {
        withClients().withBean(SimpleMeterRegistry.class).run(c -> {
            assertThat(c).hasNotFailed();
            assertThat(c.getBean(Lb4jPools.class).pools()).isEmpty();
            assertThat(c).doesNotHaveBean(LoadBalancingClientHttpRequestInterceptor.class)
                    .doesNotHaveBean(LoadBalancingExchangeFilterFunction.class)
                    .doesNotHaveBean("lb4jHealthContributor")
                    .doesNotHaveBean(PoolsMeterBinder.class);
        });
    }

    @Test
    void everyBuilderGetsTheInterceptorOrFilter() {
        withClients().withPropertyValues(TWO_POOLS).run(c -> {
            LoadBalancingClientHttpRequestInterceptor interceptor =
                    c.getBean(LoadBalancingClientHttpRequestInterceptor.class);
            LoadBalancingExchangeFilterFunction filter = c.getBean(LoadBalancingExchangeFilterFunction.class);
            assertThat(interceptorsOf(c.getBean(RestClient.Builder.class))).containsExactly(interceptor);
            assertThat(c.getBean(RestTemplateBuilder.class).build().getInterceptors()).containsExactly(interceptor);
            assertThat(filtersOf(c.getBean(WebClient.Builder.class))).containsExactly(filter);
            assertThat(interceptor.toString()).contains("orders").contains("users");
        });
    }

    @Test
    void customizationOptOutLeavesBuildersAlone() {
        withClients().withPropertyValues(TWO_POOLS).withPropertyValues("lb4j.client-customization.enabled=false")
                .run(c -> {
                    assertThat(c).hasSingleBean(LoadBalancingClientHttpRequestInterceptor.class)
                            .hasSingleBean(LoadBalancingExchangeFilterFunction.class);
                    assertThat(interceptorsOf(c.getBean(RestClient.Builder.class))).isEmpty();
                    assertThat(c.getBean(RestTemplateBuilder.class).build().getInterceptors()).isEmpty();
                    assertThat(filtersOf(c.getBean(WebClient.Builder.class))).isEmpty();
                });
    }

    @Test
    void withoutWebFluxNoFilter() {
        lb4j().withPropertyValues(TWO_POOLS).withClassLoader(new FilteredClassLoader(WebClient.class)).run(c ->
                assertThat(c).hasSingleBean(LoadBalancingClientHttpRequestInterceptor.class)
                        .doesNotHaveBean(LoadBalancingExchangeFilterFunction.class));
    }

    @Test
    void withoutSpringWebNoInterceptor() {
        lb4j().withPropertyValues(TWO_POOLS).withClassLoader(new FilteredClassLoader(RestClient.class)).run(c ->
                assertThat(c).doesNotHaveBean(LoadBalancingClientHttpRequestInterceptor.class)
                        .hasSingleBean(LoadBalancingExchangeFilterFunction.class));
    }

    @Test
    void withoutBoot3CustomizerTypesOnlyTheInterceptorAndFilter() {
        // Boot 4 moved RestClientCustomizer, RestTemplateCustomizer and WebClientCustomizer to other packages.
        withClients().withPropertyValues(TWO_POOLS).withClassLoader(new FilteredClassLoader(
                RestClientCustomizer.class, RestTemplateCustomizer.class, WebClientCustomizer.class)).run(c ->
                assertThat(c).hasNotFailed().hasSingleBean(LoadBalancingClientHttpRequestInterceptor.class)
                        .hasSingleBean(LoadBalancingExchangeFilterFunction.class)
                        .doesNotHaveBean("lb4jRestClientCustomizer").doesNotHaveBean("lb4jWebClientCustomizer"));
    }

    @Test
    void healthPerPool() {
        lb4j().withPropertyValues(TWO_POOLS).withPropertyValues("lb4j.pools.users.min-available-backends=2")
                .run(c -> {
                    CompositeHealthContributor lb4j = c.getBean("lb4jHealthContributor",
                            CompositeHealthContributor.class);
                    HealthIndicator orders = (HealthIndicator) lb4j.getContributor("orders");
                    assertThat(orders.health().getStatus()).isEqualTo(Status.UP);
                    assertThat(orders.health().getDetails()).containsEntry("available", 2)
                            .containsEntry("strategy", "peakEwma").containsKey("backends");
                    assertThat(orders.health().getDetails().get("backends").toString())
                            .contains("127.0.0.1:8082={state=HEALTHY, inFlight=0");
                    HealthIndicator users = (HealthIndicator) lb4j.getContributor("users");
                    assertThat(users.health().getStatus()).isEqualTo(Status.DOWN); // 1 of the 2 it needs
                });
    }

    @Test
    void healthOffByPropertyOrWithoutActuator() {
        lb4j().withPropertyValues(TWO_POOLS).withPropertyValues("management.health.lb4j.enabled=false").run(c ->
                assertThat(c).doesNotHaveBean("lb4jHealthContributor"));
        lb4j().withPropertyValues(TWO_POOLS).withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run(c ->
                assertThat(c).hasNotFailed().doesNotHaveBean("lb4jHealthContributor"));
    }

    @Test
    void metricsBoundByBootsMetricsAutoConfiguration() {
        lb4j().withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                .withPropertyValues(TWO_POOLS).run(c -> {
                    assertThat(c).hasSingleBean(PoolsMeterBinder.class).doesNotHaveBean("lb4jMeterBinding");
                    MeterRegistry registry = c.getBean(MeterRegistry.class);
                    assertThat(registry.find(LoadBalancerMetrics.POOL_BACKENDS).tag("pool", "orders").gauges())
                            .isNotEmpty();
                    assertThat(registry.find(LoadBalancerMetrics.POOL_BACKENDS).tag("pool", "users").gauges())
                            .isNotEmpty();
                });
    }

    @Test
    void metricsBoundToTheApplicationsOwnRegistry() {
        lb4j().withBean(SimpleMeterRegistry.class).withPropertyValues(TWO_POOLS)
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate.autoconfigure.metrics"))
                .run(c -> {
                    assertThat(c).hasBean("lb4jMeterBinding");
                    MeterRegistry registry = c.getBean(MeterRegistry.class);
                    assertThat(registry.find(LoadBalancerMetrics.IN_FLIGHT).tag("pool", "orders").gauges())
                            .hasSize(2);
                });
    }

    @Test
    void noMetricsWithoutRegistryOrBinder() {
        lb4j().withPropertyValues(TWO_POOLS).run(c -> assertThat(c).doesNotHaveBean(PoolsMeterBinder.class));
        lb4j().withBean(SimpleMeterRegistry.class).withPropertyValues(TWO_POOLS)
                .withClassLoader(new FilteredClassLoader(LoadBalancerMetrics.class))
                .run(c -> assertThat(c).hasNotFailed().doesNotHaveBean(PoolsMeterBinder.class));
    }

    @Test
    void discoveryWithoutItsModuleFailsTheStart() {
        lb4j().withPropertyValues("lb4j.pools.users.discovery.dns.srv=_http._tcp.users.example")
                .withClassLoader(new FilteredClassLoader(DnsBackendSource.class)).run(c ->
                        failedOn(c, "lb4j.pools.users.discovery.dns", null).hasMessageContaining("lb-dns"));
        lb4j().withPropertyValues("lb4j.pools.users.discovery.zookeeper.connect-string=127.0.0.1:2181")
                .withClassLoader(new FilteredClassLoader(ZooKeeperBackendSource.class)).run(c ->
                        failedOn(c, "lb4j.pools.users.discovery.zookeeper", null).hasMessageContaining("lb-zookeeper"));
        lb4j().withPropertyValues("lb4j.pools.users.discovery.etcd.target=users")
                .withClassLoader(new FilteredClassLoader(EtcdBackendSource.class)).run(c ->
                        failedOn(c, "lb4j.pools.users.discovery.etcd", null).hasMessageContaining("lb-etcd"));
        lb4j().withPropertyValues("lb4j.pools.users.discovery.kubernetes.namespace=shop")
                .withClassLoader(new FilteredClassLoader(KubernetesBackendSource.class)).run(c ->
                        failedOn(c, "lb4j.pools.users.discovery.kubernetes", null)
                                .hasMessageContaining("lb-kubernetes"));
    }

    private static List<ClientHttpRequestInterceptor> interceptorsOf(RestClient.Builder builder) {
        List<ClientHttpRequestInterceptor> seen = new ArrayList<>();
        builder.requestInterceptors(seen::addAll);
        return seen;
    }

    private static List<ExchangeFilterFunction> filtersOf(WebClient.Builder builder) {
        List<ExchangeFilterFunction> seen = new ArrayList<>();
        builder.filters(seen::addAll);
        return seen;
    }
}
