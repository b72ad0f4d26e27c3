package io.github.lb4j.spring;

import io.github.lb4j.http.conformance.AdapterConformanceTest;
import io.github.lb4j.http.conformance.ClientSetup;
import io.github.lb4j.http.conformance.TestClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.springframework.web.client.RestClient;

/**
 * lb-http's adapter conformance suite through {@code RestClient} over {@code HttpComponentsClientHttpRequestFactory}
 * (Apache HttpClient 5): the synchronous path only, RestClient has no asynchronous API (the asynchronous cases are
 * skipped by the suite's assumption).
 */
class RestClientConformanceTest extends AdapterConformanceTest {

    @Override
    protected TestClient newClient(ClientSetup setup) {
        LoadBalancingClientHttpRequestInterceptor lb = SpringTestClients.interceptor(setup);
        CloseableHttpClient http = SpringTestClients.httpClient5(setup, lb);
        RestClient client = RestClient.builder().requestFactory(SpringTestClients.factory(http))
                .requestInterceptor(lb).build();
        return new SpringTestClients.RestClientTestClient(client, http);
    }
}
