package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.dns.DnsBackendSource;
import io.github.lb4j.dns.DnsDiscoveryException;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DNS example against a real dnsmasq that the test starts on 127.0.0.1 and a free port. Without dnsmasq
 * installed this test fails with the install command (it does not skip).
 */
class DnsRoundRobinTest {

    private DnsRoundRobin.Setup setup;
    private LoadBalancer pool;
    private DnsBackendSource dns;
    private final OkHttpClient client = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(1)).build();

    @BeforeEach
    void start() throws IOException {
        setup = DnsRoundRobin.Setup.start(Duration.ofSeconds(1));
        dns = DnsRoundRobin.dnsSource(setup);
        pool = LoadBalancer.builder("orders").source(dns).strategy(Strategy.roundRobin()).build();
    }

    @AfterEach
    void stop() {
        pool.close(); // closes the source
        setup.close();
        client.connectionPool().evictAll();
    }

    /** Resolves now and waits until the pool has the set found. */
    private List<Backend> refresh() throws Exception {
        return dns.refresh().get(5, TimeUnit.SECONDS);
    }

    private List<String> members() {
        return pool.backends().stream().map(Backend::id).sorted().toList();
    }

    @Test
    void theNameResolvesToEveryBackendAndThePoolTakesThemAll() throws Exception {
        DnsRoundRobin.Answer answer = DnsRoundRobin.lookUp(DnsRoundRobin.NAME, setup.dnsServer());
        assertThat(answer.addresses()).extracting(InetAddress::getHostAddress)
                .containsExactlyInAnyOrderElementsOf(DnsRoundRobin.ADDRESSES);
        assertThat(answer.ttl()).isEqualTo(Duration.ofSeconds(1));

        refresh();
        assertThat(members()).containsExactly("127.0.0.1:" + setup.port, "127.0.0.2:" + setup.port,
                "127.0.0.3:" + setup.port);
        BalancedHttp balanced = BalancedHttp.of(pool, client);
        assertThat(DnsRoundRobin.send(30, balanced::get))
                .containsOnly(Map.entry("b1", 10), Map.entry("b2", 10), Map.entry("b3", 10));
    }

    @Test
    void aDeadBackendFailsDnsOnlyClientsButNotThePool() throws Exception {
        refresh();
        setup.backends.get(1).crash();

        // DNS still hands out 127.0.0.2 (dnsmasq rotates the answer), and a DNS-only client has no other recourse.
        Map<String, Integer> dnsOnly = DnsRoundRobin.send(30, p -> DnsRoundRobin.dnsOnlyGet(client, setup, p));
        assertThat(dnsOnly.get("failed")).as("DNS-only requests sent to the dead address").isPositive();
        assertThat(dnsOnly).doesNotContainKey("b2");

        Map<String, Integer> viaPool = DnsRoundRobin.send(30, BalancedHttp.of(pool, client)::get);
        assertThat(viaPool).doesNotContainKey("failed").containsOnlyKeys("b1", "b3");
        assertThat(pool.stats()).filteredOn(s -> s.backend().host().equals("127.0.0.2"))
                .singleElement().satisfies(s -> assertThat(s.failures()).as("picks of b2, retried").isPositive());
    }

    @Test
    void aRecordRemovedFromDnsLeavesThePoolOnReResolutionAndAFailedLookupKeepsTheLastGoodSet() throws Exception {
        refresh();
        setup.dns.hosts(DnsRoundRobin.Setup.hostsLines(List.of("127.0.0.1", "127.0.0.3")));
        refresh();
        assertThat(members()).containsExactly("127.0.0.1:" + setup.port, "127.0.0.3:" + setup.port);

        setup.dns.hosts(List.of("127.0.0.9 other.lb4j.test")); // the name is gone: NXDOMAIN
        assertThatThrownBy(this::refresh).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DnsDiscoveryException.class).hasMessageContaining("NXDOMAIN");
        assertThat(members()).containsExactly("127.0.0.1:" + setup.port, "127.0.0.3:" + setup.port);
    }
}
