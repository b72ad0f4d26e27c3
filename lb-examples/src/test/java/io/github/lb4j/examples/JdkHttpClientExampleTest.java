package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.jdkhttp.LoadBalancedHttpClient;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JdkHttpClientExampleTest {

    @Test
    void requestsAreSpreadAndRetriedAroundACrashedBackend() throws Exception {
        try (HttpBackend b1 = HttpBackend.start("b1", InetAddress.getLoopbackAddress(), Duration.ZERO);
             HttpBackend b2 = HttpBackend.start("b2", InetAddress.getLoopbackAddress(), Duration.ZERO);
             LoadBalancer pool = LoadBalancer.builder("orders").strategy(Strategy.roundRobin())
                     .backends(List.of(Backend.of("127.0.0.1", b1.port()).withId("b1"),
                             Backend.of("127.0.0.1", b2.port()).withId("b2"))).build();
             LoadBalancedHttpClient client = LoadBalancedHttpClient.builder(HttpClient.newHttpClient())
                     .route("orders", pool).build()) {
            assertThat(JdkHttpClientExample.send(client, 10)).isEqualTo(Map.of("b1", 5, "b2", 5));
            b2.crash();
            assertThat(JdkHttpClientExample.send(client, 10)).isEqualTo(Map.of("b1", 10));
        }
    }
}
