package io.github.lb4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.BackendHealth;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.http.conformance.LoopbackServer;
import io.github.lb4j.micrometer.LoadBalancerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * A real Boot application on a random loopback port, configured only by properties, calls three real loopback
 * backends through Boot's auto-configured RestClient and WebClient builders; one backend is closed mid-test and
 * every call still succeeds (a retry on another backend, then the closed one is ejected), as health and metrics
 * show.
 */
@SpringBootTest(classes = BootApplicationTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "management.endpoints.web.exposure.include=health",
                "management.endpoint.health.show-details=always"})
class BootApplicationTest {

    private static LoopbackServer a;
    private static LoopbackServer b;
    private static LoopbackServer c;

    @DynamicPropertySource
    static void pools(DynamicPropertyRegistry registry) throws IOException {
        a = LoopbackServer.http("a");
        b = LoopbackServer.http("b");
        c = LoopbackServer.http("c");
        registry.add("lb4j.pools.orders.backends", () -> "127.0.0.1:" + a.port() + ", 127.0.0.1:" + b.port()
                + ", 127.0.0.1:" + c.port());
        registry.add("lb4j.pools.orders.strategy", () -> "round-robin");
        registry.add("lb4j.pools.orders.outlier-detection.consecutive-failures", () -> "1");
        registry.add("lb4j.pools.orders.outlier-detection.base-ejection-time", () -> "5m");
        registry.add("lb4j.pools.orders.slow-start", () -> "0s");
        registry.add("lb4j.pools.orders.route.max-attempts", () -> "3");
        registry.add("lb4j.pools.orders.route.per-try-timeout", () -> "5s");
    }

    @AfterAll
    static void stopBackends() {
        a.close();
        b.close();
        c.close();
    }

    @RestController
    static class Proxy {
        private final RestClient rest;
        private final WebClient web;

        Proxy(RestClient.Builder rest, WebClient.Builder web) {
            this.rest = rest.baseUrl("http://orders").build();
            this.web = web.baseUrl("http://orders").build();
        }

        @GetMapping("/via-rest")
        String viaRest() {
            return rest.get().uri("/items").retrieve().body(String.class);
        }

        @GetMapping("/via-web")
        Mono<String> viaWeb() {
            return web.get().uri("/items").retrieve().bodyToMono(String.class);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Proxy.class)
    static class App {
        @Bean
        HttpClient testClient() {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    HttpClient client;
    @Autowired
    Lb4jPools pools;
    @Autowired
    MeterRegistry meters;

    @Test
    void callsSurviveABackendCrash() throws Exception {
        Set<String> before = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            before.add(call("/via-rest"));
            before.add(call("/via-web"));
        }
        assertThat(before).containsExactlyInAnyOrder("a", "b", "c");

        b.close(); // crashes: its listener and open connections are gone
        int bSeen = b.requests.get();
        Set<String> after = new HashSet<>();
        for (int i = 0; i < 15; i++) {
            after.add(call("/via-rest"));
            after.add(call("/via-web"));
        }
        assertThat(after).containsExactlyInAnyOrder("a", "c");
        assertThat(b.requests.get()).isEqualTo(bSeen);

        BackendStats crashed = pools.pool("orders").stats().stream()
                .filter(s -> s.backend().port() == b.port()).findFirst().orElseThrow();
        assertThat(crashed.health()).isEqualTo(BackendHealth.EJECTED);
        assertThat(crashed.failures()).isPositive();
        String health = get("/actuator/health/lb4j/orders");
        assertThat(health).contains("\"status\":\"UP\"").contains("\"available\":2").contains("EJECTED");
        assertThat(meters.find(LoadBalancerMetrics.REQUESTS).tag("pool", "orders").tag("outcome", "failure")
                .functionTimer()).isNotNull();
    }

    private String call(String path) throws Exception {
        HttpResponse<String> response = send(path);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }

    private String get(String path) throws Exception {
        return send(path).body();
    }

    private HttpResponse<String> send(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
