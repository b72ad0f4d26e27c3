package io.github.lb4j.examples;

import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.spring.LoadBalancingClientHttpRequestInterceptor;
import io.github.lb4j.spring.LoadBalancingExchangeFilterFunction;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

/**
 * Spring's three HTTP clients balanced over one lb4j pool: {@code RestClient} and {@code RestTemplate} with
 * lb-spring's {@link LoadBalancingClientHttpRequestInterceptor}, {@code WebClient} with its
 * {@link LoadBalancingExchangeFilterFunction}.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.examples.SpringRestClientExample
 * </pre>
 *
 * <p>It starts three HTTP backends on 127.0.0.1, sends 30 requests through each client to {@code http://orders/...},
 * and prints which backend served how many, then the pool's own counts.
 *
 * <pre>{@code
 * RestClient restClient = RestClient.builder().requestInterceptor(lb).build();
 * WebClient webClient = WebClient.builder().filter(lbFilter).build();
 * restClient.get().uri("http://orders/api/items/7").retrieve().body(String.class);
 * }</pre>
 */
public final class SpringRestClientExample {

    private static final int CALLS = 30;

    private SpringRestClientExample() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (HttpBackend a = HttpBackend.start("orders-a", loopback, Duration.ZERO);
             HttpBackend b = HttpBackend.start("orders-b", loopback, Duration.ZERO);
             HttpBackend c = HttpBackend.start("orders-c", loopback, Duration.ZERO);
             LoadBalancer orders = LoadBalancer.builder("orders").strategy(Strategy.roundRobin())
                     .backends(List.of(a.backend(), b.backend(), c.backend())).build()) {

            LoadBalancingClientHttpRequestInterceptor lb = LoadBalancingClientHttpRequestInterceptor.builder()
                    .route("orders", orders).build();
            RestClient restClient = RestClient.builder().requestFactory(new JdkClientHttpRequestFactory())
                    .requestInterceptor(lb)                          // the last interceptor
                    .build();
            RestTemplate restTemplate = new RestTemplate(new JdkClientHttpRequestFactory());
            restTemplate.getInterceptors().add(lb);

            LoadBalancingExchangeFilterFunction lbFilter = LoadBalancingExchangeFilterFunction.builder()
                    .route("orders", orders).build();
            WebClient webClient = WebClient.builder()
                    .clientConnector(new ReactorClientHttpConnector(HttpClient.create()
                            .responseTimeout(Duration.ofSeconds(2))))
                    .filter(lbFilter)
                    .build();

            Map<String, Integer> servedBy = new TreeMap<>();
            for (int i = 0; i < CALLS; i++) {
                count(servedBy, "RestClient", restClient.get().uri("http://orders/api/items/" + i).retrieve()
                        .toBodilessEntity().getHeaders().getFirst(HttpBackend.SERVED_BY));
                count(servedBy, "RestTemplate", restTemplate.getForEntity("http://orders/api/items/" + i,
                        String.class).getHeaders().getFirst(HttpBackend.SERVED_BY));
            }
            List<String> reactive = Flux.range(0, CALLS)
                    .flatMap(i -> webClient.get().uri("http://orders/api/items/" + i).retrieve().toBodilessEntity()
                            .map(e -> e.getHeaders().getFirst(HttpBackend.SERVED_BY)))
                    .collectList().block(Duration.ofSeconds(30));
            reactive.forEach(name -> count(servedBy, "WebClient", name));

            System.out.println("served by (client / backend: calls)");
            servedBy.forEach((k, v) -> System.out.printf("  %-26s %3d%n", k, v));
            System.out.println("the pool's view");
            for (BackendStats s : orders.stats()) {
                System.out.printf("  %-9s requests=%d successes=%d failures=%d inFlight=%d%n", s.backend().id(),
                        s.requests(), s.successes(), s.failures(), s.inFlight());
            }
        }
    }

    private static void count(Map<String, Integer> servedBy, String client, String backend) {
        servedBy.merge(client + " / " + backend, 1, Integer::sum);
    }
}
