package io.github.lb4j.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.Blackhole;
import io.github.lb4j.http.conformance.LoopbackServer;
import java.io.IOException;
import java.net.CookieManager;
import java.net.ProxySelector;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What is balanced, what passes through, and what is refused. */
class JdkRoutingTest extends JdkTestSupport {

    @Test
    void routedRequestsKeepPathQueryHeadersAndMethod() throws Exception {
        LoopbackServer a = server("a");
        LoopbackServer b = server("b");
        LoadBalancer orders = pool("orders", a, b);
        LoadBalancedHttpClient client = client(route("orders", orders));
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = client.send(request("http://ORDERS./items/" + i + "?q=a%20b&x")
                    .header("X-Test", "kept").DELETE().build(), BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.uri().getHost()).isEqualTo("127.0.0.1");
        }
        assertThat(a.requests).hasValue(2);
        assertThat(b.requests).hasValue(2);
        assertThat(a.recorded).extracting(r -> r.method).containsOnly("DELETE");
        assertThat(a.recorded).extracting(r -> r.pathAndQuery).allMatch(p -> p.matches("/items/\\d\\?q=a%20b&x"));
        assertThat(a.recorded).extracting(r -> r.header("X-test")).containsOnly("kept");
        assertThat(a.recorded).extracting(r -> r.header("Host")).containsOnly("127.0.0.1:" + a.port());
    }

    @Test
    void unroutedHostsAndSettingsGoToTheWrappedClient() throws Exception {
        LoopbackServer direct = server("direct");
        LoadBalancer orders = pool("orders", server("o"));
        CookieManager cookies = new CookieManager();
        HttpClient plain = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(3))
                .followRedirects(HttpClient.Redirect.NORMAL).cookieHandler(cookies)
                .proxy(ProxySelector.of(null)).version(HttpClient.Version.HTTP_1_1).build();
        LoadBalancedHttpClient client = register(LoadBalancedHttpClient.builder(plain)
                .route("orders", orders).build());
        HttpResponse<String> r = client.send(request("http://127.0.0.1:" + direct.port() + "/p?x=1").build(),
                BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("direct");
        assertThat(direct.recorded.peek().pathAndQuery).isEqualTo("/p?x=1");
        assertThat(client.sendAsync(request("http://localhost:" + direct.port() + "/").build(),
                BodyHandlers.ofString()).get().body()).isEqualTo("direct");
        assertThat(orders.stats()).allMatch(s -> s.requests() == 0);

        assertThat(client.delegate()).isSameAs(plain);
        assertThat(client.connectTimeout()).contains(Duration.ofSeconds(3));
        assertThat(client.followRedirects()).isEqualTo(HttpClient.Redirect.NORMAL);
        assertThat(client.cookieHandler()).containsSame(cookies);
        assertThat(client.proxy()).isEqualTo(plain.proxy());
        assertThat(client.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(client.executor()).containsSame(executor);
        assertThat(client.sslContext()).isSameAs(plain.sslContext());
        assertThat(client.sslParameters().getProtocols()).isEqualTo(plain.sslParameters().getProtocols());
        assertThat(client.authenticator()).isEmpty();
        assertThat(client.newWebSocketBuilder()).isNotNull();
        assertThat(client.routes()).extracting(Route::name).containsExactly("orders");
    }

    @Test
    void unknownHostsAreRejectedWhenAsked() throws Exception {
        LoadBalancer orders = pool("orders", server("o"));
        LoadBalancedHttpClient client = register(LoadBalancedHttpClient.builder(plain())
                .route("orders", orders).rejectUnknownHosts(true).build());
        assertThatThrownBy(() -> client.send(request("http://elsewhere/").build(), BodyHandlers.ofString()))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("elsewhere")
                .hasMessageContaining("orders");
    }

    @Test
    void aRoutedUrlWithAPortOrUserInfoIsRefusedWithTheReason() throws Exception {
        LoopbackServer o = server("o");
        LoadBalancer orders = pool("orders", o);
        LoadBalancedHttpClient client = client(route("orders", orders));
        assertThatThrownBy(() -> client.send(request("http://orders:8080/").build(), BodyHandlers.ofString()))
                .isInstanceOf(IOException.class).hasMessageContaining("route 'orders' with port 8080")
                .hasMessageContaining("drop the port");
        assertThatThrownBy(() -> client.send(request("http://user:s3cret@orders/").build(),
                BodyHandlers.ofString()))
                .isInstanceOf(IOException.class).hasMessageContaining("route 'orders' with user info")
                .hasMessageNotContaining("s3cret");
        assertThat(o.requests).hasValue(0);
        assertThat(client.send(request("http://orders:80/").build(), BodyHandlers.ofString()).body())
                .as("the scheme's own port is no port").isEqualTo("o");
    }

    @Test
    void anInterruptedSendThrowsInterruptedExceptionAndIsNotRetried() throws Exception {
        Blackhole hole = register(new Blackhole());
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", hole.backend("hole"), good.backend());
        LoadBalancedHttpClient client = client(route("orders", orders));
        nextPickIs(orders, "hole");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread caller = new Thread(() -> {
            try {
                client.send(request("http://orders/").build(), BodyHandlers.ofString());
            } catch (Throwable t) {
                thrown.set(t);
            } finally {
                done.countDown();
            }
        });
        caller.start();
        assertThat(hole.awaitConnection(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        assertThat(done.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(good.requests).as("an interrupted call is not retried").hasValue(0);
        awaitNothingInFlight(orders);
    }
}
