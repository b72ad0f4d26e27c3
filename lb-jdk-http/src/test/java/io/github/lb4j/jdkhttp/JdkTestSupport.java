package io.github.lb4j.jdkhttp;

import static org.assertj.core.api.Assertions.fail;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.LoopbackServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;

/** Servers, pools and clients for this module's own tests, closed after each test. */
abstract class JdkTestSupport {

    final List<AutoCloseable> resources = new ArrayList<>();
    final List<LoadBalancer> pools = new ArrayList<>();
    final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jdk-http-test");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void closeAll() throws Exception {
        try {
            for (LoadBalancer pool : pools) {
                awaitNothingInFlight(pool);
            }
        } finally {
            Collections.reverse(resources);
            for (AutoCloseable r : resources) {
                r.close();
            }
            pools.forEach(LoadBalancer::close);
            executor.shutdownNow();
        }
    }

    <T extends AutoCloseable> T register(T resource) {
        resources.add(resource);
        return resource;
    }

    LoopbackServer server(String name) throws Exception {
        return register(LoopbackServer.http(name));
    }

    LoadBalancer pool(String name, Backend... backends) {
        LoadBalancer pool = LoadBalancer.builder(name).strategy(Strategy.roundRobin()).random(new Random(42))
                .backends(List.of(backends)).build();
        pools.add(pool);
        return pool;
    }

    LoadBalancer pool(String name, LoopbackServer... servers) {
        Backend[] backends = new Backend[servers.length];
        for (int i = 0; i < servers.length; i++) {
            backends[i] = servers[i].backend();
        }
        return pool(name, backends);
    }

    static Route route(String name, LoadBalancer pool) {
        return Route.builder(name, pool).backoff(Duration.ZERO, Duration.ZERO).build();
    }

    HttpClient plain() {
        return HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(2)).build();
    }

    LoadBalancedHttpClient client(Route... routes) {
        LoadBalancedHttpClient.Builder b = LoadBalancedHttpClient.builder(plain()).random(new Random(7));
        for (Route r : routes) {
            b.route(r);
        }
        return register(b.build());
    }

    static HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    }

    static BackendStats stats(LoadBalancer pool, String id) {
        return pool.stats().stream().filter(s -> s.backend().id().equals(id)).findFirst().orElseThrow();
    }

    /** Makes a round-robin pool's next pick {@code id}; probes are closed without an outcome. */
    static void nextPickIs(LoadBalancer pool, String id) {
        int n = pool.stats().size();
        for (int i = 0; i < n; i++) {
            try (Selection s = pool.select()) {
                if (!s.backend().id().equals(id)) {
                    continue;
                }
            }
            // The pick just made was id: the next n - 1 picks are the others, so walk on to it again.
            for (int j = 0; j < n - 1; j++) {
                pool.select().close();
            }
            return;
        }
        throw new AssertionError("no backend " + id + " in " + pool.name());
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    static void awaitNothingInFlight(LoadBalancer pool) {
        await("nothing is in flight in " + pool.name(),
                () -> pool.stats().stream().allMatch(s -> s.inFlight() == 0));
    }

    static int inFlight(LoadBalancer pool) {
        return pool.stats().stream().mapToInt(s -> (int) s.inFlight()).sum();
    }
}
