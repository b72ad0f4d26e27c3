package io.github.lb4j.spring;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.lb4j.http.conformance.AdapterConformanceTest;
import io.github.lb4j.http.conformance.ClientSetup;
import io.github.lb4j.http.conformance.TestClient;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The suite through {@code RestClient} over {@code JdkClientHttpRequestFactory} (the JDK's HttpClient), the factory
 * Spring picks when no other client library is present. Every case passes but the route-name certificate one,
 * which this factory cannot support: the JDK client takes no hostname verifier and has no per-connection TLS hook,
 * so a certificate is always checked against the backend's address. That case is skipped here, with this reason.
 */
class RestClientJdkFactoryConformanceTest extends AdapterConformanceTest {

    @Override
    protected TestClient newClient(ClientSetup setup) {
        assumeFalse(setup.tls() && setup.routes().stream().anyMatch(r -> r.verifyCertificateAgainstRouteName()),
                "JdkClientHttpRequestFactory: the JDK client verifies certificates against the backend's address "
                        + "only (no hostname verifier, no per-connection TLS hook)");
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (setup.tls()) {
            http.sslContext(setup.sslContext());
        }
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(http.build());
        factory.setReadTimeout(setup.readTimeout());
        return new SpringTestClients.RestClientTestClient(build(factory, SpringTestClients.interceptor(setup)), null);
    }

    /** The client with lb4j in it: the interceptor here, the wrapped factory in a subclass. */
    RestClient build(JdkClientHttpRequestFactory factory, LoadBalancingClientHttpRequestInterceptor lb) {
        return RestClient.builder().requestFactory(factory).requestInterceptor(lb).build();
    }
}
