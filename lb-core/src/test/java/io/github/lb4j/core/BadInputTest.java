package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public builder and factory of lb-core against every kind of invalid value: each gives the documented
 * exception, and its message names the field and shows the value (for null, the field alone). One row per case; a
 * new public setter or factory gets its rows here.
 */
class BadInputTest {

    private static final Backend A = Backend.of("10.0.0.1", 8080);

    /** One row: what is called, the exception expected, and what its message must contain. */
    static Arguments row(String call, ThrowingCallable code, Class<? extends Throwable> type, String... message) {
        return Arguments.of(call, code, type, message);
    }

    static List<Backend> listWithNull() {
        List<Backend> l = new ArrayList<>();
        l.add(A);
        l.add(null);
        return l;
    }

    static Stream<Arguments> rows() {
        LoadBalancer.Builder b = LoadBalancer.builder("p");
        LoadBalancer pool = LoadBalancer.builder("bad-input").backends(List.of(A)).build();
        return Stream.of(
                // LoadBalancer.builder and its setters
                row("builder(null)", () -> LoadBalancer.builder(null), NullPointerException.class, "name"),
                row("builder(\"\")", () -> LoadBalancer.builder(""), IllegalArgumentException.class,
                        "pool name", "''"),
                row("builder(\"  \")", () -> LoadBalancer.builder("  "), IllegalArgumentException.class,
                        "pool name", "'  '"),
                row("builder(control char)", () -> LoadBalancer.builder("a\nb"), IllegalArgumentException.class,
                        "pool name", "'a?b'"),
                row("backends(null)", () -> b.backends(null), NullPointerException.class, "backends"),
                row("backends([a, null])", () -> b.backends(listWithNull()), NullPointerException.class,
                        "backends[1]"),
                row("backends(duplicate id)", () -> b.backends(List.of(A, A.withWeight(2))),
                        IllegalArgumentException.class, "backends", "'10.0.0.1:8080'"),
                row("strategy(null)", () -> b.strategy(null), NullPointerException.class, "strategy"),
                row("ticker(null)", () -> b.ticker(null), NullPointerException.class, "ticker"),
                row("random(null)", () -> b.random(null), NullPointerException.class, "random"),
                row("source(null)", () -> b.source(null), NullPointerException.class, "source"),
                row("listenerExecutor(null)", () -> b.listenerExecutor(null), NullPointerException.class,
                        "listenerExecutor"),
                row("eventQueueCapacity(0)", () -> b.eventQueueCapacity(0), IllegalArgumentException.class,
                        "eventQueueCapacity", "got 0"),
                row("eventQueueCapacity(1000001)", () -> b.eventQueueCapacity(1_000_001),
                        IllegalArgumentException.class, "eventQueueCapacity", "got 1000001"),
                // LoadBalancer methods taking input
                row("select(null)", () -> pool.select(null), NullPointerException.class, "context"),
                row("updateBackends(null)", () -> pool.updateBackends(null), NullPointerException.class,
                        "backends"),
                row("updateBackends(duplicate id)", () -> pool.updateBackends(List.of(A, A)),
                        IllegalArgumentException.class, "backends", "'10.0.0.1:8080'"),
                row("updateBackends([a, null])", () -> pool.updateBackends(listWithNull()),
                        NullPointerException.class, "backends[1]"),
                // Backend
                row("Backend.of(null, 80)", () -> Backend.of(null, 80), NullPointerException.class, "host"),
                row("Backend.of(\"\", 80)", () -> Backend.of("", 80), IllegalArgumentException.class, "host", "''"),
                row("Backend.of(\"a b\", 80)", () -> Backend.of("a b", 80), IllegalArgumentException.class, "host",
                        "'a b'"),
                row("Backend.of(\"user@h\", 80)", () -> Backend.of("user@h", 80), IllegalArgumentException.class,
                        "host", "'user@h'"),
                row("Backend.of(\"h/p\", 80)", () -> Backend.of("h/p", 80), IllegalArgumentException.class, "host",
                        "'h/p'"),
                row("Backend.of(\"h?q\", 80)", () -> Backend.of("h?q", 80), IllegalArgumentException.class, "host",
                        "'h?q'"),
                row("Backend.of(\"h#f\", 80)", () -> Backend.of("h#f", 80), IllegalArgumentException.class, "host",
                        "'h#f'"),
                row("Backend.of(\"a\\\\b\", 80)", () -> Backend.of("a\\b", 80), IllegalArgumentException.class,
                        "host", "'a\\b'"),
                row("Backend.of(\"[]\", 80)", () -> Backend.of("[]", 80), IllegalArgumentException.class, "host",
                        "'[]'"),
                row("Backend.of(\"](\", 80)", () -> Backend.of("](", 80), IllegalArgumentException.class, "host",
                        "']('"),
                row("Backend.of(control char)", () -> Backend.of("h\u0000x", 80), IllegalArgumentException.class,
                        "host", "'h?x'"),
                row("Backend.of(h, 0)", () -> Backend.of("h", 0), IllegalArgumentException.class, "port", "0"),
                row("Backend.of(h, -1)", () -> Backend.of("h", -1), IllegalArgumentException.class, "port", "-1"),
                row("Backend.of(h, 65536)", () -> Backend.of("h", 65536), IllegalArgumentException.class, "port",
                        "65536"),
                row("withWeight(0)", () -> A.withWeight(0), IllegalArgumentException.class, "weight", "got 0"),
                row("withWeight(-3)", () -> A.withWeight(-3), IllegalArgumentException.class, "weight", "-3"),
                row("withWeight(MAX + 1)", () -> A.withWeight(Backend.MAX_WEIGHT + 1), IllegalArgumentException.class,
                        "weight", String.valueOf(Backend.MAX_WEIGHT + 1)),
                row("withZone(\"\")", () -> A.withZone(""), IllegalArgumentException.class, "zone", "''"),
                row("withZone(\" \")", () -> A.withZone(" "), IllegalArgumentException.class, "zone", "' '"),
                row("withZone(control char)", () -> A.withZone("eu\nINFO forged"), IllegalArgumentException.class,
                        "zone", "'eu?INFO forged'"),
                row("withId(null)", () -> A.withId(null), NullPointerException.class, "id"),
                row("withId(\"\")", () -> A.withId(""), IllegalArgumentException.class, "id", "''"),
                row("withId(\"\\t\")", () -> A.withId("\t"), IllegalArgumentException.class, "id"),
                row("withId(control char)", () -> A.withId("pod\r\n7"), IllegalArgumentException.class, "id",
                        "'pod??7'"),
                row("withMetadata(null, v)", () -> A.withMetadata(null, "v"), NullPointerException.class, "key"),
                row("withMetadata(k, null)", () -> A.withMetadata("k", null), NullPointerException.class, "value"),
                row("withMetadata(\" \", v)", () -> A.withMetadata(" ", "v"), IllegalArgumentException.class,
                        "metadata key", "' '"),
                row("withMetadata(control char, v)", () -> A.withMetadata("k\u001b", "v"),
                        IllegalArgumentException.class, "metadata key", "'k?'"),
                // Strategy factories
                row("peakEwma(null)", () -> Strategy.peakEwma(null), NullPointerException.class, "decay"),
                row("peakEwma(0)", () -> Strategy.peakEwma(Duration.ZERO), IllegalArgumentException.class, "decay",
                        "PT0S"),
                row("peakEwma(-1s)", () -> Strategy.peakEwma(Duration.ofSeconds(-1)), IllegalArgumentException.class,
                        "decay", "PT-1S"),
                row("peakEwma(300 years)", () -> Strategy.peakEwma(Duration.ofDays(300L * 365)),
                        IllegalArgumentException.class, "decay", "PT2628000H"),
                // HashStrategy.withBoundedLoad, on each hash strategy
                row("ringHash.withBoundedLoad(1.0)", () -> Strategy.ringHash().withBoundedLoad(1.0),
                        IllegalArgumentException.class, "balance factor", "1.0"),
                row("ringHash.withBoundedLoad(0.5)", () -> Strategy.ringHash().withBoundedLoad(0.5),
                        IllegalArgumentException.class, "balance factor", "0.5"),
                row("maglev.withBoundedLoad(NaN)", () -> Strategy.maglev().withBoundedLoad(Double.NaN),
                        IllegalArgumentException.class, "balance factor", "NaN"),
                row("maglev.withBoundedLoad(-Infinity)",
                        () -> Strategy.maglev().withBoundedLoad(Double.NEGATIVE_INFINITY),
                        IllegalArgumentException.class, "balance factor", "-Infinity"),
                row("rendezvous.withBoundedLoad(Infinity)",
                        () -> Strategy.rendezvous().withBoundedLoad(Double.POSITIVE_INFINITY),
                        IllegalArgumentException.class, "balance factor", "Infinity"),
                row("rendezvous.withBoundedLoad(100.5)", () -> Strategy.rendezvous().withBoundedLoad(100.5),
                        IllegalArgumentException.class, "balance factor", "100.5"),
                // RequestContext
                row("withHashKey(null)", () -> RequestContext.ofHashKey(null), NullPointerException.class,
                        "hashKey"),
                row("withHashKey(null)", () -> RequestContext.empty().withHashKey(null), NullPointerException.class,
                        "hashKey"),
                row("ofPinned(null)", () -> RequestContext.ofPinned(null), NullPointerException.class, "backendId"),
                row("ofPinned(\" \")", () -> RequestContext.ofPinned(" "), IllegalArgumentException.class,
                        "backendId", "' '"),
                row("excluding(null)", () -> RequestContext.empty().excluding(null), NullPointerException.class,
                        "backendIds"),
                row("excluding([null])", () -> RequestContext.empty().excluding(Arrays.asList("a", null)),
                        NullPointerException.class, "backendIds"),
                // Selection
                row("failure(null)", () -> pool.select().failure(null), NullPointerException.class, "cause"),
                // BackendSource factories
                row("BackendSource.of(null)", () -> BackendSource.of(null), NullPointerException.class, "backends"),
                row("BackendSource.of(duplicate id)", () -> BackendSource.of(List.of(A, A)),
                        IllegalArgumentException.class, "backends", "'10.0.0.1:8080'"),
                row("BackendSource.of([a, null])", () -> BackendSource.of(listWithNull()),
                        NullPointerException.class, "backends[1]"),
                row("programmatic().update(null)", () -> BackendSource.programmatic().update(null),
                        NullPointerException.class, "backends"),
                row("programmatic().update(duplicate id)", () -> BackendSource.programmatic().update(List.of(A, A)),
                        IllegalArgumentException.class, "backends", "'10.0.0.1:8080'"),
                row("programmatic(true).update([a, null])",
                        () -> BackendSource.programmatic(true).update(listWithNull()), NullPointerException.class,
                        "backends[1]"),
                // Health SPI values
                row("HealthCheckResult.unhealthy(null)", () -> HealthCheckResult.unhealthy(null),
                        NullPointerException.class, "reason"));
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

    /** The state-dependent rejections: a closed pool, a closed or reused source. */
    @Test
    void misuseOfClosedOrSharedObjectsIsRejectedNamingWhat() {
        LoadBalancer pool = LoadBalancer.builder("closed-pool").backends(List.of(A)).build();
        pool.close();
        assertThatThrownBy(pool::select).isInstanceOf(IllegalStateException.class).hasMessageContaining(
                "'closed-pool'").hasMessageContaining("closed");
        assertThatThrownBy(() -> pool.updateBackends(List.of(A))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'closed-pool'");

        ProgrammaticBackendSource source = BackendSource.programmatic();
        LoadBalancer first = LoadBalancer.builder("first").source(source).build();
        assertThatThrownBy(() -> LoadBalancer.builder("second").source(source).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'first'");
        first.close();
        assertThatThrownBy(() -> source.update(List.of(A))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    /** Values at the edges of each range are accepted: the checks reject exactly what the javadoc says. */
    @Test
    void boundaryValuesAreAccepted() {
        assertThat(Backend.of("h", 1).port()).isEqualTo(1);
        assertThat(Backend.of("h", 65535).port()).isEqualTo(65535);
        assertThat(A.withWeight(1).weight()).isEqualTo(1);
        assertThat(A.withWeight(Backend.MAX_WEIGHT).weight()).isEqualTo(Backend.MAX_WEIGHT);
        assertThat(Backend.of("[2001:db8::1]", 80).host()).isEqualTo("2001:db8::1");
        assertThat(Backend.of("fe80::1%eth0", 80).id()).isEqualTo("[fe80::1%eth0]:80");
        assertThat(Backend.of("bücher.example", 80).host()).isEqualTo("bücher.example");
        assertThat(A.withZone(null).zone()).isNull();
        assertThat(A.withMetadata("k", "").metadata()).containsEntry("k", "");
        assertThat(Strategy.peakEwma(Duration.ofNanos(1)).name()).startsWith("peakEwma");
        assertThat(Strategy.peakEwma(Duration.ofDays(1)).name()).startsWith("peakEwma");
        assertThat(Strategy.ringHash().withBoundedLoad(1.0001).balanceFactor()).isEqualTo(1.0001);
        assertThat(Strategy.maglev().withBoundedLoad(HashStrategy.MAX_BALANCE_FACTOR).balanceFactor())
                .isEqualTo(HashStrategy.MAX_BALANCE_FACTOR);
        assertThat(RequestContext.ofHashKey("").hashKey()).isEmpty();
        assertThat(RequestContext.empty().excluding(List.of()).excluded()).isEmpty();
        assertThat(LoadBalancer.builder("p").eventQueueCapacity(1).eventQueueCapacity(
                LoadBalancer.Builder.MAX_EVENT_QUEUE_CAPACITY)).isNotNull();
    }
}
