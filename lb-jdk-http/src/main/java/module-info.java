/**
 * The JDK HttpClient adapter of lb4j: {@link io.github.lb4j.jdkhttp.LoadBalancedHttpClient}, a
 * {@link java.net.http.HttpClient} that balances requests for logical hosts over lb4j pools.
 */
module io.github.lb4j.jdkhttp {
    requires transitive java.net.http;
    requires transitive io.github.lb4j.http;
    requires org.slf4j;

    exports io.github.lb4j.jdkhttp;
}
