package io.github.lb4j.examples;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.httpclient5.LoadBalancingAsyncExec;
import io.github.lb4j.httpclient5.LoadBalancingExec;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.io.CloseMode;

/**
 * Apache HttpClient 5 balanced by lb4j: the classic client with {@link LoadBalancingExec} and the async client with
 * {@link LoadBalancingAsyncExec}, both added first in the exec chain, sending {@code http://orders/...} to three
 * local backends; one of them is crashed half-way and the calls keep succeeding on the other two.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.examples.ApacheHttpClientExample
 * </pre>
 *
 * <pre>{@code
 * CloseableHttpClient client = HttpClients.custom()
 *         .addExecInterceptorFirst("lb4j", LoadBalancingExec.builder().route("orders", pool).build())
 *         .disableAutomaticRetries()
 *         .build();
 * }</pre>
 */
public final class ApacheHttpClientExample {

    private ApacheHttpClientExample() {
    }

    public static void main(String[] args) throws Exception {
        List<HttpBackend> backends = new ArrayList<>();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (String name : List.of("b1", "b2", "b3")) {
            backends.add(HttpBackend.start(name, loopback, Duration.ofMillis(2)));
        }
        List<Backend> members = new ArrayList<>();
        for (HttpBackend b : backends) {
            members.add(Backend.of(b.address().getHostAddress(), b.port()).withId(b.name()));
        }
        try (LoadBalancer pool = LoadBalancer.builder("orders").strategy(Strategy.leastRequests())
                .backends(members).build();
             CloseableHttpClient classic = HttpClients.custom()
                     .addExecInterceptorFirst("lb4j", LoadBalancingExec.builder().route("orders", pool).build())
                     .disableAutomaticRetries() // lb4j decides every re-send, on another backend
                     .disableRedirectHandling()
                     .build();
             CloseableHttpAsyncClient async = HttpAsyncClients.custom()
                     .addExecInterceptorFirst("lb4j", LoadBalancingAsyncExec.builder().route("orders", pool).build())
                     .disableAutomaticRetries()
                     .disableRedirectHandling()
                     .build()) {
            async.start();
            System.out.println("classic, 30 GETs:  " + classic(classic, 30));
            System.out.println("async,   30 GETs:  " + async(async, 30));
            backends.get(0).crash();
            System.out.println("b1 crashed");
            System.out.println("classic, 30 GETs:  " + classic(classic, 30));
            System.out.println("async,   30 GETs:  " + async(async, 30));
            System.out.println();
            for (BackendStats s : pool.stats()) {
                System.out.printf("%s  %-9s successes %3d  failures %d%n", s.backend().id(), s.health(),
                        s.successes(), s.failures());
            }
            async.close(CloseMode.GRACEFUL);
        } finally {
            backends.forEach(HttpBackend::close);
        }
    }

    /** Sends {@code n} GETs one after another; counts the answers by the backend that served them. */
    static Map<String, Integer> classic(CloseableHttpClient client, int n) throws Exception {
        Map<String, Integer> servedBy = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String backend = client.execute(new HttpGet("http://orders/items/" + i),
                    response -> response.getFirstHeader(HttpBackend.SERVED_BY).getValue());
            servedBy.merge(backend, 1, Integer::sum);
        }
        return servedBy;
    }

    /** Sends {@code n} GETs at once; counts the answers by the backend that served them. */
    static Map<String, Integer> async(CloseableHttpAsyncClient client, int n) throws Exception {
        List<Future<SimpleHttpResponse>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(client.execute(SimpleRequestBuilder.get("http://orders/items/" + i).build(), null));
        }
        Map<String, Integer> servedBy = new TreeMap<>();
        for (Future<SimpleHttpResponse> call : calls) {
            servedBy.merge(call.get(10, TimeUnit.SECONDS).getFirstHeader(HttpBackend.SERVED_BY).getValue(), 1,
                    Integer::sum);
        }
        return servedBy;
    }
}
