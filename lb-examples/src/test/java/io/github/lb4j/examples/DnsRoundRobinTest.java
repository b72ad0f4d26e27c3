package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    private DnsAddresses dns;
    private final OkHttpClient client = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(1)).build();

    @BeforeEach
    void start() throws IOException {
        setup = DnsRoundRobin.Setup.start(Duration.ofSeconds(1));
        pool = LoadBalancer.builder("orders").strategy(Strategy.roundRobin()).build();
        dns = new DnsAddresses(DnsRoundRobin.NAME, setup.port, setup.dnsServer(), pool);
    }

    @AfterEach
    void stop() {
        dns.close();
        pool.close();
        setup.close();
        client.connectionPool().evictAll();
    }

    private List<String> members() {
        return pool.backends().stream().map(Backend::id).sorted().toList();
    }

    @Test
    void theNameResolvesToEveryBackendAndThePoolTakesThemAll() throws IOException {
        DnsAddresses.Answer answer = DnsAddresses.query(DnsRoundRobin.NAME, setup.dnsServer());
        assertThat(answer.addresses()).extracting(InetAddress::getHostAddress)
                .containsExactlyInAnyOrderElementsOf(DnsRoundRobin.ADDRESSES);
        assertThat(answer.ttl()).isEqualTo(Duration.ofSeconds(1));

        dns.refresh();
        assertThat(members()).containsExactly("127.0.0.1:" + setup.port, "127.0.0.2:" + setup.port,
                "127.0.0.3:" + setup.port);
        BalancedHttp balanced = BalancedHttp.of(pool, client);
        assertThat(DnsRoundRobin.send(30, balanced::get))
                .containsOnly(Map.entry("b1", 10), Map.entry("b2", 10), Map.entry("b3", 10));
    }

    @Test
    void aDeadBackendFailsDnsOnlyClientsButNotThePool() throws IOException {
        dns.refresh();
        setup.backends.get(1).crash();

        // DNS still hands out 127.0.0.2 (dnsmasq rotates the answer), and a DNS-only client has no other recourse.
        Map<String, Integer> dnsOnly = DnsRoundRobin.send(30, p -> DnsRoundRobin.dnsOnlyGet(client, setup, p));
        assertThat(dnsOnly.get("failed")).as("DNS-only requests sent to the dead address").isPositive();
        assertThat(dnsOnly).doesNotContainKey("b2");

        Map<String, Integer> viaPool = DnsRoundRobin.send(30, BalancedHttp.of(pool, client)::get);
        assertThat(viaPool).doesNotContainKey("failed").containsOnlyKeys("b1", "b3");
    }

    @Test
    void aRecordRemovedFromDnsLeavesThePoolOnReResolutionAndAFailedLookupKeepsTheLastGoodSet() throws IOException {
        dns.refresh();
        setup.dns.hosts(DnsRoundRobin.Setup.hostsLines(List.of("127.0.0.1", "127.0.0.3")));
        dns.refresh();
        assertThat(members()).containsExactly("127.0.0.1:" + setup.port, "127.0.0.3:" + setup.port);

        setup.dns.hosts(List.of("127.0.0.9 other.lb4j.test")); // the name is gone: NXDOMAIN
        assertThatThrownBy(dns::refresh).isInstanceOf(IOException.class).hasMessageContaining("NXDOMAIN");
        assertThat(members()).containsExactly("127.0.0.1:" + setup.port, "127.0.0.3:" + setup.port);
    }
}
