package io.github.lb4j.spring;

import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.client.RestTemplate;

/**
 * The suite through {@code RestTemplate} over {@code HttpComponentsClientHttpRequestFactory} with lb4j as the
 * request factory ({@link LoadBalancingClientHttpRequestInterceptor#wrap}) instead of an interceptor.
 */
class RestTemplateWrappedFactoryConformanceTest extends RestTemplateConformanceTest {

    @Override
    RestTemplate build(ClientHttpRequestFactory factory, LoadBalancingClientHttpRequestInterceptor lb) {
        return new RestTemplate(lb.wrap(factory));
    }
}
