/**
 * lb4j's core: backends, pools ({@link io.github.lb4j.core.LoadBalancer}), selection strategies, health and the
 * discovery SPI. The only API package is {@code io.github.lb4j.core}; {@code io.github.lb4j.core.internal} holds
 * helpers for lb4j's own modules and is exported to them alone.
 *
 * <p>Warnings suppressed on purpose: resilience4j ships automatic modules only, and the qualified export names
 * modules that a build of lb-core alone does not see.
 */
@SuppressWarnings({"module", "requires-automatic"})
module io.github.lb4j.core {
    requires org.slf4j;
    requires io.github.resilience4j.circuitbreaker;

    exports io.github.lb4j.core;
    exports io.github.lb4j.core.internal to
            io.github.lb4j.http,
            io.github.lb4j.okhttp,
            io.github.lb4j.jdkhttp,
            io.github.lb4j.httpclient5,
            io.github.lb4j.spring,
            io.github.lb4j.dns,
            io.github.lb4j.zookeeper,
            io.github.lb4j.etcd,
            io.github.lb4j.kubernetes,
            io.github.lb4j.micrometer,
            io.github.lb4j.simulator;
}
