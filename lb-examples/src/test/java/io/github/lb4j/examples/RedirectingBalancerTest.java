package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RedirectingBalancerTest {

    private final List<HttpBackend> backends = new ArrayList<>();
    private LoadBalancer pool;
    private RedirectingBalancer balancer;
    private final OkHttpClient follow = new OkHttpClient();
    private final OkHttpClient noFollow = follow.newBuilder().followRedirects(false).build();

    @BeforeEach
    void start() throws IOException {
        for (String name : List.of("b1", "b2")) {
            backends.add(HttpBackend.start(name, InetAddress.getLoopbackAddress(), Duration.ZERO));
        }
        pool = LoadBalancer.builder("redirect").backends(backends.stream().map(HttpBackend::backend).toList())
                .strategy(Strategy.roundRobin()).build();
        balancer = RedirectingBalancer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), pool);
    }

    @AfterEach
    void stop() {
        balancer.close();
        pool.close();
        backends.forEach(HttpBackend::close);
        follow.connectionPool().evictAll();
    }

    @Test
    void answers307WithTheChosenBackendsUrlKeepingPathAndQuery() throws IOException {
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try (Response r = noFollow.newCall(new Request.Builder()
                    .url(balancer.url() + "/a%20b/items?id=" + i + "&q=x%26y").build()).execute()) {
                assertThat(r.code()).isEqualTo(307);
                assertThat(r.header("Cache-Control")).isEqualTo("no-store");
                locations.add(r.header("Location"));
            }
        }
        String b1 = backends.get(0).baseUrl();
        String b2 = backends.get(1).baseUrl();
        assertThat(locations).allSatisfy(l -> assertThat(l).matches("http://127\\.0\\.0\\.1:\\d+/a%20b/items\\?id=\\d&q=x%26y"));
        // Round robin alternates between the two backends.
        assertThat(Set.of(locations.get(0).substring(0, b1.length()), locations.get(1).substring(0, b1.length())))
                .containsExactlyInAnyOrder(b1, b2);
        assertThat(locations.get(2)).startsWith(locations.get(0).substring(0, b1.length()));
        // The balancer saw no outcome: it picked without opening a selection, so nothing was counted.
        assertThat(pool.stats()).allSatisfy(s -> {
            assertThat(s.inFlight()).isZero();
            assertThat(s.requests()).isZero();
            assertThat(s.successes()).isZero();
            assertThat(s.failures()).isZero();
        });
    }

    @Test
    void aClientThatFollowsEndsUpAtTheBackendsAddress() throws IOException {
        try (Response r = follow.newCall(new Request.Builder().url(balancer.url() + "/hello").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.priorResponse()).isNotNull();
            assertThat(r.priorResponse().code()).isEqualTo(307);
            // What a browser's address bar shows: the backend, not the balancer.
            assertThat(r.request().url().toString()).isEqualTo(r.priorResponse().header("Location"))
                    .doesNotStartWith(balancer.url());
            assertThat(r.body().string()).matches("b[12] GET /hello\n");
        }
    }

    @Test
    void a307KeepsThePostAndItsBody() throws IOException {
        Request post = new Request.Builder().url(balancer.url() + "/orders")
                .post(RequestBody.create("{\"item\":7}", MediaType.get("application/json"))).build();
        try (Response r = follow.newCall(post).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).matches("b[12] POST /orders\n\\{\"item\":7}");
        }
    }

    @Test
    void anEmptyPoolAnswers503() throws IOException {
        pool.updateBackends(List.of());
        try (Response r = noFollow.newCall(new Request.Builder().url(balancer.url() + "/x").build()).execute()) {
            assertThat(r.code()).isEqualTo(503);
        }
    }
}
