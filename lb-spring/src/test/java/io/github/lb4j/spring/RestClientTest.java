package io.github.lb4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.Blackhole;
import io.github.lb4j.http.conformance.LoopbackServer;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * What is particular to the interceptor under RestClient: bodies, when outcomes are reported, the Host header; the
 * same again through the wrapped request factory ({@link RestClientWrappedFactoryTest}).
 */
class RestClientTest {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    <T extends AutoCloseable> T register(T resource) {
        resources.add(resource);
        return resource;
    }

    LoopbackServer server(String name) throws Exception {
        return register(LoopbackServer.http(name));
    }

    LoadBalancer pool(String name, io.github.lb4j.core.Backend... backends) {
        return register(Fixtures.pool(name, backends));
    }

    private RestClient client(Route... routes) {
        LoadBalancingClientHttpRequestInterceptor.Builder b = LoadBalancingClientHttpRequestInterceptor.builder();
        for (Route r : routes) {
            b.route(r);
        }
        return client(b.build());
    }

    private RestClient client(LoadBalancingClientHttpRequestInterceptor lb) {
        return client(lb, register(HttpClients.custom().disableAutomaticRetries().build()));
    }

    /** The interceptor added to a RestClient over Apache HttpClient 5; {@link RestClientWrappedFactoryTest} wraps the
     * factory instead. */
    RestClient client(LoadBalancingClientHttpRequestInterceptor lb, CloseableHttpClient http) {
        return RestClient.builder().requestFactory(new HttpComponentsClientHttpRequestFactory(http))
                .requestInterceptor(lb).build();
    }

    static Route route(String name, LoadBalancer pool) {
        return Route.builder(name, pool).backoff(Duration.ZERO, Duration.ZERO).build();
    }

    @Test
    void aPostBodyIsSentAgainAfterARefusedConnectionAndArrivesOnce() throws Exception {
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", Blackhole.refusing("refused"), good.backend());
        RestClient client = client(route("orders", orders));
        for (int i = 0; i < 4; i++) {
            String body = client.post().uri("http://orders/charges").contentType(MediaType.TEXT_PLAIN)
                    .body("charge-" + i).retrieve().body(String.class);
            assertThat(body).isEqualTo("good");
        }
        assertThat(good.recorded).extracting(r -> r.body)
                .containsExactly("charge-0", "charge-1", "charge-2", "charge-3");
        assertThat(Fixtures.stats(orders, "refused").failures()).isPositive();
        assertThat(Fixtures.inFlight(orders)).isZero();
    }

    @Test
    void aPostIsNotSentAgainAfterItMayHaveArrived() throws Exception {
        Blackhole hole = register(new Blackhole());
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", hole.backend("hole"), good.backend());
        CloseableHttpClient http = register(HttpClients.custom().disableAutomaticRetries()
                .setDefaultRequestConfig(org.apache.hc.client5.http.config.RequestConfig.custom()
                        .setResponseTimeout(org.apache.hc.core5.util.Timeout.ofMilliseconds(300)).build())
                .build());
        RestClient client = client(LoadBalancingClientHttpRequestInterceptor.builder()
                .route(route("orders", orders)).build(), http);
        // Round robin: of two calls, one starts on the blackhole, and its POST must fail rather than be re-sent.
        List<String> delivered = new ArrayList<>();
        int failed = 0;
        for (int i = 0; i < 2; i++) {
            String body = "post-" + i;
            try {
                client.post().uri("http://orders/").body(body).retrieve().toBodilessEntity();
                delivered.add(body);
            } catch (ResourceAccessException e) {
                assertThat(e).hasCauseInstanceOf(java.net.SocketTimeoutException.class);
                failed++;
            }
        }
        assertThat(failed).isEqualTo(1);
        assertThat(good.recorded).extracting(r -> r.body).containsExactlyElementsOf(delivered);
        assertThat(Fixtures.stats(orders, "hole").failures()).isEqualTo(1);
    }

    @Test
    void theOutcomeWaitsUntilTheBodyIsReadToItsEndOrTheResponseClosed() throws Exception {
        LoopbackServer a = server("a-backend");
        LoadBalancer orders = pool("orders", a.backend());
        RestClient client = client(route("orders", orders));

        ClientHttpResponse response = client.get().uri("http://orders/").exchange((req, res) -> res, false);
        assertThat(Fixtures.stats(orders, "a-backend").inFlight()).as("until the body is finished").isEqualTo(1);
        InputStream body = response.getBody();
        assertThat(body.read()).isEqualTo('a');
        assertThat(Fixtures.stats(orders, "a-backend").inFlight()).isEqualTo(1);
        assertThat(new String(body.readAllBytes())).isEqualTo("-backend");
        assertThat(Fixtures.stats(orders, "a-backend").inFlight()).as("read to its end").isZero();
        assertThat(Fixtures.stats(orders, "a-backend").successes()).isEqualTo(1);
        response.close();
        assertThat(Fixtures.stats(orders, "a-backend").successes()).as("reported once").isEqualTo(1);

        ClientHttpResponse unread = client.get().uri("http://orders/").exchange((req, res) -> res, false);
        assertThat(Fixtures.stats(orders, "a-backend").inFlight()).isEqualTo(1);
        unread.close();
        assertThat(Fixtures.stats(orders, "a-backend").inFlight()).as("closed unread").isZero();
        assertThat(Fixtures.stats(orders, "a-backend").successes()).isEqualTo(2);
    }

    @Test
    void aFailedStatusIsChargedWhenTheResponseCloses() throws Exception {
        LoopbackServer a = server("a");
        a.responder = r -> 500;
        LoadBalancer orders = pool("orders", a.backend());
        RestClient client = client(route("orders", orders));
        ClientHttpResponse response = client.get().uri("http://orders/").exchange((req, res) -> res, false);
        assertThat(response.getStatusCode().value()).isEqualTo(500);
        assertThat(Fixtures.stats(orders, "a").failures()).isZero();
        response.close();
        assertThat(Fixtures.stats(orders, "a").failures()).isEqualTo(1);
        assertThat(Fixtures.inFlight(orders)).isZero();
    }

    @Test
    void unroutedHostsPassThroughUntouched() throws Exception {
        LoopbackServer direct = server("direct");
        LoadBalancer orders = pool("orders", server("o").backend());
        RestClient client = client(route("orders", orders));
        String body = client.get().uri(URI.create("http://127.0.0.1:" + direct.port() + "/a%20b?q=%2F"))
                .header("X-Kept", "yes").retrieve().body(String.class);
        assertThat(body).isEqualTo("direct");
        LoopbackServer.Recorded seen = direct.recorded.peek();
        assertThat(seen.pathAndQuery).isEqualTo("/a%20b?q=%2F");
        assertThat(seen.header("X-kept")).isEqualTo("yes");
        assertThat(orders.stats()).allMatch(s -> s.requests() == 0);
    }

    @Test
    void pathQueryAndHeadersAreKeptAndTheHostIsTheBackendsUnlessTheRoutePreservesIt() throws Exception {
        LoopbackServer a = server("a");
        RestClient client = client(route("orders", pool("orders", a.backend())),
                Route.builder("billing", pool("billing", a.backend())).preserveHostHeader(true).build());
        client.get().uri(URI.create("http://orders/x%2Fy/z?k=a%26b#frag")).header("X-Kept", "1").retrieve()
                .toBodilessEntity();
        client.get().uri(URI.create("http://BILLING./p")).retrieve().toBodilessEntity();
        List<LoopbackServer.Recorded> seen = new ArrayList<>(a.recorded);
        assertThat(seen.get(0).pathAndQuery).isEqualTo("/x%2Fy/z?k=a%26b");
        assertThat(seen.get(0).header("X-kept")).isEqualTo("1");
        assertThat(seen.get(0).header("Host")).isEqualTo("127.0.0.1:" + a.port());
        assertThat(seen.get(1).header("Host")).as("Apache HttpClient 5 sends the preserved Host").isEqualTo("billing.");
    }

    @Test
    void aPinnedRequestContextAttributeChoosesTheBackend() throws Exception {
        LoopbackServer a = server("a");
        LoopbackServer b = server("b");
        RestClient client = client(route("orders", pool("orders", a.backend(), b.backend())));
        for (int i = 0; i < 4; i++) {
            assertThat(client.get().uri("http://orders/")
                    .attribute(LoadBalancingAttributes.REQUEST_CONTEXT, RequestContext.ofPinned("b"))
                    .retrieve().body(String.class)).isEqualTo("b");
        }
        assertThatThrownBy(() -> client.get().uri("http://orders/")
                .attribute(LoadBalancingAttributes.REQUEST_CONTEXT, "b").retrieve().body(String.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(LoadBalancingAttributes.REQUEST_CONTEXT).hasMessageContaining("java.lang.String");
    }

    @Test
    void aRoutedUrlWithAPortOrUserInfoIsRefusedWithTheReason() throws Exception {
        LoopbackServer a = server("a");
        RestClient client = client(route("orders", pool("orders", a.backend())));
        assertThatThrownBy(() -> client.get().uri("http://orders:8081/").retrieve().body(String.class))
                .isInstanceOf(ResourceAccessException.class).rootCause()
                .hasMessageContaining("route 'orders' with port 8081").hasMessageContaining("drop the port");
        assertThatThrownBy(() -> client.get().uri(URI.create("http://user:secret@orders/")).retrieve()
                .body(String.class)).isInstanceOf(ResourceAccessException.class).rootCause()
                .hasMessageContaining("route 'orders' with user info").hasMessageNotContaining("secret");
        assertThat(client.get().uri("http://orders:80/").retrieve().body(String.class))
                .as("the scheme's default port is no port of its own").isEqualTo("a");
        assertThat(a.requests.get()).isEqualTo(1);
    }

    @Test
    void unknownHostsAreRejectedWhenAsked() throws Exception {
        LoopbackServer a = server("a");
        RestClient client = client(LoadBalancingClientHttpRequestInterceptor.builder()
                .route(route("orders", pool("orders", a.backend()))).rejectUnknownHosts(true).build());
        assertThatThrownBy(() -> client.get().uri("http://127.0.0.1:" + a.port() + "/").retrieve().body(String.class))
                .isInstanceOf(ResourceAccessException.class).rootCause()
                .isInstanceOf(java.net.UnknownHostException.class).hasMessageContaining("127.0.0.1");
        assertThat(a.requests.get()).isZero();
    }
}
