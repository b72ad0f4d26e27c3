package io.github.lb4j.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.internal.RecordLimits;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Hostile DNS answers stay bounded in memory and time (issue 19, item 6). The wire limits one message to 64 KiB (about
 * 4 000 A records) and 65 535 records, but SRV multiplies: a thousand targets of a few thousand addresses each is
 * millions of endpoints. These answers come from a fake resolver, so they may be as large as the test likes: a
 * million distinct addresses over 250 SRV targets.
 */
class DnsBoundsTest {

    private static final String HOST = "big.example.";
    private static final String SERVICE = "_http._tcp.big.example.";

    /** {@code count} A records of {@code owner}, distinct addresses 10.x.y.z from {@code first}. */
    private static Record[] addresses(String owner, int first, int count) throws UnknownHostException {
        Name name = FakeResolver.name(owner);
        Record[] out = new Record[count];
        for (int i = 0; i < count; i++) {
            int n = first + i;
            byte[] ip = {10, (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
            out[i] = new ARecord(name, DClass.IN, 30, InetAddress.getByAddress(ip));
        }
        return out;
    }

    private static Resolution resolution(FakeResolver dns) {
        return new Resolution(dns, Runnable::run, "fake", Duration.ofSeconds(1), DnsBackendSource.AddressFamily.IPV4);
    }

    private static Throwable failure(CompletableFuture<Resolution.Result> f) {
        assertThat(f).isDone();
        try {
            f.join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the resolution to fail, got " + f.join().backends.size() + " backends");
    }

    @Test
    @Timeout(30)
    void theLargestAnswerAMessageCanCarryIsRefusedNamingTheCount() throws Exception {
        // A message counts its records in 16 bits (dnsjava refuses more): 65 535 is the most one answer can hold.
        FakeResolver dns = new FakeResolver().answer(HOST, Type.A, addresses(HOST, 0, 65_535));
        long start = System.nanoTime();
        Throwable e = failure(resolution(dns).addresses(FakeResolver.name(HOST), 8080));
        assertThat(e).isInstanceOf(DnsDiscoveryException.class)
                .hasMessageContaining("big.example. A: 65535 records from fake")
                .hasMessageContaining("more than the " + RecordLimits.MAX_BACKENDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    @Timeout(30)
    void anAnswerAtTheLimitIsTakenWhole() throws Exception {
        FakeResolver dns = new FakeResolver().answer(HOST, Type.A, addresses(HOST, 0, RecordLimits.MAX_BACKENDS));
        List<Backend> set = resolution(dns).addresses(FakeResolver.name(HOST), 8080).join().backends;
        assertThat(set).hasSize(RecordLimits.MAX_BACKENDS).doesNotHaveDuplicates();
        assertThat(RecordLimits.tooManyBackends(RecordLimits.MAX_BACKENDS)).isNull();
    }

    @Test
    @Timeout(30)
    void srvTargetsThatAddUpToAMillionEndpointsAreRefusedAsTheyAddUp() throws Exception {
        FakeResolver dns = new FakeResolver();
        int targets = 250;
        int each = 4_000; // about what one 64 KiB answer can hold
        List<Record> srv = new ArrayList<>();
        for (int t = 0; t < targets; t++) {
            String target = "t" + t + ".big.example.";
            srv.add(FakeResolver.srv(SERVICE, 30, 0, 1, 8080, target));
            dns.answer(target, Type.A, addresses(target, t * each, each));
        }
        dns.answer(SERVICE, Type.SRV, srv.toArray(new Record[0]));
        Throwable e = failure(resolution(dns).srv(FakeResolver.name(SERVICE)));
        assertThat(e).isInstanceOf(DnsDiscoveryException.class)
                .hasMessageContaining(SERVICE + " SRV: its targets' addresses give at least")
                .hasMessageContaining("more than the " + RecordLimits.MAX_BACKENDS);
    }

    @Test
    @Timeout(30)
    void moreSrvRecordsThanTheLimitAreRefusedBeforeAnyTargetIsLookedUp() {
        FakeResolver dns = new FakeResolver();
        Record[] srv = new Record[RecordLimits.MAX_BACKENDS + 1];
        for (int i = 0; i < srv.length; i++) {
            srv[i] = FakeResolver.srv(SERVICE, 30, 0, 1, 1 + i % 65535, "t" + i + ".big.example.");
        }
        dns.answer(SERVICE, Type.SRV, srv);
        Throwable e = failure(resolution(dns).srv(FakeResolver.name(SERVICE)));
        assertThat(e).isInstanceOf(DnsDiscoveryException.class)
                .hasMessageContaining(SERVICE + " SRV: " + (RecordLimits.MAX_BACKENDS + 1) + " records from fake");
        assertThat(dns.total()).isEqualTo(1);
    }
}
