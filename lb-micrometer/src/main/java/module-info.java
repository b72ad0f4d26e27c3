/**
 * Micrometer metrics for lb4j pools: {@link io.github.lb4j.micrometer.LoadBalancerMetrics}, a {@code MeterBinder}
 * for one pool, and {@link io.github.lb4j.micrometer.RouteMetrics} for lb-http's routes. Micrometer's core jar has no module descriptor; its automatic module name is {@code micrometer.core}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.github.lb4j.micrometer {
    requires transitive io.github.lb4j.core;
    // RouteMetrics implements lb-http's RouteListener.
    requires transitive io.github.lb4j.http;
    // MeterBinder and MeterRegistry are in the API.
    requires transitive micrometer.core;
    requires org.slf4j;

    exports io.github.lb4j.micrometer;
}
