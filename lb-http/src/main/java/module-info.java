/**
 * lb4j's client-neutral HTTP call engine: {@link io.github.lb4j.http.Route}, the retry and outcome rules, and the
 * adapter SPI ({@link io.github.lb4j.http.HttpBalancer}, {@link io.github.lb4j.http.HttpExchange}) that each HTTP
 * client adapter implements. Depends on lb-core only: no HTTP client.
 */
@SuppressWarnings("requires-automatic")
module io.github.lb4j.http {
    requires transitive io.github.lb4j.core;
    requires org.slf4j;
    // HdrHistogram 2.2.2 has no module descriptor nor Automatic-Module-Name: its module name comes from the jar.
    requires HdrHistogram;

    exports io.github.lb4j.http;
}
