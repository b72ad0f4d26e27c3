package io.github.lb4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.Blackhole;
import io.github.lb4j.http.conformance.LoopbackServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/** What is particular to the filter under WebClient: cancellation, re-sent bodies, threads, body-bound outcomes. */
class WebClientTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> resources = new ArrayList<>();
    /** One event-loop thread: a filter that blocked on it would stall every call of the test. */
    private final LoopResources loop = LoopResources.create("lb4j-loop", 1, true);
    private final ConnectionProvider connections = ConnectionProvider.create("lb4j-web-test", 20);

    @AfterEach
    void close() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable r : resources) {
            r.close();
        }
        connections.disposeLater().block(WAIT);
        loop.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(WAIT);
    }

    private <T extends AutoCloseable> T register(T resource) {
        resources.add(resource);
        return resource;
    }

    private LoopbackServer server(String name) throws Exception {
        return register(LoopbackServer.http(name));
    }

    private LoadBalancer pool(String name, io.github.lb4j.core.Backend... backends) {
        return register(Fixtures.pool(name, backends));
    }

    private WebClient client(ExchangeFilterFunction... filters) {
        HttpClient http = HttpClient.create(connections).runOn(loop).responseTimeout(WAIT);
        WebClient.Builder b = WebClient.builder().clientConnector(new ReactorClientHttpConnector(http));
        for (ExchangeFilterFunction f : filters) {
            b.filter(f);
        }
        return b.build();
    }

    private static LoadBalancingExchangeFilterFunction lb(Route... routes) {
        LoadBalancingExchangeFilterFunction.Builder b = LoadBalancingExchangeFilterFunction.builder();
        for (Route r : routes) {
            b.route(r);
        }
        return b.build();
    }

    private static Route route(String name, LoadBalancer pool) {
        return Route.builder(name, pool).backoff(Duration.ZERO, Duration.ZERO).build();
    }

    @Test
    void disposingTheSubscriptionMidCallReleasesTheBackendWithoutChargingIt() throws Exception {
        Blackhole hole = register(new Blackhole());
        LoadBalancer orders = pool("orders", hole.backend("hole"));
        WebClient client = client(lb(route("orders", orders)));
        Disposable call = client.get().uri("http://orders/").retrieve().bodyToMono(String.class).subscribe();
        assertThat(hole.awaitConnection(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Fixtures.stats(orders, "hole").inFlight()).isEqualTo(1);
        call.dispose();
        Fixtures.awaitNothingInFlight(orders);
        assertThat(Fixtures.stats(orders, "hole").failures()).as("the caller went away").isZero();
        assertThat(Fixtures.stats(orders, "hole").successes()).isZero();
    }

    @Test
    void aTimeoutOperatorCancelsTheAttemptToo() throws Exception {
        Blackhole hole = register(new Blackhole());
        LoadBalancer orders = pool("orders", hole.backend("hole"));
        WebClient client = client(lb(route("orders", orders)));
        assertThatThrownBy(() -> client.get().uri("http://orders/").retrieve().bodyToMono(String.class)
                .timeout(Duration.ofMillis(200)).block(WAIT))
                .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        Fixtures.awaitNothingInFlight(orders);
        assertThat(Fixtures.stats(orders, "hole").failures()).isZero();
    }

    @Test
    void aPutWithAFromValueBodyIsRetriedOnA503WithTheSameBody() throws Exception {
        LoopbackServer busy = server("busy");
        busy.responder = r -> 503;
        LoopbackServer ok = server("ok");
        LoadBalancer orders = pool("orders", busy.backend(), ok.backend());
        WebClient client = client(lb(route("orders", orders)));
        for (int i = 0; i < 4; i++) {
            String body = client.put().uri("http://orders/items/" + i).body(BodyInserters.fromValue("item-" + i))
                    .retrieve().bodyToMono(String.class).block(WAIT);
            assertThat(body).isEqualTo("ok");
        }
        assertThat(ok.recorded).extracting(r -> r.body).containsExactly("item-0", "item-1", "item-2", "item-3");
        assertThat(busy.recorded).as("the 503s got the body too").allMatch(r -> r.body.startsWith("item-"))
                .isNotEmpty();
        Fixtures.awaitNothingInFlight(orders);
    }

    @Test
    void aPostIsSentAgainAfterARefusedConnectionButNotAfterA503() throws Exception {
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", Blackhole.refusing("refused"), good.backend());
        WebClient client = client(lb(route("orders", orders)));
        for (int i = 0; i < 4; i++) {
            assertThat(client.post().uri("http://orders/").bodyValue("post-" + i).retrieve()
                    .bodyToMono(String.class).block(WAIT)).isEqualTo("good");
        }
        assertThat(good.recorded).extracting(r -> r.body).containsExactly("post-0", "post-1", "post-2", "post-3");
        assertThat(Fixtures.stats(orders, "refused").failures()).isPositive();
    }

    @Test
    void lb4jRunsOnTheEventLoopForRetriesAndNeverBlocksIt() throws Exception {
        LoopbackServer busy = server("busy");
        busy.responder = r -> 503;
        LoopbackServer ok = server("ok");
        LoadBalancer orders = pool("orders", busy.backend(), ok.backend());
        // Registered after the balancer: runs once per attempt, on the thread the engine starts the attempt on.
        Queue<String> attemptThreads = new ConcurrentLinkedQueue<>();
        Queue<Boolean> nonBlocking = new ConcurrentLinkedQueue<>();
        ExchangeFilterFunction probe = (request, next) -> {
            attemptThreads.add(Thread.currentThread().getName());
            nonBlocking.add(Schedulers.isInNonBlockingThread());
            return next.exchange(request);
        };
        WebClient client = client(lb(route("orders", orders)), probe);
        // 20 concurrent calls, half of them retried, all over one event-loop thread: a filter that waited on
        // that thread for an answer the same thread must read would never complete.
        List<String> bodies = Flux.range(0, 20)
                .flatMap(i -> client.get().uri("http://orders/" + i).retrieve().bodyToMono(String.class))
                .collectList().block(WAIT);
        assertThat(bodies).hasSize(20).containsOnly("ok");
        assertThat(attemptThreads).hasSizeGreaterThan(20);
        List<String> retriesOnLoop = attemptThreads.stream().filter(t -> t.startsWith("lb4j-loop")).toList();
        assertThat(retriesOnLoop).as("retries start on the event loop that saw the 503").isNotEmpty();
        assertThat(nonBlocking).filteredOn(b -> b).hasSameSizeAs(retriesOnLoop);
        Fixtures.awaitNothingInFlight(orders);
    }

    @Test
    void theOutcomeWaitsForTheBody() throws Exception {
        LoopbackServer a = server("a");
        LoadBalancer orders = pool("orders", a.backend());
        WebClient client = client(lb(route("orders", orders)));
        AtomicInteger inFlightBeforeBody = new AtomicInteger(-1);
        String body = client.get().uri("http://orders/").exchangeToMono(response -> {
            inFlightBeforeBody.set(Fixtures.stats(orders, "a").inFlight());
            return response.bodyToMono(String.class);
        }).block(WAIT);
        assertThat(body).isEqualTo("a");
        assertThat(inFlightBeforeBody).hasValue(1);
        assertThat(Fixtures.inFlight(orders)).as("released before the body's end reaches the caller").isZero();
        assertThat(Fixtures.stats(orders, "a").successes()).isEqualTo(1);

        a.responder = r -> 500;
        client.get().uri("http://orders/").exchangeToMono(response -> response.releaseBody()).block(WAIT);
        Fixtures.awaitNothingInFlight(orders);
        assertThat(Fixtures.stats(orders, "a").failures()).as("released unread: the 500 is charged").isEqualTo(1);
    }

    @Test
    void unroutedHostsPassThroughAndRoutedUrlsWithAPortAreRefused() throws Exception {
        LoopbackServer direct = server("direct");
        LoadBalancer orders = pool("orders", server("o").backend());
        WebClient client = client(lb(route("orders", orders)));
        assertThat(client.get().uri(URI.create("http://127.0.0.1:" + direct.port() + "/a%20b?q=%2F")).retrieve()
                .bodyToMono(String.class).block(WAIT)).isEqualTo("direct");
        assertThat(direct.recorded.peek().pathAndQuery).isEqualTo("/a%20b?q=%2F");
        assertThat(orders.stats()).allMatch(s -> s.requests() == 0);
        assertThatThrownBy(() -> client.get().uri("http://orders:8081/").retrieve().bodyToMono(String.class)
                .block(WAIT)).rootCause().isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("route 'orders' with port 8081");
    }

    @Test
    void aPreservedHostHeaderReachesTheBackend() throws Exception {
        LoopbackServer a = server("a");
        WebClient client = client(lb(Route.builder("orders", pool("orders", a.backend())).preserveHostHeader(true)
                .build()));
        client.get().uri("http://orders/").retrieve().toBodilessEntity().block(WAIT);
        assertThat(a.recorded.peek().header("Host")).isEqualTo("orders");
    }

}
