/**
 * Spring Framework 6.2 integration: {@link io.github.lb4j.spring.LoadBalancingClientHttpRequestInterceptor} for
 * {@code RestClient} and {@code RestTemplate}, {@link io.github.lb4j.spring.LoadBalancingExchangeFilterFunction}
 * for {@code WebClient}. Requests for {@code http://pool-name/...} go to a backend of the named
 * {@link io.github.lb4j.core.LoadBalancer} pool; the call policy (routes, retries, retry budget, outcomes) is
 * lb-http's, shared with every lb4j HTTP adapter. Spring itself ({@code spring-web}; {@code spring-webflux} and
 * {@code reactor-core} for WebClient) is the application's dependency.
 */
package io.github.lb4j.spring;
