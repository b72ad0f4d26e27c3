package io.github.lb4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.http.conformance.Blackhole;
import io.github.lb4j.http.conformance.LoopbackServer;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * Every case again with {@link LoadBalancingClientHttpRequestInterceptor#wrap} in place of the interceptor, and
 * what is particular to the wrapped factory.
 */
class RestClientWrappedFactoryTest extends RestClientTest {
    @Override
    RestClient client(LoadBalancingClientHttpRequestInterceptor lb, CloseableHttpClient http) {
        return RestClient.builder().requestFactory(lb.wrap(new HttpComponentsClientHttpRequestFactory(http)))
                .build();
    }

    @Test
    void unroutedHostsGetTheDelegatesOwnRequestAndAWrappedFactoryIsNotWrappedAgain() throws Exception {
        LoadBalancingClientHttpRequestInterceptor lb = LoadBalancingClientHttpRequestInterceptor.builder()
                .route("orders", pool("orders", server("a").backend())).build();
        HttpComponentsClientHttpRequestFactory apache = new HttpComponentsClientHttpRequestFactory(
                register(HttpClients.createDefault()));
        ClientHttpRequestFactory wrapped = lb.wrap(apache);
        assertThat(wrapped.createRequest(URI.create("http://127.0.0.1:1/"), HttpMethod.GET).getClass())
                .isEqualTo(apache.createRequest(URI.create("http://127.0.0.1:1/"), HttpMethod.GET).getClass());
        assertThat(wrapped.createRequest(URI.create("http://orders/"), HttpMethod.GET).getClass())
                .isNotEqualTo(apache.createRequest(URI.create("http://orders/"), HttpMethod.GET).getClass());
        assertThatThrownBy(() -> lb.wrap(wrapped)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delegate is already a load-balancing request factory");
        assertThatThrownBy(() -> lb.wrap(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("delegate");
        assertThat(wrapped.toString()).contains("orders");
    }

    @Test
    void interceptorsOfTheClientRunOncePerCallAboveEveryAttempt() throws Exception {
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", Blackhole.refusing("refused"), good.backend());
        LoadBalancingClientHttpRequestInterceptor lb = LoadBalancingClientHttpRequestInterceptor.builder()
                .route(route("orders", orders)).build();
        AtomicInteger seen = new AtomicInteger();
        RestClient client = RestClient.builder()
                .requestFactory(lb.wrap(new HttpComponentsClientHttpRequestFactory(
                        register(HttpClients.custom().disableAutomaticRetries().build()))))
                .requestInterceptor((request, body, execution) -> {
                    seen.incrementAndGet();
                    request.getHeaders().set("X-Signed", "yes");
                    return execution.execute(request, body);
                }).build();
        for (int i = 0; i < 4; i++) {
            assertThat(client.post().uri("http://orders/").body("p-" + i).retrieve().body(String.class))
                    .isEqualTo("good");
        }
        assertThat(seen.get()).as("one per call, though refused attempts were retried").isEqualTo(4);
        assertThat(Fixtures.stats(orders, "refused").failures()).isPositive();
        assertThat(good.recorded).extracting(r -> r.header("X-signed")).containsOnly("yes");
        assertThat(good.recorded).extracting(r -> r.body).containsExactly("p-0", "p-1", "p-2", "p-3");
    }
}
