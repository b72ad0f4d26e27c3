package io.github.lb4j.spring;

import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The suite through {@code RestClient} over {@code JdkClientHttpRequestFactory} with lb4j as the request factory
 * ({@link LoadBalancingClientHttpRequestInterceptor#wrap}) instead of an interceptor; the same skip as the
 * interceptor's JDK case, for the same reason.
 */
class RestClientJdkWrappedFactoryConformanceTest extends RestClientJdkFactoryConformanceTest {

    @Override
    RestClient build(JdkClientHttpRequestFactory factory, LoadBalancingClientHttpRequestInterceptor lb) {
        return RestClient.builder().requestFactory(lb.wrap(factory)).build();
    }
}
