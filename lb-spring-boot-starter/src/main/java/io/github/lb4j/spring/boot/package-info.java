/**
 * lb4j's Spring Boot starter: pools from {@code lb4j.pools.*} ({@link io.github.lb4j.spring.boot.Lb4jProperties}),
 * one {@code LoadBalancer} bean per pool ({@link io.github.lb4j.spring.boot.Lb4jPools}), lb-spring's interceptor and
 * filter added to every {@code RestClient.Builder}, {@code RestTemplateBuilder} and {@code WebClient.Builder}, an
 * Actuator health indicator and lb-micrometer's meters per pool, and the discovery modules on the class path.
 *
 * <pre>{@code
 * lb4j.pools.orders.backends=10.0.0.1:8080, 10.0.0.2:8080;weight=3
 * lb4j.pools.orders.strategy=peak-ewma
 *
 * @Bean
 * RestClient orders(RestClient.Builder builder) {          // Boot's builder, customized by lb4j
 *     return builder.baseUrl("http://orders").build();     // balanced over lb4j.pools.orders
 * }
 * }</pre>
 */
package io.github.lb4j.spring.boot;
