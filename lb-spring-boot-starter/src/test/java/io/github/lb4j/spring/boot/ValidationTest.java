package io.github.lb4j.spring.boot;

import static io.github.lb4j.spring.boot.Runners.failedOn;
import static io.github.lb4j.spring.boot.Runners.lb4j;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Every bad value fails the start with the property and the value named; none falls back to a default. */
class ValidationTest {

    private static final String ORDERS = "lb4j.pools.orders.backends=127.0.0.1:8080";

    @Test
    void unknownStrategy() {
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.strategy=fastest").run(c ->
                failedOn(c, "lb4j.pools.orders.strategy", "fastest").hasMessageContaining("round-robin, random,"
                        + " least-requests, peak-ewma, ring-hash, maglev, rendezvous"));
    }

    @Test
    void strategyNamesAreExact() {
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.strategy=roundRobin").run(c ->
                failedOn(c, "lb4j.pools.orders.strategy", "roundRobin"));
    }

    @Test
    void backendWithoutPort() {
        lb4j().withPropertyValues("lb4j.pools.orders.backends=10.0.0.1:8080, 10.0.0.2").run(c ->
                failedOn(c, "lb4j.pools.orders.backends", "10.0.0.2").hasMessageContaining("host:port"));
    }

    @Test
    void backendPortOutOfRange() {
        lb4j().withPropertyValues("lb4j.pools.orders.backends=10.0.0.1:70000").run(c ->
                failedOn(c, "lb4j.pools.orders.backends", "10.0.0.1:70000").hasMessageContaining("70000"));
    }

    @Test
    void backendBadWeight() {
        lb4j().withPropertyValues("lb4j.pools.orders.backends=10.0.0.1:8080;weight=0").run(c ->
                failedOn(c, "lb4j.pools.orders.backends", "10.0.0.1:8080;weight=0").hasMessageContaining("weight"));
        lb4j().withPropertyValues("lb4j.pools.orders.backends=10.0.0.1:8080;weight=heavy").run(c ->
                failedOn(c, "lb4j.pools.orders.backends", "10.0.0.1:8080;weight=heavy")
                        .hasMessageContaining("integer"));
    }

    @Test
    void backendUnknownOption() {
        lb4j().withPropertyValues("lb4j.pools.orders.backends=10.0.0.1:8080;wieght=3").run(c ->
                failedOn(c, "lb4j.pools.orders.backends", "10.0.0.1:8080;wieght=3")
                        .hasMessageContaining("unknown option 'wieght'"));
    }

    @Test
    void emptyBackendEntry() {
        lb4j().withPropertyValues("lb4j.pools.orders.backends=10.0.0.1:8080,,10.0.0.2:8080").run(c ->
                failedOn(c, "lb4j.pools.orders.backends", "10.0.0.1:8080,,10.0.0.2:8080")
                        .hasMessageContaining("empty entry"));
    }

    @Test
    void unbracketedIpv6() {
        lb4j().withPropertyValues("lb4j.pools.orders.backends=::1:8080").run(c ->
                failedOn(c, "lb4j.pools.orders.backends", "::1:8080").hasMessageContaining("[::1]:8080"));
    }

    @Test
    void negativeDurations() {
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.slow-start=-5s").run(c ->
                failedOn(c, "lb4j.pools.orders.slow-start", "-5s").hasMessageContaining("negative"));
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.outlier-detection.base-ejection-time=-1s").run(c ->
                failedOn(c, "lb4j.pools.orders.outlier-detection.base-ejection-time", "-1s"));
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.route.per-try-timeout=-200ms").run(c ->
                failedOn(c, "lb4j.pools.orders.route.per-try-timeout", "-200ms"));
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.health-check.path=/healthz",
                "lb4j.pools.orders.health-check.interval=0s").run(c ->
                failedOn(c, "lb4j.pools.orders.health-check.interval", "0s"));
    }

    @Test
    void outOfRangeNumbers() {
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.outlier-detection.consecutive-failures=0").run(c ->
                failedOn(c, "lb4j.pools.orders.outlier-detection.consecutive-failures", "0"));
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.route.max-attempts=11").run(c ->
                failedOn(c, "lb4j.pools.orders.route.max-attempts", "11"));
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.route.retry-on-status=503,700").run(c ->
                failedOn(c, "lb4j.pools.orders.route.retry-on-status", "[503, 700]"));
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.min-available-backends=-1").run(c ->
                failedOn(c, "lb4j.pools.orders.min-available-backends", "-1"));
    }

    @Test
    void unparsableDurationIsBootsBindError() {
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.slow-start=soon").run(c -> {
            assertThat(c).hasFailed();
            assertThat(c.getStartupFailure()).rootCause().hasMessageContaining("'soon' is not a valid duration");
            assertThat(c.getStartupFailure())
                    .hasStackTraceContaining("Failed to bind properties under 'lb4j.pools.orders.slow-start'");
        });
    }

    @Test
    void badHedging() {
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.route.hedging=p150").run(c ->
                failedOn(c, "lb4j.pools.orders.route.hedging", "p150").hasMessageContaining("(0, 100)"));
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.route.hedging=sometimes").run(c ->
                failedOn(c, "lb4j.pools.orders.route.hedging", "sometimes"));
    }

    @Test
    void poolWithNothingToServe() {
        lb4j().withPropertyValues("lb4j.pools.orders.strategy=random").run(c ->
                failedOn(c, "lb4j.pools.orders.backends", null).hasMessageContaining("no discovery"));
    }

    @Test
    void poolNameMustBeAHostName() {
        lb4j().withPropertyValues("lb4j.pools.[orders_v2].backends=127.0.0.1:8080").run(c ->
                failedOn(c, "lb4j.pools.orders_v2", "orders_v2"));
    }

    @Test
    void hashStrategyNeedsAKey() {
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.strategy=maglev").run(c ->
                failedOn(c, "lb4j.pools.orders.route.hash-key-header", null));
    }

    @Test
    void healthCheckTimingWithoutPath() {
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.health-check.interval=5s").run(c ->
                failedOn(c, "lb4j.pools.orders.health-check.path", null));
        lb4j().withPropertyValues(ORDERS, "lb4j.pools.orders.health-check.path=healthz").run(c ->
                failedOn(c, "lb4j.pools.orders.health-check.path", "healthz"));
    }

    @Test
    void twoDiscoverySources() {
        lb4j().withPropertyValues("lb4j.pools.orders.discovery.dns.srv=_http._tcp.orders.example",
                "lb4j.pools.orders.discovery.etcd.target=orders").run(c ->
                failedOn(c, "lb4j.pools.orders.discovery", "[dns, etcd]"));
    }

    @Test
    void dnsSrvAndA() {
        lb4j().withPropertyValues("lb4j.pools.orders.discovery.dns.srv=_http._tcp.orders.example",
                "lb4j.pools.orders.discovery.dns.a=orders.example:8080").run(c ->
                failedOn(c, "lb4j.pools.orders.discovery.dns", null).hasMessageContaining("both srv and a"));
        lb4j().withPropertyValues("lb4j.pools.orders.discovery.dns.a=orders.example").run(c ->
                failedOn(c, "lb4j.pools.orders.discovery.dns.a", "orders.example"));
        lb4j().withPropertyValues("lb4j.pools.orders.discovery.dns.srv=bad..name").run(c ->
                failedOn(c, "lb4j.pools.orders.discovery.dns.srv", "bad..name"));
    }

    @Test
    void registryClientsMustBeNamed() {
        lb4j().withPropertyValues("lb4j.pools.orders.discovery.zookeeper.enabled=true").run(c ->
                failedOn(c, "lb4j.pools.orders.discovery.zookeeper.connect-string", null)
                        .hasMessageContaining("CuratorFramework"));
        lb4j().withPropertyValues("lb4j.pools.orders.discovery.etcd.target=orders").run(c ->
                failedOn(c, "lb4j.pools.orders.discovery.etcd.endpoints", null).hasMessageContaining("Client"));
        lb4j().withPropertyValues("lb4j.pools.orders.discovery.etcd.endpoints=http://127.0.0.1:2379").run(c ->
                failedOn(c, "lb4j.pools.orders.discovery.etcd.target", null));
        lb4j().withPropertyValues("lb4j.pools.orders.discovery.kubernetes.service=orders").run(c ->
                failedOn(c, "lb4j.pools.orders.discovery.kubernetes.namespace", null));
    }
}
