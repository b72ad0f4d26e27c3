package io.github.lb4j.spring.boot;

import io.github.lb4j.http.Route;
import io.github.lb4j.spring.LoadBalancingClientHttpRequestInterceptor;
import io.github.lb4j.spring.LoadBalancingExchangeFilterFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.client.RestClientCustomizer;
import org.springframework.boot.web.client.RestTemplateCustomizer;
import org.springframework.boot.web.reactive.function.client.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * lb-spring's interceptor (RestClient, RestTemplate) and filter (WebClient) over every configured pool, and the
 * customizers that add them to each {@code RestClient.Builder}, {@code RestTemplateBuilder} and
 * {@code WebClient.Builder} bean Boot makes, so {@code http://orders/...} is balanced over {@code lb4j.pools.orders}.
 * The customizers run last (lowest precedence), so lb4j's interceptor and filter come after those other customizers
 * add, as lb-spring asks. {@code lb4j.client-customization.enabled=false} leaves the builders alone; the interceptor
 * and filter beans are still there to add by hand.
 *
 * <p>Thread-safety: a Spring configuration class; the beans it makes are thread-safe.
 */
@AutoConfiguration(after = Lb4jAutoConfiguration.class)
@Conditional(OnPoolsCondition.class)
@ConditionalOnClass(LoadBalancingClientHttpRequestInterceptor.class)
public class Lb4jClientAutoConfiguration {

    static final String CUSTOMIZATION = Lb4jProperties.PREFIX + ".client-customization";

    /** Created by Spring. */
    public Lb4jClientAutoConfiguration() {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RestClient.class)
    static class Blocking {

        @Bean
        @ConditionalOnMissingBean
        LoadBalancingClientHttpRequestInterceptor lb4jClientHttpRequestInterceptor(Lb4jPools pools) {
            LoadBalancingClientHttpRequestInterceptor.Builder b = LoadBalancingClientHttpRequestInterceptor.builder();
            for (Route route : pools.routes()) {
                b.route(route);
            }
            return b.build();
        }

    }

    /** Boot 3's customizer types; Boot 4 moved them, and then only the interceptor and filter beans are made. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({RestClient.class, RestClientCustomizer.class, RestTemplateCustomizer.class})
    @ConditionalOnProperty(prefix = CUSTOMIZATION, name = "enabled", matchIfMissing = true)
    static class BlockingCustomizers {

        @Bean
        @Order(Ordered.LOWEST_PRECEDENCE)
        RestClientCustomizer lb4jRestClientCustomizer(LoadBalancingClientHttpRequestInterceptor interceptor) {
            return builder -> builder.requestInterceptor(interceptor);
        }

        @Bean
        @Order(Ordered.LOWEST_PRECEDENCE)
        RestTemplateCustomizer lb4jRestTemplateCustomizer(LoadBalancingClientHttpRequestInterceptor interceptor) {
            return template -> template.getInterceptors().add(interceptor);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({WebClient.class, LoadBalancingExchangeFilterFunction.class})
    static class Reactive {

        @Bean
        @ConditionalOnMissingBean
        LoadBalancingExchangeFilterFunction lb4jExchangeFilterFunction(Lb4jPools pools) {
            LoadBalancingExchangeFilterFunction.Builder b = LoadBalancingExchangeFilterFunction.builder();
            for (Route route : pools.routes()) {
                b.route(route);
            }
            return b.build();
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({WebClient.class, LoadBalancingExchangeFilterFunction.class, WebClientCustomizer.class})
    @ConditionalOnProperty(prefix = CUSTOMIZATION, name = "enabled", matchIfMissing = true)
    static class ReactiveCustomizers {

        @Bean
        @Order(Ordered.LOWEST_PRECEDENCE)
        WebClientCustomizer lb4jWebClientCustomizer(LoadBalancingExchangeFilterFunction filter) {
            return builder -> builder.filter(filter);
        }
    }
}
