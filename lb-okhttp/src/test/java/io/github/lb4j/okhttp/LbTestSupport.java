package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.http.Route;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import okhttp3.ConnectionPool;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared fixture: loopback backends, pools with seeded randomness, a fake ticker for retry budgets, clients with
 * short timeouts, and after every test the checks the issue asks for — no call left in flight in any pool, no
 * connection held by an unclosed response, no OkHttp leak warning.
 */
abstract class LbTestSupport {

    /** The fake clock of retry budgets (nanoseconds). */
    final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<LoadBalancer> pools = new ArrayList<>();
    private final List<OkHttpClient> clients = new ArrayList<>();
    private final OkHttpLeakLog leakLog = new OkHttpLeakLog();

    @BeforeEach
    void captureOkHttpWarnings() {
        leakLog.start();
    }

    @AfterEach
    void nothingInFlightNothingLeaked() throws Exception {
        try {
            for (LoadBalancer pool : pools) {
                for (BackendStats s : pool.stats()) {
                    assertThat(s.inFlight()).as("in-flight calls on %s of pool %s", s.backend().id(), pool.name())
                            .isZero();
                }
            }
            for (OkHttpClient client : clients) {
                ConnectionPool cp = client.connectionPool();
                assertThat(cp.connectionCount()).as("connections in use (a response left open)")
                        .isEqualTo(cp.idleConnectionCount());
            }
            leakLog.assertNoLeak();
        } finally {
            leakLog.stop();
            clients.forEach(OkHttpLeakLog::shutdown);
            Collections.reverse(resources);
            for (AutoCloseable r : resources) {
                r.close();
            }
            for (LoadBalancer pool : pools) {
                pool.close();
            }
        }
    }

    TestServer server(String name) throws IOException {
        return register(TestServer.start(name));
    }

    TestServer server(String name, Function<TestServer.Recorded, TestServer.Reply> responder) throws IOException {
        return register(TestServer.start(name, responder));
    }

    Blackhole blackhole() throws IOException {
        return register(new Blackhole());
    }

    <T extends AutoCloseable> T register(T resource) {
        resources.add(resource);
        return resource;
    }

    LoadBalancer pool(String name, Strategy strategy, Backend... backends) {
        LoadBalancer pool = LoadBalancer.builder(name).strategy(strategy).random(new Random(42))
                .backends(List.of(backends)).build();
        pools.add(pool);
        return pool;
    }

    LoadBalancer pool(String name, Backend... backends) {
        return pool(name, Strategy.roundRobin(), backends);
    }

    /** An interceptor builder on the fake ticker with seeded jitter. */
    LoadBalancingInterceptor.Builder lb() {
        return LoadBalancingInterceptor.builder().ticker(now::get).random(new Random(7));
    }

    /** A route builder without backoff, so that retry tests do not wait. */
    static Route.Builder route(String name, LoadBalancer pool) {
        return Route.builder(name, pool).backoff(Duration.ZERO, Duration.ZERO);
    }

    /**
     * The test clients' read timeout: short, so blackhole tests finish quickly. Tests with no hung backend
     * override it with a long one, so a slow answer on a loaded machine is not taken for a failure and retried.
     */
    Duration readTimeout() {
        return Duration.ofMillis(300);
    }

    OkHttpClient client(Interceptor interceptor) {
        return track(new OkHttpClient.Builder().addInterceptor(interceptor)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(readTimeout())
                .callTimeout(Duration.ofSeconds(10))
                .build());
    }

    OkHttpClient track(OkHttpClient client) {
        clients.add(client);
        return client;
    }

    static String get(OkHttpClient client, String url) throws IOException {
        try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
            return response.code() + " " + response.body().string();
        }
    }

    static BackendStats stats(LoadBalancer pool, String id) {
        return pool.stats().stream().filter(s -> s.backend().id().equals(id)).findFirst().orElseThrow();
    }

    /**
     * Makes a two-backend round-robin pool's next pick {@code id}: round robin alternates, so once a probe picks
     * the other backend, the next pick is {@code id}. Probes are closed without an outcome.
     */
    static void nextPickIs(LoadBalancer pool, String id) {
        String picked;
        do {
            try (Selection s = pool.select()) {
                picked = s.backend().id();
            }
        } while (picked.equals(id));
    }
}
