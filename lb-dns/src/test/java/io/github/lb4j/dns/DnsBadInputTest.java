package io.github.lb4j.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public factory and builder setter of {@link DnsBackendSource} against invalid values: each gives the
 * documented exception, naming the field and showing the value (for null, the field alone).
 */
class DnsBadInputTest {

    static Arguments row(String call, ThrowingCallable code, Class<? extends Throwable> type, String... message) {
        return Arguments.of(call, code, type, message);
    }

    static Stream<Arguments> rows() throws Exception {
        DnsBackendSource.Builder b = DnsBackendSource.addresses("ok.lb4j.test", 80);
        Duration s1 = Duration.ofSeconds(1);
        return Stream.of(
                row("addresses(null, 80)", () -> DnsBackendSource.addresses(null, 80), NullPointerException.class,
                        "hostName"),
                row("addresses(\"\", 80)", () -> DnsBackendSource.addresses("", 80), IllegalArgumentException.class,
                        "hostName", "''"),
                row("addresses(\".\", 80)", () -> DnsBackendSource.addresses(".", 80),
                        IllegalArgumentException.class, "hostName", "'.'"),
                row("addresses(\"a b\", 80)", () -> DnsBackendSource.addresses("a b.test", 80),
                        IllegalArgumentException.class, "hostName", "'a b.test'"),
                row("addresses(\"a..b\", 80)", () -> DnsBackendSource.addresses("a..b", 80),
                        IllegalArgumentException.class, "hostName", "'a..b'"),
                row("addresses(label of 64)", () -> DnsBackendSource.addresses("x".repeat(64) + ".test", 80),
                        IllegalArgumentException.class, "hostName", "x".repeat(64)),
                row("addresses(name of 300)", () -> DnsBackendSource.addresses("abcdefghi.".repeat(30) + "test", 80),
                        IllegalArgumentException.class, "hostName", "abcdefghi.abcdefghi"),
                row("addresses(non-ASCII)", () -> DnsBackendSource.addresses("b\u00e4d.test", 80),
                        IllegalArgumentException.class, "hostName", "'b\u00e4d.test'"),
                row("addresses(escape)", () -> DnsBackendSource.addresses("a\\032b.test", 80),
                        IllegalArgumentException.class, "hostName", "'a\\032b.test'"),
                row("addresses(control char)", () -> DnsBackendSource.addresses("a\nb.test", 80),
                        IllegalArgumentException.class, "hostName", "'a?b.test'"),
                row("addresses(h, 0)", () -> DnsBackendSource.addresses("ok.test", 0), IllegalArgumentException.class,
                        "port", "0"),
                row("addresses(h, -1)", () -> DnsBackendSource.addresses("ok.test", -1),
                        IllegalArgumentException.class, "port", "-1"),
                row("addresses(h, 65536)", () -> DnsBackendSource.addresses("ok.test", 65536),
                        IllegalArgumentException.class, "port", "65536"),
                row("srv(null)", () -> DnsBackendSource.srv(null), NullPointerException.class, "serviceName"),
                row("srv(\" \")", () -> DnsBackendSource.srv(" "), IllegalArgumentException.class, "serviceName",
                        "' '"),
                row("srv(\"_x._tcp.b@d.test\")", () -> DnsBackendSource.srv("_x._tcp.b@d.test"),
                        IllegalArgumentException.class, "serviceName", "'_x._tcp.b@d.test'"),
                row("resolver(null, 53)", () -> b.resolver((String) null, 53), NullPointerException.class, "host"),
                row("resolver(name, 53)", () -> b.resolver("dns.google", 53), IllegalArgumentException.class,
                        "resolver host", "'dns.google'"),
                row("resolver(\"999.1.1.1\", 53)", () -> b.resolver("999.1.1.1", 53),
                        IllegalArgumentException.class, "resolver host", "'999.1.1.1'"),
                row("resolver(ip, 0)", () -> b.resolver("127.0.0.1", 0), IllegalArgumentException.class,
                        "resolver port", "0"),
                row("resolver(ip, 65536)", () -> b.resolver("127.0.0.1", 65536), IllegalArgumentException.class,
                        "resolver port", "65536"),
                row("resolver((InetSocketAddress) null)", () -> b.resolver((InetSocketAddress) null),
                        NullPointerException.class, "address"),
                row("resolver(unresolved)", () -> b.resolver(InetSocketAddress.createUnresolved("dns", 53)),
                        IllegalArgumentException.class, "resolver address", "dns"),
                row("resolver(address, port 0)",
                        () -> b.resolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)),
                        IllegalArgumentException.class, "resolver port", ":0"),
                row("addressFamily(null)", () -> b.addressFamily(null), NullPointerException.class, "family"),
                row("queryTimeout(null)", () -> b.queryTimeout(null), NullPointerException.class, "queryTimeout"),
                row("queryTimeout(0)", () -> b.queryTimeout(Duration.ZERO), IllegalArgumentException.class,
                        "queryTimeout", "PT0S"),
                row("queryTimeout(-1s)", () -> b.queryTimeout(Duration.ofSeconds(-1)),
                        IllegalArgumentException.class, "queryTimeout", "PT-1S"),
                row("queryTimeout(6 min)", () -> b.queryTimeout(Duration.ofMinutes(6)),
                        IllegalArgumentException.class, "queryTimeout", "PT6M"),
                row("minTtl(null)", () -> b.minTtl(null), NullPointerException.class, "minTtl"),
                row("minTtl(0)", () -> b.minTtl(Duration.ZERO), IllegalArgumentException.class, "minTtl", "PT0S"),
                row("maxTtl(8 days)", () -> b.maxTtl(Duration.ofDays(8)), IllegalArgumentException.class, "maxTtl",
                        "PT192H"),
                row("jitter(-0.1)", () -> b.jitter(-0.1), IllegalArgumentException.class, "jitter", "-0.1"),
                row("jitter(1.5)", () -> b.jitter(1.5), IllegalArgumentException.class, "jitter", "1.5"),
                row("jitter(NaN)", () -> b.jitter(Double.NaN), IllegalArgumentException.class, "jitter", "NaN"),
                row("retryBackoff(null, 1s)", () -> b.retryBackoff(null, s1), NullPointerException.class,
                        "initial backoff"),
                row("retryBackoff(1s, null)", () -> b.retryBackoff(s1, null), NullPointerException.class,
                        "max backoff"),
                row("retryBackoff(0, 1s)", () -> b.retryBackoff(Duration.ZERO, s1), IllegalArgumentException.class,
                        "initial backoff", "PT0S"),
                row("retryBackoff(2s, 1s)", () -> b.retryBackoff(Duration.ofSeconds(2), s1),
                        IllegalArgumentException.class, "max backoff", "PT1S"),
                row("ticker(null)", () -> b.ticker(null), NullPointerException.class, "ticker"),
                row("random(null)", () -> b.random(null), NullPointerException.class, "random"),
                row("scheduler(null)", () -> b.scheduler((ScheduledExecutorService) null),
                        NullPointerException.class, "scheduler"),
                row("build() with maxTtl < minTtl", () -> DnsBackendSource.addresses("ok.test", 80)
                        .minTtl(Duration.ofSeconds(10)).maxTtl(Duration.ofSeconds(5)).build(),
                        IllegalStateException.class, "maxTtl PT5S", "minTtl PT10S"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void invalidValueIsRejectedNamingFieldAndValue(String call, ThrowingCallable code,
                                                   Class<? extends Throwable> type, String[] message) {
        assertThatThrownBy(code).as(call).isInstanceOf(type).satisfies(e -> {
            for (String part : message) {
                assertThat(e.getMessage()).as("message of %s", call).contains(part);
            }
        });
    }
}
