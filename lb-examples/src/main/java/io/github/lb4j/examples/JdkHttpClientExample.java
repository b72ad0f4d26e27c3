package io.github.lb4j.examples;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.http.Route;
import io.github.lb4j.jdkhttp.LoadBalancedHttpClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JDK's own {@link HttpClient}, balanced with lb-jdk-http: three loopback backends in pool {@code orders}, forty
 * requests to {@code http://orders/...}, then one backend crashes and forty more requests are retried around it.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.examples.JdkHttpClientExample
 * </pre>
 *
 * <pre>{@code
 * HttpClient client = LoadBalancedHttpClient.builder(HttpClient.newHttpClient())
 *         .route(Route.builder("orders", pool).build())
 *         .build();
 * client.send(HttpRequest.newBuilder(URI.create("http://orders/api/items/7")).build(), BodyHandlers.ofString());
 * }</pre>
 */
public final class JdkHttpClientExample {

    private JdkHttpClientExample() {
    }

    public static void main(String[] args) throws Exception {
        List<HttpBackend> backends = new ArrayList<>();
        for (String name : List.of("b1", "b2", "b3")) {
            backends.add(HttpBackend.start(name, InetAddress.getLoopbackAddress(), Duration.ofMillis(2)));
        }
        List<Backend> members = new ArrayList<>();
        for (HttpBackend b : backends) {
            members.add(Backend.of(b.address().getHostAddress(), b.port()).withId(b.name()));
        }
        try (LoadBalancer pool = LoadBalancer.builder("orders").strategy(Strategy.roundRobin())
                .backends(members).build()) {
            LoadBalancedHttpClient client = LoadBalancedHttpClient.builder(HttpClient.newHttpClient())
                    .route(Route.builder("orders", pool).build())
                    .build();
            System.out.println("40 requests to http://orders/:          " + send(client, 40));
            backends.get(1).crash();
            System.out.println("b2 crashed; 40 more (retried elsewhere): " + send(client, 40));
            System.out.println("the pool's view: " + pool.stats());
            client.close();
        } finally {
            backends.forEach(HttpBackend::close);
        }
    }

    /** Sends {@code n} GETs and counts who served them ("failed" for a request that failed on every backend). */
    static Map<String, Integer> send(HttpClient client, int n) throws InterruptedException {
        Map<String, Integer> servedBy = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String who;
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://orders/api/items/" + i))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                who = r.headers().firstValue(HttpBackend.SERVED_BY).orElse("status " + r.statusCode());
            } catch (IOException e) {
                who = "failed";
            }
            servedBy.merge(who, 1, Integer::sum);
        }
        return servedBy;
    }
}
