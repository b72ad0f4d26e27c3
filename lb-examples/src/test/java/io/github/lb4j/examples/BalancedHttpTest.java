package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BalancedHttpTest {

    private HttpBackend a;
    private HttpBackend b;
    private LoadBalancer pool;
    private final OkHttpClient client = new OkHttpClient();

    @BeforeEach
    void start() throws IOException {
        a = HttpBackend.start("a", InetAddress.getLoopbackAddress(), Duration.ZERO);
        b = HttpBackend.start("b", InetAddress.getLoopbackAddress(), Duration.ZERO);
        pool = LoadBalancer.builder("orders").backends(List.of(a.backend(), b.backend()))
                .strategy(Strategy.roundRobin()).build();
    }

    @AfterEach
    void stop() {
        pool.close();
        a.close();
        b.close();
        client.connectionPool().evictAll();
    }

    @Test
    void spreadsRequestsAndReportsSuccesses() throws IOException {
        BalancedHttp http = BalancedHttp.of(pool, client);
        Map<String, Integer> servedBy = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            BalancedHttp.Reply reply = http.get("/api/items/" + i + "?q=1");
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.attempts()).isEqualTo(1);
            servedBy.merge(reply.servedBy(), 1, Integer::sum);
        }
        assertThat(servedBy).containsOnly(Map.entry("a", 5), Map.entry("b", 5));
        assertThat(pool.stats()).allSatisfy(s -> {
            assertThat(s.successes()).isEqualTo(5);
            assertThat(s.inFlight()).isZero();
        });
    }

    @Test
    void aGetThatFailsOnADeadBackendIsRetriedOnTheOther() throws IOException {
        b.crash();
        BalancedHttp http = BalancedHttp.of(pool, client);
        int retries = 0;
        for (int i = 0; i < 10; i++) {
            BalancedHttp.Reply reply = http.get("/x");
            assertThat(reply.servedBy()).isEqualTo("a");
            assertThat(reply.attempts()).isBetween(1, 2);
            retries += reply.attempts() - 1;
        }
        Map<String, BackendStats> stats = new HashMap<>();
        pool.stats().forEach(s -> stats.put(s.backend().id(), s));
        assertThat(stats.get("b").failures()).as("picks of b, each retried on a").isPositive().isEqualTo(retries);
        assertThat(stats.get("a").successes()).isEqualTo(10);
        assertThat(stats.get("b").successes()).isZero();
    }

    @Test
    void whenEveryBackendIsDownTheCallerGetsTheFirstErrorWithTheRetrysAttached() {
        a.crash();
        b.crash();
        BalancedHttp http = BalancedHttp.of(pool, client);
        assertThatThrownBy(() -> http.get("/x")).isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    }
}
