package io.github.lb4j.examples;

import io.github.lb4j.core.BackendStats;
import io.github.lb4j.spring.boot.Lb4jPools;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * A Spring Boot application balanced by lb-spring-boot-starter with configuration alone: pool {@code orders} over
 * three loopback backends, Boot's own {@code RestClient.Builder} (customized by the starter) calling
 * {@code http://orders/...}; one backend is stopped half-way and the calls go on (retried on another backend, the
 * stopped one ejected).
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.examples.SpringBootExample
 * </pre>
 *
 * <p>The properties are given in code here; in an application they are the YAML of the README's Spring Boot
 * section.
 */
public final class SpringBootExample {

    static final int CALLS = 30;

    private SpringBootExample() {
    }

    /** Boot's auto-configuration, nothing else: the starter does the rest. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /** @return calls served per backend name, before and after the stop, as "before / a" and "after / a" */
    static Map<String, Integer> run(PrintStream out) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        Map<String, Integer> servedBy = new TreeMap<>();
        try (HttpBackend a = HttpBackend.start("orders-a", loopback, Duration.ZERO);
             HttpBackend b = HttpBackend.start("orders-b", loopback, Duration.ZERO);
             HttpBackend c = HttpBackend.start("orders-c", loopback, Duration.ZERO);
             ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                     .web(WebApplicationType.NONE).logStartupInfo(false)
                     .properties("spring.main.banner-mode=off",
                             "lb4j.pools.orders.backends=127.0.0.1:" + a.port() + ", 127.0.0.1:" + b.port()
                                     + ", 127.0.0.1:" + c.port(),
                             "lb4j.pools.orders.strategy=round-robin",
                             "lb4j.pools.orders.outlier-detection.consecutive-failures=1",
                             "lb4j.pools.orders.route.max-attempts=3")
                     .run()) {
            RestClient orders = context.getBean(RestClient.Builder.class).baseUrl("http://orders").build();
            for (int i = 0; i < CALLS; i++) {
                if (i == CALLS / 2) {
                    b.close();
                    out.println("orders-b stopped");
                }
                String backend = orders.get().uri("/api/items/" + i).retrieve().toBodilessEntity().getHeaders()
                        .getFirst(HttpBackend.SERVED_BY);
                servedBy.merge((i < CALLS / 2 ? "before / " : "after / ") + backend, 1, Integer::sum);
            }
            out.println("served by (phase / backend: calls)");
            servedBy.forEach((k, v) -> out.printf("  %-18s %3d%n", k, v));
            out.println("the pool's view");
            for (BackendStats s : context.getBean(Lb4jPools.class).pool("orders").stats()) {
                out.printf("  %-16s %-8s requests=%d failures=%d%n", s.backend().id(), s.health(), s.requests(),
                        s.failures());
            }
        }
        return servedBy;
    }
}
