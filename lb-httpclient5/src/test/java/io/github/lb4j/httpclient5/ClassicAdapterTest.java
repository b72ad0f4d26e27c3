package io.github.lb4j.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.http.Idempotency;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.Blackhole;
import io.github.lb4j.http.conformance.LoopbackServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What is particular to the classic client: entities, when outcomes are reported, its connection pool. */
class ClassicAdapterTest {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private LoopbackServer server(String name) throws IOException {
        return track(LoopbackServer.http(name));
    }

    private LoadBalancer pool(Backend... backends) {
        LoadBalancer pool = LoadBalancer.builder("orders").strategy(Strategy.roundRobin()).random(new Random(1))
                .backends(List.of(backends)).build();
        track(pool::close);
        return pool;
    }

    private static Route route(LoadBalancer pool) {
        return Route.builder("orders", pool).backoff(Duration.ZERO, Duration.ZERO).build();
    }

    private CloseableHttpClient client(PoolingHttpClientConnectionManager connections, Route route) {
        CloseableHttpClient client = HttpClients.custom().setConnectionManager(connections)
                .addExecInterceptorFirst("lb4j", LoadBalancingExec.builder().route(route).build())
                .disableAutomaticRetries().disableRedirectHandling().build();
        track(() -> client.close(CloseMode.IMMEDIATE));
        return client;
    }

    private CloseableHttpClient client(Route route, Duration readTimeout) {
        return client(PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(2))
                        .setSocketTimeout(Timeout.of(readTimeout)).build()).build(), route);
    }

    private static InputStreamEntity oneShot(String body) {
        return new InputStreamEntity(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
                ContentType.TEXT_PLAIN);
    }

    private static HttpClientContext idempotent() {
        HttpClientContext context = HttpClientContext.create();
        context.setAttribute(Idempotency.class.getName(), Idempotency.IDEMPOTENT);
        return context;
    }

    private static BackendStats stats(LoadBalancer pool, String id) {
        return pool.stats().stream().filter(s -> s.backend().id().equals(id)).findFirst().orElseThrow();
    }

    /** Makes a two-backend round-robin pool's next pick {@code id}; probes are closed without an outcome. */
    static void nextPickIs(LoadBalancer pool, String id) {
        String picked;
        do {
            try (Selection s = pool.select()) {
                picked = s.backend().id();
            }
        } while (picked.equals(id));
    }

    private static String read(ClassicHttpResponse response) throws IOException {
        try {
            return EntityUtils.toString(response.getEntity());
        } catch (org.apache.hc.core5.http.ParseException e) {
            throw new IOException(e);
        }
    }

    @Test
    void aStringEntityAndAnUnreadStreamAreSentToTheNextBackendWhenTheFirstRefuses() throws Exception {
        LoopbackServer good = server("good");
        LoadBalancer pool = pool(Blackhole.refusing("refused"), good.backend());
        CloseableHttpClient client = client(route(pool), Duration.ofSeconds(20));
        for (int i = 0; i < 3; i++) {
            HttpPost repeatable = new HttpPost("http://orders/");
            repeatable.setEntity(new StringEntity("string-" + i, ContentType.TEXT_PLAIN));
            assertThat(client.execute(repeatable, ClassicAdapterTest::read)).isEqualTo("good");
            HttpPost stream = new HttpPost("http://orders/");
            stream.setEntity(oneShot("stream-" + i)); // refused before a byte was written: still whole
            assertThat(client.execute(stream, ClassicAdapterTest::read)).isEqualTo("good");
        }
        assertThat(good.recorded).extracting(r -> r.body).containsExactlyInAnyOrder(
                "string-0", "stream-0", "string-1", "stream-1", "string-2", "stream-2");
        assertThat(stats(pool, "refused").failures()).isPositive();
    }

    @Test
    void aStreamEntityIsNeverSentTwiceOnceWrittenEvenWhenTheRequestIsIdempotent() throws Exception {
        LoopbackServer busy = server("busy");
        busy.responder = r -> 503;
        LoopbackServer ok = server("ok");
        LoadBalancer pool = pool(busy.backend(), ok.backend());
        CloseableHttpClient client = client(route(pool), Duration.ofSeconds(20));

        nextPickIs(pool, "busy");
        HttpPost stream = new HttpPost("http://orders/");
        stream.setEntity(oneShot("once"));
        assertThat(client.execute(stream, idempotent(), ClassicHttpResponse::getCode)).isEqualTo(503);
        HttpPost string = new HttpPost("http://orders/");
        string.setEntity(new StringEntity("twice", ContentType.TEXT_PLAIN));
        nextPickIs(pool, "busy"); // the repeatable entity may be replayed on ok
        assertThat(client.execute(string, idempotent(), ClassicHttpResponse::getCode)).isEqualTo(200);

        assertThat(busy.recorded).extracting(r -> r.body).containsExactly("once", "twice");
        assertThat(ok.recorded).extracting(r -> r.body).containsExactly("twice");
    }

    @Test
    void aStreamEntityWrittenToAHungBackendFailsInsteadOfBeingResent() throws Exception {
        Blackhole hole = track(new Blackhole());
        LoopbackServer good = server("good");
        LoadBalancer pool = pool(hole.backend("hole"), good.backend());
        CloseableHttpClient client = client(route(pool), Duration.ofMillis(300));
        nextPickIs(pool, "hole");
        HttpPost stream = new HttpPost("http://orders/");
        stream.setEntity(oneShot("hung"));
        assertThatThrownBy(() -> client.execute(stream, idempotent(), ClassicHttpResponse::getCode))
                .isInstanceOf(SocketTimeoutException.class);
        assertThat(good.recorded).isEmpty();
        assertThat(stats(pool, "hole").failures()).isEqualTo(1);
    }

    @Test
    void theOutcomeWaitsUntilTheEntityIsConsumedOrTheResponseClosed() throws Exception {
        LoopbackServer a = server("a");
        LoadBalancer pool = pool(a.backend());
        CloseableHttpClient client = client(route(pool), Duration.ofSeconds(20));

        ClassicHttpResponse unread = client.executeOpen(null, new HttpGet("http://orders/"), null);
        assertThat(stats(pool, "a").inFlight()).isEqualTo(1);
        assertThat(stats(pool, "a").successes()).isZero();
        unread.close();
        assertThat(stats(pool, "a").inFlight()).isZero();
        assertThat(stats(pool, "a").successes()).isEqualTo(1);
        unread.close(); // a second close reports nothing more
        assertThat(stats(pool, "a").successes()).isEqualTo(1);

        ClassicHttpResponse consumed = client.executeOpen(null, new HttpGet("http://orders/"), null);
        assertThat(stats(pool, "a").inFlight()).isEqualTo(1);
        try (InputStream in = consumed.getEntity().getContent()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a");
            assertThat(stats(pool, "a").inFlight()).as("reported at the end of the body, before close").isZero();
        }
        consumed.close();
        assertThat(stats(pool, "a").successes()).isEqualTo(2);

        a.responder = r -> 500;
        ClassicHttpResponse failed = client.executeOpen(null, new HttpGet("http://orders/"), null);
        assertThat(failed.getCode()).isEqualTo(500);
        assertThat(stats(pool, "a").inFlight()).isEqualTo(1);
        EntityUtils.consume(failed.getEntity());
        assertThat(stats(pool, "a").inFlight()).isZero();
        assertThat(stats(pool, "a").failures()).isEqualTo(1);
        failed.close();
    }

    @Test
    void eachBackendGetsItsOwnPooledConnectionAndReusesIt() throws Exception {
        LoopbackServer a = server("a");
        LoopbackServer b = server("b");
        LoadBalancer pool = pool(a.backend(), b.backend());
        PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create().build();
        CloseableHttpClient client = client(connections, route(pool));
        Set<String> localEndpoints = new HashSet<>();
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            HttpClientContext context = HttpClientContext.create();
            answers.add(client.execute(new HttpGet("http://orders/"), context, ClassicAdapterTest::read));
            localEndpoints.add(context.getEndpointDetails().getRemoteAddress() + " from "
                    + context.getEndpointDetails().getLocalAddress());
        }
        assertThat(answers).containsOnly("a", "b").filteredOn("a"::equals).hasSize(5);
        assertThat(localEndpoints).as("one connection per backend, each reused").hasSize(2);
        Set<HttpRoute> routes = connections.getRoutes();
        assertThat(routes).extracting(r -> r.getTargetHost().getPort())
                .containsExactlyInAnyOrder(a.port(), b.port());
        for (HttpRoute r : routes) {
            assertThat(connections.getStats(r).getAvailable()).as("idle in the pool: %s", r).isEqualTo(1);
            assertThat(connections.getStats(r).getLeased()).isZero();
        }
    }

    @Test
    void otherHostsPassThroughAndUnknownOnesCanBeRejected() throws Exception {
        LoopbackServer direct = server("direct");
        LoadBalancer pool = pool(server("a").backend());
        CloseableHttpClient client = client(route(pool), Duration.ofSeconds(20));
        assertThat(client.execute(new HttpGet("http://127.0.0.1:" + direct.port() + "/x?y=1"),
                ClassicAdapterTest::read)).isEqualTo("direct");
        assertThat(direct.recorded.peek().pathAndQuery).isEqualTo("/x?y=1");
        assertThat(pool.stats()).allMatch(s -> s.successes() == 0 && s.inFlight() == 0);

        CloseableHttpClient strict = HttpClients.custom().addExecInterceptorFirst("lb4j",
                LoadBalancingExec.builder().route(route(pool)).rejectUnknownHosts(true).build()).build();
        track(strict);
        assertThatThrownBy(() -> strict.execute(new HttpGet("http://127.0.0.1:" + direct.port() + "/"),
                ClassicHttpResponse::getCode)).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("'127.0.0.1'").hasMessageContaining("[orders]");
    }

    @Test
    void aRoutedUrlWithAPortOrUserInfoIsRefusedWithTheReason() throws Exception {
        LoopbackServer a = server("a");
        LoadBalancer pool = pool(a.backend());
        CloseableHttpClient client = client(route(pool), Duration.ofSeconds(20));
        assertThatThrownBy(() -> client.execute(new HttpGet("http://orders:8080/"), ClassicHttpResponse::getCode))
                .isInstanceOf(IOException.class)
                .hasMessage("the URL names route 'orders' with port 8080; a route's backends bring their own "
                        + "ports, so drop the port from the URL");
        assertThatThrownBy(() -> client.execute(new HttpGet("http://user:secret@orders/"),
                ClassicHttpResponse::getCode)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("the URL names route 'orders' with user info")
                .hasMessageNotContaining("secret");
        assertThat(client.execute(new HttpGet("http://ORDERS:80/"), ClassicAdapterTest::read))
                .as("the scheme's default port and upper case are the same route").isEqualTo("a");
        assertThat(a.requests.get()).isEqualTo(1);
    }

    @Test
    void theHostHeaderIsTheBackendsUnlessTheRoutePreservesIt() throws Exception {
        LoopbackServer a = server("a");
        LoadBalancer pool = pool(a.backend());
        CloseableHttpClient plain = client(route(pool), Duration.ofSeconds(20));
        plain.execute(new HttpGet("http://orders/"), ClassicAdapterTest::read);
        CloseableHttpClient preserving = client(PoolingHttpClientConnectionManagerBuilder.create().build(),
                Route.builder("orders", pool).preserveHostHeader(true).build());
        preserving.execute(new HttpGet("http://orders/"), ClassicAdapterTest::read);
        assertThat(a.recorded).extracting(r -> r.header("Host"))
                .containsExactly("127.0.0.1:" + a.port(), "orders");
    }

    @Test
    void builderValidation() {
        LoadBalancer pool = pool();
        assertThatThrownBy(() -> LoadBalancingExec.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no route configured");
        assertThatThrownBy(() -> LoadBalancingExec.builder().route((Route) null))
                .isInstanceOf(NullPointerException.class).hasMessage("route");
        assertThatThrownBy(() -> LoadBalancingExec.builder().route("orders", pool).route("Orders", pool))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route 'orders' is already configured (to pool 'orders')");
        assertThatThrownBy(() -> LoadBalancingExec.builder().route("bad_name", pool))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("got 'bad_name'");
        assertThatThrownBy(() -> LoadBalancingExec.builder().ticker(null))
                .isInstanceOf(NullPointerException.class).hasMessage("ticker");
        assertThatThrownBy(() -> LoadBalancingExec.builder().random(null))
                .isInstanceOf(NullPointerException.class).hasMessage("random");
        assertThatThrownBy(() -> LoadBalancingAsyncExec.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no route configured");
        assertThatThrownBy(() -> LoadBalancingAsyncExec.builder().route("orders", pool).route("ORDERS", pool))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route 'orders' is already configured (to pool 'orders')");
        assertThatThrownBy(() -> LoadBalancingAsyncExec.builder().ticker(null))
                .isInstanceOf(NullPointerException.class).hasMessage("ticker");
        assertThat(LoadBalancingExec.builder().route("orders", pool).build()).hasToString("LoadBalancingExec[orders]");
    }
}
