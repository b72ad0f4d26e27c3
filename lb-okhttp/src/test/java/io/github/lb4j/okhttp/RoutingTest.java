package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.http.Route;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttp;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.Test;

/** Routing, rewriting, Host header, outcome reporting and the in-flight slot held by response bodies. */
class RoutingTest extends LbTestSupport {

    @Test
    void runsAgainstTheExpectedOkHttpVersion() {
        String expected = System.getProperty("lb4j.expectedOkHttpMajor");
        if (expected != null) {
            assertThat(OkHttp.VERSION).startsWith(expected + ".");
        }
    }

    @Test
    void spreadsRequestsEvenlyOverTheRoutesBackends() throws IOException {
        TestServer a = server("a");
        TestServer b = server("b");
        TestServer c = server("c");
        LoadBalancer orders = pool("orders", a.backend(), b.backend(), c.backend());
        OkHttpClient client = client(lb().route("orders", orders).build());

        Map<String, Integer> answers = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            answers.merge(get(client, "http://orders/items/" + i), 1, Integer::sum);
        }

        assertThat(answers).containsOnly(Map.entry("200 a", 100), Map.entry("200 b", 100), Map.entry("200 c", 100));
        assertThat(a.requests.get() + b.requests.get() + c.requests.get()).isEqualTo(300);
        assertThat(orders.stats()).allSatisfy(s -> assertThat(s.successes()).isEqualTo(100));
    }

    @Test
    void keepsPathQueryMethodHeadersAndBody() throws IOException {
        TestServer a = server("a");
        OkHttpClient client = client(lb().route("orders", pool("orders", a.backend())).build());

        Request request = new Request.Builder()
                .url("http://orders/api/items/7?color=red&q=a%20b")
                .header("X-Trace", "t-1")
                .post(RequestBody.create("{\"n\":1}", MediaType.get("application/json")))
                .build();
        try (Response response = client.newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.request().url().host()).isEqualTo("127.0.0.1");
            assertThat(response.request().url().port()).isEqualTo(a.port());
        }

        TestServer.Recorded r = a.recorded.peek();
        assertThat(r.method).isEqualTo("POST");
        assertThat(r.pathAndQuery).isEqualTo("/api/items/7?color=red&q=a%20b");
        assertThat(r.header("X-trace")).isEqualTo("t-1");
        assertThat(r.header("Content-type")).startsWith("application/json");
        assertThat(r.body).isEqualTo("{\"n\":1}");
        assertThat(r.header("Host")).isEqualTo("127.0.0.1:" + a.port());
    }

    @Test
    void preservesTheLogicalHostHeaderWhenAsked() throws IOException {
        TestServer a = server("a");
        LoadBalancer orders = pool("orders", a.backend());
        OkHttpClient client = client(lb().route(Route.builder("orders", orders).preserveHostHeader(true).build())
                .build());

        get(client, "http://orders/");
        client.newCall(new Request.Builder().url("http://orders/").header("Host", "explicit.example").build())
                .execute().close();

        assertThat(a.recorded).extracting(r -> r.header("Host")).containsExactly("orders", "explicit.example");
    }

    @Test
    void matchesRouteNamesCaseInsensitively() throws IOException {
        TestServer a = server("a");
        OkHttpClient client = client(lb().route("Orders.Internal", pool("orders", a.backend())).build());

        assertThat(get(client, "http://ORDERS.internal/x")).isEqualTo("200 a");
    }

    @Test
    void aTrailingDotNamesTheSameRouteInsteadOfBypassingThePool() throws IOException {
        TestServer a = server("a");
        OkHttpClient client = track(client(lb().route("orders", pool("orders", a.backend()))
                .rejectUnknownHosts(true).build()).newBuilder()
                .dns(host -> {
                    throw new UnknownHostException("no DNS in this test: " + host);
                })
                .build());

        // The absolute DNS name, in ASCII and as IDN mapping produces it from an ideographic full stop.
        assertThat(get(client, "http://orders./x")).isEqualTo("200 a");
        assertThat(get(client, "http://ORDERS%E3%80%82/x")).isEqualTo("200 a");
        assertThat(a.requests.get()).isEqualTo(2);
    }

    @Test
    void passesOtherHostsThroughUnlessUnknownHostsAreRejected() throws IOException {
        TestServer a = server("a");
        TestServer outside = server("outside");
        LoadBalancer orders = pool("orders", a.backend());
        OkHttpClient passing = client(lb().route("orders", orders).build());
        OkHttpClient strict = client(lb().route("orders", orders).rejectUnknownHosts(true).build());
        String url = "http://127.0.0.1:" + outside.port() + "/direct";

        assertThat(get(passing, url)).isEqualTo("200 outside");
        assertThatThrownBy(() -> get(strict, url))
                .isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("'127.0.0.1'");
        assertThat(outside.requests.get()).isEqualTo(1);
        assertThat(a.requests.get()).isZero();
    }

    @Test
    void rejectsAnExplicitPortThatContradictsTheRoute() throws IOException {
        TestServer a = server("a");
        OkHttpClient client = client(lb().route("orders", pool("orders", a.backend())).build());

        assertThatThrownBy(() -> get(client, "http://orders:8081/x"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("route 'orders' with port 8081");
        assertThat(a.requests.get()).isZero();
        // The scheme's default port is the same URL as no port at all.
        assertThat(get(client, "http://orders:80/x")).isEqualTo("200 a");
    }

    @Test
    void reportsStatusesThroughTheClassifier() throws IOException {
        TestServer a = server("a", r -> TestServer.Reply.of(Integer.parseInt(r.pathAndQuery.substring(1)), "x"));
        LoadBalancer plain = pool("plain", a.backend());
        LoadBalancer custom = pool("custom", a.backend());
        OkHttpClient client = client(lb()
                .route(route("plain", plain).build())
                .route(route("custom", custom).failureWhen(r -> r.status() == 429 || r.status() >= 500).build())
                .build());

        for (String host : new String[] {"plain", "custom"}) {
            assertThat(get(client, "http://" + host + "/200")).isEqualTo("200 x");
            assertThat(get(client, "http://" + host + "/404")).isEqualTo("404 x");
            assertThat(get(client, "http://" + host + "/429")).isEqualTo("429 x");
            assertThat(get(client, "http://" + host + "/500")).isEqualTo("500 x"); // a failure, but not retryable
        }

        assertThat(stats(plain, "a").successes()).isEqualTo(3);
        assertThat(stats(plain, "a").failures()).isEqualTo(1);
        assertThat(stats(custom, "a").successes()).isEqualTo(2);
        assertThat(stats(custom, "a").failures()).isEqualTo(2);
        assertThat(a.requests.get()).isEqualTo(8);
    }

    @Test
    void holdsTheInFlightSlotUntilTheBodyIsClosed() throws IOException {
        TestServer a = server("a", r -> TestServer.Reply.of(200, "0123456789".repeat(100)));
        LoadBalancer orders = pool("orders", Strategy.leastRequests(), a.backend());
        OkHttpClient client = client(lb().route("orders", orders).build());

        Response response = client.newCall(new Request.Builder().url("http://orders/").build()).execute();
        assertThat(stats(orders, "a").inFlight()).isEqualTo(1);
        BufferedSource source = response.body().source();
        assertThat(source.readUtf8(10)).isEqualTo("0123456789");
        assertThat(stats(orders, "a").inFlight()).as("still streaming").isEqualTo(1);
        response.close();
        response.close(); // twice: no effect
        assertThat(stats(orders, "a").inFlight()).isZero();
        assertThat(stats(orders, "a").successes()).isEqualTo(1);

        // Never read, just closed.
        client.newCall(new Request.Builder().url("http://orders/").build()).execute().close();
        // Read to the end without close: the exchange is over, so is the slot.
        Response exhausted = client.newCall(new Request.Builder().url("http://orders/").build()).execute();
        assertThat(exhausted.body().source().readUtf8()).hasSize(1000);
        assertThat(stats(orders, "a").inFlight()).isZero();
        exhausted.close();

        assertThat(stats(orders, "a").successes()).isEqualTo(3);
        assertThat(stats(orders, "a").failures()).isZero();
    }

    @Test
    void responsesWithoutABodyCompleteAtOnce() throws IOException {
        TestServer a = server("a", r -> TestServer.Reply.of(r.pathAndQuery.equals("/204") ? 204 : 200, "body"));
        LoadBalancer orders = pool("orders", a.backend());
        OkHttpClient client = client(lb().route("orders", orders).build());

        Response head = client.newCall(new Request.Builder().url("http://orders/").head().build()).execute();
        Response noContent = client.newCall(new Request.Builder().url("http://orders/204").build()).execute();
        assertThat(stats(orders, "a").inFlight()).isZero();
        assertThat(stats(orders, "a").successes()).isEqualTo(2);
        head.close();
        noContent.close();
        assertThat(stats(orders, "a").successes()).isEqualTo(2);
    }

    @Test
    void aBodyThatFailsWhileReadingCountsAsAFailure() throws Exception {
        // Promises 100 bytes, sends 5, hangs up.
        ServerSocket truncating = new ServerSocket();
        truncating.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        register(truncating);
        Thread serverThread = new Thread(() -> {
            try (Socket s = truncating.accept()) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                in.read(buf); // the request (small, one read is enough on loopback)
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException ignored) {
                // the test fails on its own if this goes wrong
            }
        });
        serverThread.setDaemon(true);
        serverThread.start();
        LoadBalancer orders = pool("orders",
                io.github.lb4j.core.Backend.of("127.0.0.1", truncating.getLocalPort()).withId("t"));
        OkHttpClient client = client(lb().route("orders", orders).build());

        try (Response response = client.newCall(new Request.Builder().url("http://orders/").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThatThrownBy(() -> response.body().string()).isInstanceOf(IOException.class);
        }
        serverThread.join(5000);

        assertThat(stats(orders, "t").failures()).isEqualTo(1);
        assertThat(stats(orders, "t").successes()).isZero();
    }

    @Test
    void theLeakCheckSeesAnOpenResponse() throws IOException {
        // Proves the after-each check is real: an unclosed response holds its connection and its slot.
        TestServer a = server("a");
        LoadBalancer orders = pool("orders", a.backend());
        OkHttpClient client = client(lb().route("orders", orders).build());

        Response open = client.newCall(new Request.Builder().url("http://orders/").build()).execute();
        assertThat(client.connectionPool().connectionCount() - client.connectionPool().idleConnectionCount())
                .isEqualTo(1);
        assertThat(stats(orders, "a").inFlight()).isEqualTo(1);
        open.close();
        assertThat(client.connectionPool().idleConnectionCount()).isEqualTo(client.connectionPool()
                .connectionCount());
        assertThat(stats(orders, "a").inFlight()).isZero();
    }
}
