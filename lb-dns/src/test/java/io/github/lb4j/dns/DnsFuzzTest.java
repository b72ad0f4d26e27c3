package io.github.lb4j.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import io.github.lb4j.core.testing.JazzerPlatform;
import org.junit.jupiter.api.condition.DisabledIf;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Fuzzes the path that turns DNS answers into backend sets ({@link Resolution}, exactly as {@link DnsBackendSource}
 * runs it): whatever a DNS server sends, the outcome is either a valid backend set or a
 * {@link DnsDiscoveryException} (the documented failure), never another exception, and every backend produced is
 * valid and accepted by a pool.
 *
 * <p>Two targets: {@link #wireAnswers} feeds raw wire bytes (what a hostile or broken server can send; seeds are
 * real answers written by {@link DnsFuzzSeeds}), {@link #structuredAnswers} builds well-formed messages from fuzzed
 * choices so that the fuzzer reaches CNAME chains, SRV targets and rcodes quickly.
 *
 * <p>Under {@code mvn verify} each runs over its seeds in
 * {@code src/test/resources/io/github/lb4j/dns/DnsFuzzTestInputs/<method>/}; see docs/RELIABILITY.md to fuzz.
 */
@DisabledIf(value = "io.github.lb4j.core.testing.JazzerPlatform#unsupported", disabledReason = JazzerPlatform.REASON)
class DnsFuzzTest {

    static final String HOST = "web.fuzz.test.";
    static final String SERVICE = "_http._tcp.svc.fuzz.test.";
    static final int PORT = 8080;

    /**
     * Byte 0 chooses the question (bit 0: SRV, else A/AAAA) and the address family (bits 1-2); the rest is the wire
     * message that answers every question asked.
     */
    @FuzzTest(maxDuration = "10m")
    void wireAnswers(byte[] input) {
        if (input.length == 0) {
            return;
        }
        boolean srv = (input[0] & 1) != 0;
        DnsBackendSource.AddressFamily family = family(input[0] >> 1);
        byte[] wire = Arrays.copyOfRange(input, 1, input.length);
        Outcome first = resolve(srv, family, q -> parse(wire));
        check(first, srv);
        // The documented promise: the same records in any order give the same list (so a pool sees no change).
        Message m;
        try {
            m = new Message(wire);
        } catch (IOException | RuntimeException e) {
            return;
        }
        if (first.result != null && !hasRepeatedCnames(m)) {
            Message reversed = reverseAnswers(m);
            Outcome second = resolve(srv, family, q -> CompletableFuture.completedFuture(reversed));
            assertThat(second.result).as("same records reversed").isNotNull();
            assertThat(second.result.backends).as("same records reversed").isEqualTo(first.result.backends);
            assertThat(second.result.ttlSeconds).isEqualTo(first.result.ttlSeconds);
        }
    }

    /** Well-formed answers built from fuzzed choices, one per question, in the order questions are asked. */
    @FuzzTest(maxDuration = "10m")
    void structuredAnswers(FuzzedDataProvider data) {
        boolean srv = data.consumeBoolean();
        DnsBackendSource.AddressFamily family = family(data.consumeInt(0, 2));
        Outcome outcome = resolve(srv, family, q -> answer(q, data));
        check(outcome, srv);
    }

    /** The first finding of {@link #wireAnswers}, as a plain test: record order and name case change nothing. */
    @Test
    void srvTargetsAreCanonicalAndIndependentOfRecordOrder() {
        Record[] records = {FakeResolver.srv(SERVICE, 30, 0, 7, 8080, "T1.Fuzz.Test."),
            FakeResolver.srv(SERVICE, 30, 0, 5, 8080, "t2.fuzz.test."),
            FakeResolver.a("t1.fuzz.test.", 30, "10.0.1.1"), FakeResolver.a("t2.fuzz.test.", 30, "10.0.1.1")};
        Message forward = FakeResolver.response(Message.newQuery(FakeResolver.a(SERVICE, 0, "127.0.0.1")),
                Rcode.NOERROR, records);
        Outcome a = resolve(true, DnsBackendSource.AddressFamily.IPV4, q -> CompletableFuture.completedFuture(forward));
        Message backward = reverseAnswers(forward);
        Outcome b = resolve(true, DnsBackendSource.AddressFamily.IPV4,
                q -> CompletableFuture.completedFuture(backward));
        assertThat(a.result.backends).containsExactly(Backend.of("10.0.1.1", 8080).withWeight(12)
                .withMetadata(DnsBackendSource.METADATA_TARGET, "t1.fuzz.test"));
        assertThat(b.result.backends).isEqualTo(a.result.backends);
    }

    private static DnsBackendSource.AddressFamily family(int bits) {
        return DnsBackendSource.AddressFamily.values()[Math.min(2, bits & 3)];
    }

    /** What the real resolver does with bytes it cannot parse: it fails the query. */
    private static CompletionStage<Message> parse(byte[] wire) {
        try {
            return CompletableFuture.completedFuture(new Message(wire));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    static final class Outcome {
        final Resolution.Result result;
        final DnsDiscoveryException failure;

        Outcome(Resolution.Result result, DnsDiscoveryException failure) {
            this.result = result;
            this.failure = failure;
        }
    }

    /** Runs one resolution on the caller's thread; any exception but DnsDiscoveryException escapes and fails. */
    static Outcome resolve(boolean srv, DnsBackendSource.AddressFamily family,
                           Function<Message, CompletionStage<Message>> answers) {
        Resolution resolution = new Resolution(new CannedResolver(answers), Runnable::run, "fuzz",
                Duration.ofSeconds(1), family);
        CompletableFuture<Resolution.Result> f = srv ? resolution.srv(FakeResolver.name(SERVICE))
                : resolution.addresses(FakeResolver.name(HOST), PORT);
        assertThat(f).as("answers complete synchronously here").isDone();
        try {
            return new Outcome(f.join(), null);
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DnsDiscoveryException) {
                assertThat(cause.getMessage()).isNotBlank();
                return new Outcome(null, (DnsDiscoveryException) cause);
            }
            throw new AssertionError("undocumented exception from DNS interpretation", cause);
        }
    }

    static void check(Outcome outcome, boolean srv) {
        if (outcome.failure != null) {
            return;
        }
        Resolution.Result r = outcome.result;
        assertThat(r.notes).doesNotContainNull();
        if (r.backends.isEmpty()) {
            assertThat(r.emptyReason).isNotBlank();
            return;
        }
        assertThat(r.emptyReason).isNull();
        assertThat(r.ttlSeconds).isBetween(0L, Resolution.MAX_TTL_SECONDS);
        Set<String> ids = new HashSet<>();
        boolean sawBackup = false;
        for (Backend b : r.backends) {
            byte[] ip = Address.toByteArray(b.host(), b.host().indexOf(':') >= 0 ? Address.IPv6 : Address.IPv4);
            assertThat(ip).as("host of %s is an IP literal", b).isNotNull();
            InetAddress address = inet(ip);
            assertThat(address.isAnyLocalAddress() || address.isMulticastAddress()).as("%s usable", b).isFalse();
            assertThat(b).isEqualTo(rebuilt(b));
            assertThat(b.weight()).isBetween(1, Backend.MAX_WEIGHT);
            assertThat(ids.add(b.id())).as("unique id %s", b.id()).isTrue();
            if (srv) {
                String target = b.metadata().get(DnsBackendSource.METADATA_TARGET);
                assertThat(target).isNotBlank().doesNotEndWith(".");
                assertThat(Resolution.isHostName(FakeResolver.name(target))).isTrue();
            } else {
                assertThat(b.port()).isEqualTo(PORT);
                assertThat(b.weight()).isEqualTo(1);
                assertThat(b.isBackup()).isFalse();
            }
            assertThat(sawBackup && !b.isBackup()).as("primaries come before backups").isFalse();
            sawBackup |= b.isBackup();
        }
        assertThatCode(() -> BackendSource.of(r.backends)).as("a pool accepts the set").doesNotThrowAnyException();
    }

    /** The same backend made again through the public factories: proves every field passed validation. */
    private static Backend rebuilt(Backend b) {
        Backend copy = Backend.of(b.host(), b.port()).withWeight(b.weight());
        for (Map.Entry<String, String> e : b.metadata().entrySet()) {
            copy = copy.withMetadata(e.getKey(), e.getValue());
        }
        return b.isBackup() ? copy.asBackup() : copy;
    }

    private static InetAddress inet(byte[] ip) {
        try {
            return InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean hasRepeatedCnames(Message m) {
        Set<Name> owners = new HashSet<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r.getType() == Type.CNAME && !owners.add(r.getName())) {
                return true;
            }
        }
        return false;
    }

    private static Message reverseAnswers(Message m) {
        Message out = new Message(m.getHeader().getID());
        out.getHeader().setRcode(m.getRcode());
        out.getHeader().setFlag(Flags.QR);
        List<Record> answers = new ArrayList<>(m.getSection(Section.ANSWER));
        Collections.reverse(answers);
        for (Record r : answers) {
            out.addRecord(r, Section.ANSWER);
        }
        return out;
    }

    // ---- structured answers ----

    private static final String[] NAMES = {HOST, SERVICE, "t1.fuzz.test.", "t2.fuzz.test.", "alias.fuzz.test.",
        "loop.fuzz.test.", "fuzz.test.", "bad\\032name.fuzz.test.", "x.other.test.", "."};

    private static Name pickName(FuzzedDataProvider data) {
        return FakeResolver.name(data.pickValue(NAMES));
    }

    private static CompletionStage<Message> answer(Message query, FuzzedDataProvider data) {
        int kind = data.consumeInt(0, 9);
        if (kind == 0) {
            return CompletableFuture.failedFuture(new SocketTimeoutException("Query timed out"));
        }
        if (kind == 1) {
            return CompletableFuture.failedFuture(new IOException("connection reset"));
        }
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        int rcode = kind == 2 ? data.pickValue(new int[] {Rcode.NXDOMAIN, Rcode.SERVFAIL, Rcode.REFUSED,
            Rcode.FORMERR, data.consumeInt(0, 15)}) : Rcode.NOERROR;
        m.getHeader().setRcode(rcode);
        m.addRecord(query.getQuestion(), Section.QUESTION);
        int records = data.consumeInt(0, 12);
        for (int i = 0; i < records && data.remainingBytes() > 0; i++) {
            Record r = record(query.getQuestion().getName(), data);
            if (r != null) {
                m.addRecord(r, Section.ANSWER);
            }
        }
        return CompletableFuture.completedFuture(m);
    }

    private static Record record(Name question, FuzzedDataProvider data) {
        Name owner = data.consumeInt(0, 3) == 0 ? pickName(data) : question;
        int dclass = data.consumeInt(0, 7) == 0 ? DClass.CH : DClass.IN;
        long ttl = data.consumeLong(0, Resolution.MAX_TTL_SECONDS);
        try {
            switch (data.consumeInt(0, 4)) {
                case 0:
                    return new ARecord(owner, dclass, ttl, InetAddress.getByAddress(bytes(data, 4)));
                case 1:
                    return new AAAARecord(owner, dclass, ttl, InetAddress.getByAddress(bytes(data, 16)));
                case 2:
                    return new SRVRecord(owner, dclass, ttl, data.consumeInt(0, 65535), data.consumeInt(0, 65535),
                            data.consumeInt(0, 65535), pickName(data));
                case 3:
                    return new CNAMERecord(owner, dclass, ttl, pickName(data));
                default:
                    return new TXTRecord(owner, dclass, ttl, data.consumeString(20));
            }
        } catch (UnknownHostException | IllegalArgumentException e) {
            // Record constructors reject what a wire answer cannot carry either (e.g. a relative name); skip it.
            return null;
        }
    }

    /** Exactly {@code n} bytes (zero-padded when the input runs out). */
    private static byte[] bytes(FuzzedDataProvider data, int n) {
        byte[] b = data.consumeBytes(n);
        return b.length == n ? b : Arrays.copyOf(b, n);
    }

    /** Answers each question through a function of the query. */
    static final class CannedResolver implements Resolver {
        private final Function<Message, CompletionStage<Message>> answers;

        CannedResolver(Function<Message, CompletionStage<Message>> answers) {
            this.answers = answers;
        }

        @Override
        public CompletionStage<Message> sendAsync(Message query, Executor executor) {
            return answers.apply(query);
        }

        @Override
        public CompletionStage<Message> sendAsync(Message query) {
            return answers.apply(query);
        }

        @Override
        public void setPort(int port) {
        }

        @Override
        public void setTCP(boolean flag) {
        }

        @Override
        public void setIgnoreTruncation(boolean flag) {
        }

        @Override
        public void setEDNS(int version, int payloadSize, int flags, List<org.xbill.DNS.EDNSOption> options) {
        }

        @Override
        public void setTSIGKey(org.xbill.DNS.TSIG key) {
        }

        @Override
        public void setTimeout(Duration timeout) {
        }
    }
}
