package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransparentProxyTest {

    private final List<HttpBackend> backends = new ArrayList<>();
    private LoadBalancer pool;
    private TransparentProxy proxy;
    private final OkHttpClient backendClient = new OkHttpClient();
    private final OkHttpClient caller = new OkHttpClient();

    @BeforeEach
    void start() throws IOException {
        for (String name : List.of("b1", "b2")) {
            backends.add(HttpBackend.start(name, InetAddress.getLoopbackAddress(), Duration.ZERO));
        }
        pool = LoadBalancer.builder("proxy").backends(backends.stream().map(HttpBackend::backend).toList())
                .strategy(Strategy.roundRobin()).build();
        proxy = TransparentProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), pool,
                backendClient);
    }

    @AfterEach
    void stop() {
        proxy.close();
        pool.close();
        backends.forEach(HttpBackend::close);
        backendClient.connectionPool().evictAll();
        caller.connectionPool().evictAll();
    }

    @Test
    void forwardsEachRequestToABackendAndTheClientStaysAtTheProxy() throws IOException {
        Map<String, Integer> servedBy = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            String url = proxy.url() + "/items?id=" + i;
            try (Response r = caller.newCall(new Request.Builder().url(url).build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
                assertThat(r.priorResponse()).as("no redirect").isNull();
                assertThat(r.request().url().toString()).isEqualTo(url);
                assertThat(r.header("Via")).isEqualTo("1.1 lb4j-proxy");
                String who = r.header(HttpBackend.SERVED_BY);
                assertThat(r.body().string()).isEqualTo(who + " GET /items?id=" + i + "\n");
                servedBy.merge(who, 1, Integer::sum);
            }
        }
        assertThat(servedBy).containsOnly(Map.entry("b1", 3), Map.entry("b2", 3));
        assertThat(pool.stats()).allSatisfy(s -> assertThat(s.successes()).isEqualTo(3));
    }

    @Test
    void streamsALargeBodyBothWays() throws IOException {
        byte[] payload = new byte[3 * 1024 * 1024];
        new Random(42).nextBytes(payload);
        Request post = new Request.Builder().url(proxy.url() + "/upload")
                .post(RequestBody.create(payload, MediaType.get("application/octet-stream"))).build();
        try (Response r = caller.newCall(post).execute()) {
            assertThat(r.code()).isEqualTo(200);
            byte[] body = r.body().bytes();
            String head = r.header(HttpBackend.SERVED_BY) + " POST /upload\n";
            assertThat(new String(body, 0, head.length(), StandardCharsets.UTF_8)).isEqualTo(head);
            byte[] echoed = new byte[body.length - head.length()];
            System.arraycopy(body, head.length(), echoed, 0, echoed.length);
            assertThat(echoed).isEqualTo(payload);
        }
    }

    @Test
    void aGetIsRetriedOnAnotherBackendWhenOneIsDown() throws IOException {
        backends.get(1).crash();
        for (int i = 0; i < 6; i++) {
            try (Response r = caller.newCall(new Request.Builder().url(proxy.url() + "/x").build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
                assertThat(r.header(HttpBackend.SERVED_BY)).isEqualTo("b1");
            }
        }
        Map<String, BackendStats> stats = new HashMap<>();
        pool.stats().forEach(s -> stats.put(s.backend().id(), s));
        assertThat(stats.get("b2").failures()).isPositive();
        assertThat(stats.get("b1").successes()).isEqualTo(6);
    }

    @Test
    void answers502WhenNoBackendAnswersAnd503WhenThePoolIsEmpty() throws IOException {
        backends.forEach(HttpBackend::crash);
        try (Response r = caller.newCall(new Request.Builder().url(proxy.url() + "/x").build()).execute()) {
            assertThat(r.code()).isEqualTo(502);
        }
        pool.updateBackends(List.of());
        try (Response r = caller.newCall(new Request.Builder().url(proxy.url() + "/x").build()).execute()) {
            assertThat(r.code()).isEqualTo(503);
        }
    }
}
