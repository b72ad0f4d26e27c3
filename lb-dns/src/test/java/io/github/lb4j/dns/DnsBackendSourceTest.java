package io.github.lb4j.dns;

import static io.github.lb4j.dns.FakeResolver.a;
import static io.github.lb4j.dns.FakeResolver.aaaa;
import static io.github.lb4j.dns.FakeResolver.cname;
import static io.github.lb4j.dns.FakeResolver.srv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.NoBackendAvailableException;
import io.github.lb4j.core.Selection;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** The DNS source against canned answers and a manual clock: interpretation, TTL arithmetic, failures. */
class DnsBackendSourceTest {

    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final String HOST = "web.lb4j.test";
    private static final String SERVICE = "_http._tcp.orders.lb4j.test";

    private final FakeResolver dns = new FakeResolver();
    private final ManualScheduler clock = new ManualScheduler();
    private LoadBalancer pool;

    @AfterEach
    void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    private DnsBackendSource.Builder addresses() {
        return configure(DnsBackendSource.addresses(HOST, 8080));
    }

    private DnsBackendSource.Builder service() {
        return configure(DnsBackendSource.srv(SERVICE));
    }

    private DnsBackendSource.Builder configure(DnsBackendSource.Builder b) {
        return b.resolver(dns, "fake").scheduler(clock).ticker(clock.ticker()).jitter(0)
                .minTtl(Duration.ofSeconds(1)).maxTtl(Duration.ofSeconds(60))
                .retryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8));
    }

    private LoadBalancer poolOf(DnsBackendSource source) {
        pool = LoadBalancer.builder("dns-test").source(source).build();
        return pool;
    }

    private static DnsDiscoveryException failureOf(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        Throwable t = f.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join();
        assertThat(t).isInstanceOf(DnsDiscoveryException.class);
        return (DnsDiscoveryException) t;
    }

    @Test
    void everyAddressBecomesABackendOnTheConfiguredPortInAStableOrder() {
        dns.answer(HOST, Type.A, a(HOST, 30, "127.0.0.12"), a(HOST, 30, "127.0.0.2"), a(HOST, 30, "127.0.0.11"));
        poolOf(addresses().build());
        assertThat(pool.backends()).containsExactly(Backend.of("127.0.0.2", 8080), Backend.of("127.0.0.11", 8080),
                Backend.of("127.0.0.12", 8080));
        assertThat(dns.count(HOST, Type.AAAA)).as("IPv4 is the default family").isZero();
    }

    @Test
    void addressFamiliesChooseTheRecordTypes() {
        dns.answer(HOST, Type.A, a(HOST, 30, "127.0.0.1"));
        dns.answer(HOST, Type.AAAA, aaaa(HOST, 30, "2001:db8::1"), aaaa(HOST, 30, "2001:db8:0:0:1:0:0:0"));
        poolOf(addresses().addressFamily(DnsBackendSource.AddressFamily.BOTH).build());
        assertThat(pool.backends()).extracting(Backend::id)
                .containsExactly("127.0.0.1:8080", "[2001:db8::1]:8080", "[2001:db8:0:0:1::]:8080");
        pool.close();

        poolOf(addresses().addressFamily(DnsBackendSource.AddressFamily.IPV6).build());
        assertThat(pool.backends()).extracting(Backend::host).containsExactly("2001:db8::1", "2001:db8:0:0:1::");
    }

    @Test
    void srvWeightsPortsPrioritiesAndTargets() {
        dns.answer(SERVICE, Type.SRV,
                srv(SERVICE, 30, 10, 5, 8081, "a.lb4j.test"),
                srv(SERVICE, 30, 10, 0, 8082, "b.lb4j.test"),
                srv(SERVICE, 30, 20, 7, 9090, "spare.lb4j.test"));
        dns.answer("a.lb4j.test", Type.A, a("a.lb4j.test", 30, "127.0.0.1"));
        dns.answer("b.lb4j.test", Type.A, a("b.lb4j.test", 30, "127.0.0.2"), a("b.lb4j.test", 30, "127.0.0.3"));
        dns.answer("spare.lb4j.test", Type.A, a("spare.lb4j.test", 30, "127.0.0.9"));
        poolOf(service().build());

        assertThat(pool.backends()).containsExactly(
                Backend.of("127.0.0.1", 8081).withWeight(5).withMetadata("dns.target", "a.lb4j.test"),
                Backend.of("127.0.0.2", 8082).withWeight(1).withMetadata("dns.target", "b.lb4j.test"),
                Backend.of("127.0.0.3", 8082).withWeight(1).withMetadata("dns.target", "b.lb4j.test"),
                Backend.of("127.0.0.9", 9090).withWeight(7).withMetadata("dns.target", "spare.lb4j.test").asBackup());
    }

    @Test
    void srvRecordsNamingOneEndpointMerge() {
        dns.answer(SERVICE, Type.SRV,
                srv(SERVICE, 30, 1, 2, 8080, "a.lb4j.test"),
                srv(SERVICE, 30, 1, 3, 8080, "alias.lb4j.test"),
                srv(SERVICE, 30, 5, 9, 8080, "other.lb4j.test"));
        dns.answer("a.lb4j.test", Type.A, a("a.lb4j.test", 30, "127.0.0.1"));
        dns.answer("alias.lb4j.test", Type.A, a("alias.lb4j.test", 30, "127.0.0.1"));
        dns.answer("other.lb4j.test", Type.A, a("other.lb4j.test", 30, "127.0.0.1"));
        poolOf(service().build());
        assertThat(pool.backends()).hasSize(1);
        Backend only = pool.backends().get(0);
        assertThat(only.id()).isEqualTo("127.0.0.1:8080");
        assertThat(only.weight()).as("equal priorities add up; the backup record loses to the primary").isEqualTo(5);
        assertThat(only.isBackup()).isFalse();
    }

    @Test
    void cnameChainsAreFollowedAndLoopsFail() {
        dns.answer(HOST, Type.A, cname(HOST, 30, "real.lb4j.test"), a("real.lb4j.test", 30, "127.0.0.7"),
                a("unrelated.lb4j.test", 30, "127.0.0.99"));
        DnsBackendSource source = addresses().build();
        poolOf(source);
        assertThat(pool.backends()).containsExactly(Backend.of("127.0.0.7", 8080));

        dns.answer(HOST, Type.A, cname(HOST, 30, "x.lb4j.test"), cname("x.lb4j.test", 30, HOST));
        assertThat(failureOf(source.refresh())).hasMessageContaining("CNAME chain");
        assertThat(pool.backends()).containsExactly(Backend.of("127.0.0.7", 8080));
    }

    @Test
    void nextLookupIsDueAtTheSmallestTtl() {
        dns.answer(SERVICE, Type.SRV, srv(SERVICE, 20, 1, 1, 8080, "a.lb4j.test"));
        dns.answer("a.lb4j.test", Type.A, a("a.lb4j.test", 7, "127.0.0.1"));
        poolOf(service().build());
        assertThat(dns.count(SERVICE, Type.SRV)).isEqualTo(1);
        assertThat(clock.nextDelay()).as("the target's 7 s TTL is the smaller").isEqualTo(7 * S);

        clock.advance(7 * S - 1);
        assertThat(dns.count(SERVICE, Type.SRV)).isEqualTo(1);
        clock.advance(1);
        assertThat(dns.count(SERVICE, Type.SRV)).isEqualTo(2);
        assertThat(clock.pending()).as("exactly one timer armed").isEqualTo(1);
    }

    @Test
    void ttlIsClampedAndAbsurdTtlsCountAsZero() {
        dns.answer(HOST, Type.A, a(HOST, 0, "127.0.0.1"));
        DnsBackendSource source = addresses().minTtl(Duration.ofSeconds(2)).maxTtl(Duration.ofSeconds(30)).build();
        poolOf(source);
        assertThat(clock.nextDelay()).as("TTL 0 waits minTtl").isEqualTo(2 * S);

        dns.answer(HOST, Type.A, a(HOST, 86_400, "127.0.0.1"));
        source.refresh().join();
        assertThat(clock.nextDelay()).as("a day waits maxTtl").isEqualTo(30 * S);

        dns.answerWithRawTtl(HOST, Type.A, 0xFFFF_FFF0L, a(HOST, 60, "127.0.0.1"));
        List<Backend> found = source.refresh().join();
        assertThat(found).containsExactly(Backend.of("127.0.0.1", 8080));
        assertThat(clock.nextDelay()).as("a TTL above 2^31-1 is 0 (RFC 2181), then minTtl").isEqualTo(2 * S);
    }

    @Test
    void jitterAddsUpToItsShareOfTheTtl() {
        dns.answer(HOST, Type.A, a(HOST, 10, "127.0.0.1"));
        DnsBackendSource source = addresses().jitter(0.2).random(new Random(42)).build();
        poolOf(source);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 200; i++) {
            long delay = clock.nextDelay();
            min = Math.min(min, delay);
            max = Math.max(max, delay);
            source.refresh().join();
        }
        assertThat(min).isGreaterThanOrEqualTo(10 * S).isLessThan(10 * S + S / 5);
        assertThat(max).isLessThanOrEqualTo(12 * S).isGreaterThan(12 * S - S / 5);
    }

    @Test
    void failedDiscoveryKeepsTheLastGoodSetAndBacksOff() {
        dns.answer(HOST, Type.A, a(HOST, 5, "127.0.0.1"), a(HOST, 5, "127.0.0.2"));
        DnsBackendSource source = addresses().build();
        poolOf(source);
        List<Backend> good = pool.backends();
        assertThat(good).hasSize(2);

        dns.timeout(HOST, Type.A);
        clock.advance(5 * S);
        assertThat(pool.backends()).isEqualTo(good);
        assertThat(clock.nextDelay()).as("first retry").isEqualTo(S);
        clock.advance(S);
        assertThat(clock.nextDelay()).isEqualTo(2 * S);
        clock.advance(2 * S);
        assertThat(clock.nextDelay()).isEqualTo(4 * S);
        clock.advance(4 * S);
        assertThat(clock.nextDelay()).isEqualTo(8 * S);
        clock.advance(8 * S);
        assertThat(clock.nextDelay()).as("capped at the max backoff").isEqualTo(8 * S);
        assertThat(dns.count(HOST, Type.A)).isEqualTo(6);
        try (Selection s = pool.select()) {
            assertThat(good).contains(s.backend());
        }

        dns.answer(HOST, Type.A, a(HOST, 5, "127.0.0.3"));
        clock.advance(8 * S);
        assertThat(pool.backends()).containsExactly(Backend.of("127.0.0.3", 8080));
        assertThat(clock.nextDelay()).as("back to the TTL after a success").isEqualTo(5 * S);
        dns.timeout(HOST, Type.A);
        clock.advance(5 * S);
        assertThat(clock.nextDelay()).as("backoff starts over").isEqualTo(S);
    }

    @Test
    void badAnswersAreFailedDiscoveryWithAReason() {
        dns.answer(SERVICE, Type.SRV, srv(SERVICE, 30, 1, 1, 8080, "a.lb4j.test"));
        dns.answer("a.lb4j.test", Type.A, a("a.lb4j.test", 30, "127.0.0.1"));
        DnsBackendSource source = service().build();
        poolOf(source);
        List<Backend> good = pool.backends();
        assertThat(good).hasSize(1);

        dns.rcode(SERVICE, Type.SRV, Rcode.NXDOMAIN);
        assertThat(failureOf(source.refresh())).hasMessageContaining("NXDOMAIN for " + SERVICE);

        dns.answer(SERVICE, Type.SRV);
        assertThat(failureOf(source.refresh())).hasMessageContaining("no SRV records for " + SERVICE);

        dns.rcode(SERVICE, Type.SRV, Rcode.SERVFAIL);
        assertThat(failureOf(source.refresh())).hasMessageContaining("SERVFAIL");

        dns.timeout(SERVICE, Type.SRV);
        assertThat(failureOf(source.refresh())).hasMessageContaining("no answer from fake");

        dns.answer(SERVICE, Type.SRV, srv(SERVICE, 30, 1, 1, 0, "."));
        assertThat(failureOf(source.refresh())).hasMessageContaining("target '.'");

        dns.answer(SERVICE, Type.SRV, srv(SERVICE, 30, 1, 1, 0, "a.lb4j.test"));
        assertThat(failureOf(source.refresh())).hasMessageContaining("port 0");

        dns.answer(SERVICE, Type.SRV, srv(SERVICE, 30, 1, 1, 8080, "bad\\032name!.lb4j.test"));
        assertThat(failureOf(source.refresh())).hasMessageContaining("malformed target");

        dns.answer(SERVICE, Type.SRV, srv(SERVICE, 30, 1, 1, 8080, "gone.lb4j.test"));
        assertThat(failureOf(source.refresh())).hasMessageContaining("gone.lb4j.test. has no A records (NXDOMAIN)");

        dns.answer(SERVICE, Type.SRV, srv(SERVICE, 30, 1, 1, 8080, "zero.lb4j.test"));
        dns.answer("zero.lb4j.test", Type.A, a("zero.lb4j.test", 30, "0.0.0.0"));
        assertThat(failureOf(source.refresh())).hasMessageContaining("unusable address 0.0.0.0");

        dns.answer(SERVICE, Type.SRV, srv(SERVICE, 30, 1, 1, 8080, "a.lb4j.test"));
        dns.timeout("a.lb4j.test", Type.A);
        assertThat(failureOf(source.refresh())).as("a target lookup that times out fails the whole answer")
                .hasMessageContaining("a.lb4j.test. A: no answer");

        assertThat(pool.backends()).as("every failure kept the last good set").isEqualTo(good);
        assertThat(pool.select().backend()).isEqualTo(good.get(0));
    }

    @Test
    void unusableRecordsAreSkippedWhenOthersAreGood() {
        dns.answer(SERVICE, Type.SRV,
                srv(SERVICE, 30, 1, 1, 8080, "."),
                srv(SERVICE, 30, 1, 1, 0, "a.lb4j.test"),
                srv(SERVICE, 30, 1, 1, 8081, "gone.lb4j.test"),
                srv(SERVICE, 30, 1, 1, 8082, "a.lb4j.test"));
        dns.answer("a.lb4j.test", Type.A, a("a.lb4j.test", 30, "127.0.0.1"));
        poolOf(service().build());
        assertThat(pool.backends()).extracting(Backend::id).containsExactly("127.0.0.1:8082");
    }

    @Test
    void emptyAnswersEmptyThePoolOnlyWhenAllowed() {
        dns.answer(HOST, Type.A, a(HOST, 30, "127.0.0.1"));
        DnsBackendSource source = addresses().allowEmpty(true).build();
        poolOf(source);
        assertThat(pool.backends()).hasSize(1);
        dns.rcode(HOST, Type.A, Rcode.NXDOMAIN);
        assertThat(source.refresh().join()).isEmpty();
        assertThat(pool.backends()).isEmpty();
        assertThatThrownBy(pool::select).isInstanceOf(NoBackendAvailableException.class);
        assertThat(clock.nextDelay()).as("an allowed empty answer is re-checked at minTtl").isEqualTo(S);
    }

    @Test
    void noSetBeforeTheFirstAnswerMeansNoBackendNotACrash() {
        dns.timeout(HOST, Type.A);
        poolOf(addresses().build());
        assertThat(pool.backends()).isEmpty();
        assertThatThrownBy(pool::select).isInstanceOf(NoBackendAvailableException.class);
        dns.answer(HOST, Type.A, a(HOST, 30, "127.0.0.1"));
        clock.advance(S);
        assertThat(pool.backends()).hasSize(1);
    }

    @Test
    void refreshDuringALookupRunsAnotherOneAfterIt() {
        dns.answer(HOST, Type.A, a(HOST, 30, "127.0.0.1"));
        DnsBackendSource source = addresses().build();
        poolOf(source);
        dns.hold(true);
        CompletableFuture<List<Backend>> first = source.refresh();
        dns.answer(HOST, Type.A, a(HOST, 30, "127.0.0.2"));
        CompletableFuture<List<Backend>> second = source.refresh();
        CompletableFuture<List<Backend>> third = source.refresh();
        assertThat(dns.count(HOST, Type.A)).as("one lookup at a time").isEqualTo(2);
        dns.hold(false);
        dns.held.get(0).complete(null);
        assertThat(first.join()).containsExactly(Backend.of("127.0.0.1", 8080));
        assertThat(second.join()).containsExactly(Backend.of("127.0.0.2", 8080));
        assertThat(third.join()).isEqualTo(second.join());
        assertThat(dns.count(HOST, Type.A)).isEqualTo(3);
        assertThat(pool.backends()).containsExactly(Backend.of("127.0.0.2", 8080));
        assertThat(clock.pending()).isEqualTo(1);
    }

    @Test
    void closeStopsLookupsAndDropsALateAnswer() {
        dns.answer(HOST, Type.A, a(HOST, 5, "127.0.0.1"));
        DnsBackendSource source = addresses().build();
        poolOf(source);
        dns.hold(true);
        CompletableFuture<List<Backend>> inFlight = source.refresh();
        pool.close();
        assertThat(clock.pending()).isZero();
        assertThatThrownBy(source::refresh).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        dns.held.get(0).complete(null);
        assertThatThrownBy(inFlight::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        clock.advance(60 * S);
        assertThat(dns.count(HOST, Type.A)).isEqualTo(2);
        assertThat(clock.pending()).isZero();
    }

    @Test
    void aSourceFeedsOnePoolAndMustBeStartedBeforeRefresh() {
        dns.answer(HOST, Type.A, a(HOST, 5, "127.0.0.1"));
        DnsBackendSource source = addresses().build();
        assertThatThrownBy(source::refresh).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not started");
        poolOf(source);
        assertThatThrownBy(() -> LoadBalancer.builder("second").source(source).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'dns-test'");
    }

    @Test
    void builderValidatesEveryField() {
        assertThatThrownBy(() -> DnsBackendSource.addresses("bad name", 80))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hostName").hasMessageContaining(
                        "'bad name'");
        assertThatThrownBy(() -> DnsBackendSource.addresses("a..b", 80))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a..b'");
        assertThatThrownBy(() -> DnsBackendSource.addresses("x".repeat(64) + ".test", 80))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hostName");
        assertThatThrownBy(() -> DnsBackendSource.addresses(".", 80)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DnsBackendSource.addresses("ok.test", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        assertThatThrownBy(() -> DnsBackendSource.srv("_x._tcp.b\u00e4d.test"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serviceName");
        assertThatThrownBy(() -> DnsBackendSource.srv(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("serviceName");

        DnsBackendSource.Builder b = DnsBackendSource.addresses("ok.test", 80);
        assertThatThrownBy(() -> b.resolver("dns.google", 53)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'dns.google'");
        assertThatThrownBy(() -> b.resolver("999.1.1.1", 53)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.resolver("127.0.0.1", 65536)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65536");
        b.resolver("[::1]", 53).resolver("127.0.0.1", 53);
        assertThatThrownBy(() -> b.minTtl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minTtl").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> b.maxTtl(Duration.ofDays(8))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTtl");
        assertThatThrownBy(() -> b.queryTimeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queryTimeout");
        assertThatThrownBy(() -> b.jitter(1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1.5");
        assertThatThrownBy(() -> b.jitter(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max backoff");
        assertThatThrownBy(() -> b.addressFamily(null)).isInstanceOf(NullPointerException.class);
        b.minTtl(Duration.ofSeconds(10)).maxTtl(Duration.ofSeconds(5));
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("maxTtl PT5S");
    }

    @Test
    void ipv6AddressesUseTheShortForm() throws Exception {
        assertThat(Resolution.format(InetAddress.getByName("2001:db8:0:0:0:0:0:1"))).isEqualTo("2001:db8::1");
        assertThat(Resolution.format(InetAddress.getByName("::1"))).isEqualTo("::1");
        assertThat(Resolution.format(InetAddress.getByName("::"))).isEqualTo("::");
        assertThat(Resolution.format(InetAddress.getByName("fe80:0:0:1:0:0:0:2"))).isEqualTo("fe80:0:0:1::2");
        assertThat(Resolution.format(InetAddress.getByName("2001:db8:1:2:3:4:5:6"))).isEqualTo("2001:db8:1:2:3:4:5:6");
        assertThat(Resolution.format(InetAddress.getByName("2001:0:0:1:0:0:0:0"))).isEqualTo("2001:0:0:1::");
        assertThat(Resolution.format(InetAddress.getByName("10.1.2.3"))).isEqualTo("10.1.2.3");
    }
}
