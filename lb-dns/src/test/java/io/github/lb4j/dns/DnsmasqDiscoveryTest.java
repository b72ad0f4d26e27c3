package io.github.lb4j.dns;

import static io.github.lb4j.dns.Dnsmasq.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendHealth;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DNS source against a real dnsmasq that the test starts and reconfigures while the pool runs. Most steps call
 * {@link DnsBackendSource#refresh()} so they do not depend on timing; the TTL-driven steps poll with a deadline.
 */
class DnsmasqDiscoveryTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Dnsmasq dnsmasq;
    private LoadBalancer pool;

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.close();
        }
        if (dnsmasq != null) {
            dnsmasq.close();
        }
    }

    private DnsBackendSource.Builder addresses(String host, int port) {
        return DnsBackendSource.addresses(host, port).resolver("127.0.0.1", dnsmasq.port())
                .queryTimeout(Duration.ofMillis(500)).minTtl(Duration.ofMillis(500)).maxTtl(Duration.ofSeconds(30))
                .retryBackoff(Duration.ofMillis(100), Duration.ofMillis(400));
    }

    private DnsBackendSource.Builder srv(String name) {
        return DnsBackendSource.srv(name).resolver("127.0.0.1", dnsmasq.port())
                .queryTimeout(Duration.ofMillis(500)).minTtl(Duration.ofMillis(500)).maxTtl(Duration.ofSeconds(30))
                .retryBackoff(Duration.ofMillis(100), Duration.ofMillis(400));
    }

    private static Set<String> ids(List<Backend> backends) {
        return backends.stream().map(Backend::id).collect(Collectors.toSet());
    }

    private void awaitIds(String... expected) {
        Set<String> want = Set.of(expected);
        await(DEADLINE, () -> ids(pool.backends()).equals(want),
                () -> "pool " + pool.backends() + " never became " + want + "; dnsmasq log:\n" + dnsmasq.log());
    }

    private BackendStats stats(String id) {
        return pool.stats().stream().filter(s -> s.backend().id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void followsAddressesAddedAndRemovedAtTheTtl() {
        dnsmasq = Dnsmasq.start(dir, 1, List.of("127.0.0.11 web.lb4j.test", "127.0.0.12 web.lb4j.test"), List.of());
        DnsBackendSource source = addresses("web.lb4j.test", 8080).build();
        pool = LoadBalancer.builder("web").source(source).build();
        awaitIds("127.0.0.11:8080", "127.0.0.12:8080");

        Selection inFlight = pool.select(RequestContext.ofPinned("127.0.0.12:8080"));
        long changed = System.nanoTime();
        dnsmasq.hosts(List.of("127.0.0.11 web.lb4j.test", "127.0.0.13 web.lb4j.test"));
        // No refresh(): the source must re-resolve on its own when the 1 s TTL runs out.
        awaitIds("127.0.0.11:8080", "127.0.0.13:8080");
        long followedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed);
        assertThat(followedMs).as("TTL 1 s + 10 % jitter + one query, with 500 ms slack").isLessThan(1_600);

        assertThat(stats("127.0.0.12:8080").health()).as("removed with a call in flight").isEqualTo(
                BackendHealth.DRAINING);
        inFlight.success();
        assertThat(pool.stats()).extracting(s -> s.backend().id()).doesNotContain("127.0.0.12:8080");
        for (int i = 0; i < 20; i++) {
            try (Selection s = pool.select()) {
                assertThat(s.backend().id()).isIn("127.0.0.11:8080", "127.0.0.13:8080");
                s.success();
            }
        }
    }

    @Test
    void ipv4Ipv6AndBoth() {
        dnsmasq = Dnsmasq.start(dir, 30, List.of("127.0.0.21 dual.lb4j.test", "2001:db8::21 dual.lb4j.test",
                "::1 dual.lb4j.test"), List.of());
        DnsBackendSource both = addresses("dual.lb4j.test", 443)
                .addressFamily(DnsBackendSource.AddressFamily.BOTH).build();
        pool = LoadBalancer.builder("dual").source(both).build();
        assertThat(both.refresh().join()).extracting(Backend::id)
                .containsExactly("127.0.0.21:443", "[::1]:443", "[2001:db8::21]:443");
        assertThat(pool.backends()).extracting(Backend::host).containsExactly("127.0.0.21", "::1", "2001:db8::21");
        pool.close();

        DnsBackendSource v6 = addresses("dual.lb4j.test", 443).addressFamily(DnsBackendSource.AddressFamily.IPV6)
                .build();
        pool = LoadBalancer.builder("v6").source(v6).build();
        assertThat(v6.refresh().join()).extracting(Backend::id).containsExactly("[::1]:443", "[2001:db8::21]:443");
        pool.close();

        DnsBackendSource v4 = addresses("dual.lb4j.test", 443).build();
        pool = LoadBalancer.builder("v4").source(v4).build();
        assertThat(v4.refresh().join()).extracting(Backend::id).containsExactly("127.0.0.21:443");
    }

    @Test
    void followsSrvWeightsPrioritiesAndTargets() {
        String service = "_http._tcp.orders.lb4j.test";
        dnsmasq = Dnsmasq.start(dir, 30,
                List.of("127.0.0.31 a.lb4j.test", "127.0.0.32 b.lb4j.test", "127.0.0.39 spare.lb4j.test"),
                List.of(service + ",a.lb4j.test,8081,10,5", service + ",b.lb4j.test,8082,10,0",
                        service + ",spare.lb4j.test,9090,20,3"));
        DnsBackendSource source = srv(service).build();
        pool = LoadBalancer.builder("orders").source(source).build();
        source.refresh().join();
        assertThat(pool.backends()).containsExactly(
                Backend.of("127.0.0.31", 8081).withWeight(5).withMetadata("dns.target", "a.lb4j.test"),
                Backend.of("127.0.0.32", 8082).withWeight(1).withMetadata("dns.target", "b.lb4j.test"),
                Backend.of("127.0.0.39", 9090).withWeight(3).withMetadata("dns.target", "spare.lb4j.test")
                        .asBackup());
        pool.select(RequestContext.ofPinned("127.0.0.31:8081")).success();

        // Weights and tiers change: SRV lines live in dnsmasq's config, so it restarts on the same port.
        dnsmasq.srv(List.of(service + ",a.lb4j.test,8081,10,1", service + ",b.lb4j.test,8082,10,9",
                service + ",spare.lb4j.test,9090,5,3"));
        source.refresh().join();
        assertThat(pool.backends()).containsExactly(
                Backend.of("127.0.0.39", 9090).withWeight(3).withMetadata("dns.target", "spare.lb4j.test"),
                Backend.of("127.0.0.31", 8081).withWeight(1).withMetadata("dns.target", "a.lb4j.test").asBackup(),
                Backend.of("127.0.0.32", 8082).withWeight(9).withMetadata("dns.target", "b.lb4j.test").asBackup());
        assertThat(stats("127.0.0.31:8081").requests()).as("a changed weight keeps the backend's state")
                .isEqualTo(1);

        // A target's address changes: hosts file + SIGHUP, no restart.
        dnsmasq.hosts(List.of("127.0.0.31 a.lb4j.test", "127.0.0.33 b.lb4j.test", "127.0.0.39 spare.lb4j.test"));
        source.refresh().join();
        assertThat(ids(pool.backends())).containsExactlyInAnyOrder("127.0.0.39:9090", "127.0.0.31:8081",
                "127.0.0.33:8082");

        // A record with target "." and one with port 0 are skipped; the rest still count.
        dnsmasq.srv(List.of(service + ",a.lb4j.test,8081,10,1", service + ",.,0,0,0",
                service + ",b.lb4j.test,0,10,9"));
        source.refresh().join();
        assertThat(ids(pool.backends())).containsExactly("127.0.0.31:8081");
    }

    @Test
    void badAnswersFromARealServerKeepTheLastGoodSet() {
        String service = "_http._tcp.api.lb4j.test";
        dnsmasq = Dnsmasq.start(dir, 30, List.of("127.0.0.41 api1.lb4j.test"),
                List.of(service + ",api1.lb4j.test,8080,0,1"));
        DnsBackendSource source = srv(service).build();
        pool = LoadBalancer.builder("api").source(source).build();
        source.refresh().join();
        List<Backend> good = pool.backends();
        assertThat(good).hasSize(1);

        dnsmasq.srv(List.of("_other._tcp.api.lb4j.test,api1.lb4j.test,8080,0,1"));
        assertThatThrownBy(() -> source.refresh().join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(DnsDiscoveryException.class).hasMessageContaining("NXDOMAIN for " + service);
        dnsmasq.srv(List.of(service + ",.,0,0,0"));
        assertThatThrownBy(() -> source.refresh().join()).hasMessageContaining("target '.'");
        dnsmasq.srv(List.of(service + ",missing.lb4j.test,8080,0,1"));
        assertThatThrownBy(() -> source.refresh().join()).hasMessageContaining("missing.lb4j.test. has no A records");
        assertThat(pool.backends()).isEqualTo(good);
        try (Selection s = pool.select()) {
            assertThat(s.backend()).isEqualTo(good.get(0));
        }
    }

    @Test
    void serverStoppedKeepsTheLastGoodSetAndRestartedServerIsFollowed() {
        dnsmasq = Dnsmasq.start(dir, 1, List.of("127.0.0.51 db.lb4j.test", "127.0.0.52 db.lb4j.test"), List.of());
        DnsBackendSource source = addresses("db.lb4j.test", 5432).build();
        pool = LoadBalancer.builder("db").source(source).build();
        awaitIds("127.0.0.51:5432", "127.0.0.52:5432");

        dnsmasq.stop();
        assertThatThrownBy(() -> source.refresh().join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(DnsDiscoveryException.class)
                .hasMessageContaining("127.0.0.1:" + dnsmasq.port());
        assertThat(ids(pool.backends())).containsExactlyInAnyOrder("127.0.0.51:5432", "127.0.0.52:5432");
        try (Selection s = pool.select()) {
            assertThat(s.backend().id()).isIn("127.0.0.51:5432", "127.0.0.52:5432");
        }

        // Back with other records; the source is retrying with backoff (100-400 ms) and finds them by itself.
        dnsmasq.hosts(List.of("127.0.0.52 db.lb4j.test", "127.0.0.53 db.lb4j.test"));
        dnsmasq.restart();
        long restarted = System.nanoTime();
        awaitIds("127.0.0.52:5432", "127.0.0.53:5432");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted)).as("within the backoff cap")
                .isLessThan(2_000);
    }

    /**
     * The figure the issue asks for: time from a DNS change to the pool using the new set, against the TTL. The
     * change time is taken just before the hosts file is rewritten and dnsmasq signalled (so it includes the reload);
     * the pool time is when the source handed the pool the new set, recorded by a wrapping sink (no polling error).
     * A change made right after a lookup waits the longest, and each change here follows the previous lookup at
     * once, so every sample is a worst case: bound = TTL + jitter + one query.
     */
    @Test
    void measuresChangeToPoolAgainstTheTtl() {
        int ttl = 2;
        double jitter = 0.1;
        dnsmasq = Dnsmasq.start(dir, ttl, List.of("127.0.1.0 m.lb4j.test"), List.of());
        DnsBackendSource dns = addresses("m.lb4j.test", 80).minTtl(Duration.ofSeconds(1)).jitter(jitter).build();
        TimedSource timed = new TimedSource(dns);
        pool = LoadBalancer.builder("measure").source(timed).build();
        awaitIds("127.0.1.0:80");

        List<Long> queryMicros = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            dns.refresh().join();
            queryMicros.add(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0));
        }
        Collections.sort(queryMicros);
        long queryMs = queryMicros.get(queryMicros.size() - 1) / 1000 + 1;

        List<Long> samples = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            String address = "127.0.1." + i;
            long changed = System.nanoTime();
            dnsmasq.hosts(List.of(address + " m.lb4j.test"));
            await(DEADLINE, () -> timed.appliedAt(address) != 0,
                    () -> "pool " + pool.backends() + " never moved to " + address);
            try (Selection s = pool.select()) {
                assertThat(s.backend().host()).isEqualTo(address);
            }
            samples.add(TimeUnit.NANOSECONDS.toMillis(timed.appliedAt(address) - changed));
        }
        long bound = Math.round(ttl * 1000 * (1 + jitter)) + queryMs;
        long max = Collections.max(samples);
        System.out.printf("DNS propagation (dnsmasq TTL %d s, jitter %.0f %%): change->pool %s ms (max %d ms); "
                        + "bound TTL+jitter+query = %d ms; refresh() round trip p50 %.2f ms, max %.2f ms "
                        + "(20 lookups)%n",
                ttl, jitter * 100, samples, max, bound, queryMicros.get(10) / 1000.0,
                queryMicros.get(queryMicros.size() - 1) / 1000.0);
        assertThat(max).as("change-to-pool time within TTL + jitter + one query (+ 100 ms for timer lateness on a"
                + " shared machine)").isLessThanOrEqualTo(bound + 100);
    }

    /** Wraps a source to record when each set reached the pool, keyed by the first backend's host. */
    private static final class TimedSource implements io.github.lb4j.core.BackendSource {
        private final io.github.lb4j.core.BackendSource inner;
        private final java.util.Map<String, Long> applied = new java.util.concurrent.ConcurrentHashMap<>();

        TimedSource(io.github.lb4j.core.BackendSource inner) {
            this.inner = inner;
        }

        long appliedAt(String host) {
            return applied.getOrDefault(host, 0L);
        }

        @Override
        public void start(Sink sink) {
            inner.start(new Sink() {
                @Override
                public String poolName() {
                    return sink.poolName();
                }

                @Override
                public boolean update(java.util.Collection<Backend> backends) {
                    boolean ok = sink.update(backends);
                    if (ok && !backends.isEmpty()) {
                        applied.putIfAbsent(backends.iterator().next().host(), System.nanoTime());
                    }
                    return ok;
                }

                @Override
                public void failed(String reason, Throwable cause) {
                    sink.failed(reason, cause);
                }
            });
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
