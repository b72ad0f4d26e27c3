package io.github.lb4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.ActiveHealthCheck;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.OutlierDetection;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import io.github.lb4j.okhttp.OkHttpHealthChecker;
import io.github.lb4j.http.Route;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Credentials stay within the route a request named: {@code Authorization} and cookies reach only that route's
 * backends (retries included), and active health checks never carry them. Asserted on what each server received.
 */
class CredentialsTest extends ItSupport {

    private static final String ORDERS_TOKEN = "Bearer orders-token-6f1c2e";
    private static final String BILLING_TOKEN = "Bearer billing-token-93ab07";
    private static final String ORDERS_COOKIE = "session=orders-cookie-51d9";
    private static final String BILLING_COOKIE = "session=billing-cookie-a4e0";
    private static final String APP_WIDE_TOKEN = "Bearer app-wide-token-77c3";

    /** A cookie jar as browsers keep one: cookies by domain and path (RFC 6265: not by port). */
    static final class MemoryCookieJar implements CookieJar {
        final List<Cookie> cookies = new CopyOnWriteArrayList<>();

        @Override
        public void saveFromResponse(HttpUrl url, List<Cookie> received) {
            for (Cookie c : received) {
                cookies.removeIf(old -> old.name().equals(c.name()) && old.domain().equals(c.domain())
                        && old.path().equals(c.path()));
                cookies.add(c);
            }
        }

        @Override
        public List<Cookie> loadForRequest(HttpUrl url) {
            return cookies.stream().filter(c -> c.matches(url)).collect(Collectors.toList());
        }
    }

    /** Every 3rd request to {@code server} answers 503, so that calls are retried on the route's other backend. */
    private static void failEveryThird(LoopbackServer server) {
        AtomicInteger n = new AtomicInteger();
        server.responder = r -> r.target().startsWith("/health") || n.incrementAndGet() % 3 != 0
                ? LoopbackServer.Reply.of(200, server.name) : LoopbackServer.Reply.of(503, "busy");
    }

    private static void assertCarriesOnly(LoopbackServer server, List<String> own, List<String> foreign) {
        List<LoopbackServer.Recorded> app = server.recorded.stream()
                .filter(r -> !r.target().startsWith("/health")).collect(Collectors.toList());
        assertThat(app).as("application requests %s received", server.name).isNotEmpty();
        for (LoopbackServer.Recorded r : app) {
            for (String secret : own) {
                assertThat(r.everything()).as("%s's request %s", server.name, r.target()).contains(secret);
            }
            for (String secret : foreign) {
                assertThat(r.everything()).as("%s's request %s", server.name, r.target()).doesNotContain(secret);
            }
        }
    }

    @Test
    void authorizationAndCookiesReachOnlyTheNamedRoutesBackendsAndNeverHealthChecks() throws Exception {
        LoopbackServer o1 = recordingServer("o1");
        LoopbackServer o2 = recordingServer("o2");
        LoopbackServer b1 = recordingServer("b1");
        LoopbackServer b2 = recordingServer("b2");
        failEveryThird(o1);
        failEveryThird(b1);
        // The application's client: an interceptor adds an app-wide token to every request it sends; the health
        // checker is built from this very client and must drop it.
        OkHttpClient base = track(new OkHttpClient.Builder()
                .addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                        .header("X-App-Token", APP_WIDE_TOKEN).build()))
                .build());
        OkHttpHealthChecker checker = OkHttpHealthChecker.builder(base).path("/health").build();
        ActiveHealthCheck checks = ActiveHealthCheck.builder(checker).interval(Duration.ofMillis(50)).build();
        LoadBalancer orders = track(LoadBalancer.builder("orders").backends(List.of(o1.backend(), o2.backend()))
                .healthCheck(checks).outlierDetection(OutlierDetection.disabled()).build());
        LoadBalancer billing = track(LoadBalancer.builder("billing").backends(List.of(b1.backend(), b2.backend()))
                .healthCheck(checks).outlierDetection(OutlierDetection.disabled()).build());
        LoadBalancingInterceptor lb = LoadBalancingInterceptor.builder()
                .route(Route.builder("orders", orders).backoff(Duration.ZERO, Duration.ZERO)
                        .retryBudget(1.0, 1000).build())
                .route(Route.builder("billing", billing).backoff(Duration.ZERO, Duration.ZERO)
                        .retryBudget(1.0, 1000).build())
                .build();
        OkHttpClient.Builder withLb = base.newBuilder();
        withLb.interceptors().add(0, lb); // the balancer first, so the app-wide interceptor sees each attempt
        OkHttpClient client = track(withLb.build());

        List<Thread> threads = new ArrayList<>();
        List<Throwable> trouble = new CopyOnWriteArrayList<>();
        AtomicInteger ok = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        boolean toOrders = i % 2 == 0;
                        Request.Builder r = new Request.Builder()
                                .url(toOrders ? "http://orders/api/items" : "http://billing/api/invoices")
                                .header("Authorization", toOrders ? ORDERS_TOKEN : BILLING_TOKEN)
                                .header("Cookie", toOrders ? ORDERS_COOKIE : BILLING_COOKIE);
                        try (Response response = client.newCall(r.build()).execute()) {
                            assertThat(response.code()).isEqualTo(200);
                            ok.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    trouble.add(e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        Waits.until("two health checks of every backend", Duration.ofSeconds(10), () ->
                List.of(o1, o2, b1, b2).stream().allMatch(s -> s.recorded.stream()
                        .filter(r -> r.target().equals("/health")).count() >= 2));

        assertThat(trouble).isEmpty();
        assertThat(ok.get()).isEqualTo(400);
        List<String> ordersSecrets = List.of(ORDERS_TOKEN, ORDERS_COOKIE, APP_WIDE_TOKEN);
        List<String> billingSecrets = List.of(BILLING_TOKEN, BILLING_COOKIE, APP_WIDE_TOKEN);
        assertCarriesOnly(o1, ordersSecrets, List.of(BILLING_TOKEN, BILLING_COOKIE));
        assertCarriesOnly(o2, ordersSecrets, List.of(BILLING_TOKEN, BILLING_COOKIE));
        assertCarriesOnly(b1, billingSecrets, List.of(ORDERS_TOKEN, ORDERS_COOKIE));
        assertCarriesOnly(b2, billingSecrets, List.of(ORDERS_TOKEN, ORDERS_COOKIE));
        // Retries happened, and stayed within the route.
        assertThat(o1.recorded.stream().filter(r -> !r.target().startsWith("/health")).count()
                + o2.recorded.stream().filter(r -> !r.target().startsWith("/health")).count())
                .as("orders attempts").isGreaterThan(200);
        for (LoopbackServer s : List.of(o1, o2, b1, b2)) {
            List<LoopbackServer.Recorded> healthChecks = s.recorded.stream()
                    .filter(r -> r.target().equals("/health")).collect(Collectors.toList());
            assertThat(healthChecks).as("health checks of %s", s.name).isNotEmpty().allSatisfy(r -> {
                assertThat(r.headers().keySet()).doesNotContain("authorization", "cookie", "x-app-token");
                for (String secret : List.of(ORDERS_TOKEN, BILLING_TOKEN, ORDERS_COOKIE, BILLING_COOKIE,
                        APP_WIDE_TOKEN)) {
                    assertThat(r.everything()).doesNotContain(secret);
                }
            });
        }
        assertNothingInFlight(orders);
        assertNothingInFlight(billing);
        assertNoLeakedConnection(client);
    }

    @Test
    void jarCookiesFollowTheBackendAddressSoRoutesOnDistinctHostsNeverShareThem() throws Exception {
        // A cookie jar sees the rewritten URL (the backend's address), not the route name: cookies are scoped to
        // backend hosts. Routes whose backends live on different hosts never see each other's cookies.
        LoopbackServer o1 = recordingServer("o1");
        LoopbackServer o2 = recordingServer("o2");
        LoopbackServer b1 = register(LoopbackServer.recording("b1", "127.0.0.2"));
        for (LoopbackServer s : List.of(o1, o2)) {
            s.responder = r -> new LoopbackServer.Reply(200, s.name,
                    Map.of("Set-Cookie", "osid=orders-jar-" + s.name + "; Path=/"));
        }
        b1.responder = r -> new LoopbackServer.Reply(200, "b1", Map.of("Set-Cookie", "bsid=billing-jar; Path=/"));
        LoadBalancer orders = track(LoadBalancer.builder("orders").backends(List.of(o1.backend(), o2.backend()))
                .build());
        LoadBalancer billing = track(LoadBalancer.builder("billing").backends(List.of(b1.backend())).build());
        MemoryCookieJar jar = new MemoryCookieJar();
        OkHttpClient client = track(new OkHttpClient.Builder()
                .addInterceptor(LoadBalancingInterceptor.builder().route("orders", orders).route("billing", billing)
                        .build())
                .cookieJar(jar)
                .build());

        for (int i = 0; i < 20; i++) {
            try (Response r = client.newCall(new Request.Builder()
                    .url(i % 2 == 0 ? "http://orders/x" : "http://billing/y").build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
            }
        }

        assertThat(jar.cookies).extracting(Cookie::name).contains("osid", "bsid");
        assertThat(b1.recorded).allSatisfy(r -> assertThat(r.everything()).doesNotContain("orders-jar"));
        for (LoopbackServer s : List.of(o1, o2)) {
            assertThat(s.recorded).allSatisfy(r -> assertThat(r.everything()).doesNotContain("billing-jar"));
        }
        // The other side of address scoping: o1 and o2 share 127.0.0.1, so they share each other's cookie.
        assertThat(o2.recorded.stream().anyMatch(r -> r.everything().contains("orders-jar-o1"))
                || o1.recorded.stream().anyMatch(r -> r.everything().contains("orders-jar-o2"))).isTrue();
        assertNothingInFlight(orders);
        assertNoLeakedConnection(client);
    }

    @Test
    void withRedirectsOffABackendsRedirectTakesNoCredentialsElsewhere() throws Exception {
        // OkHttp follows redirects below the application interceptors, so a followed redirect never goes through
        // the balancer: see docs/RELIABILITY.md. With followRedirects(false) the 302 comes back to the caller.
        LoopbackServer o1 = recordingServer("o1");
        LoopbackServer elsewhere = register(LoopbackServer.recording("elsewhere", "127.0.0.2"));
        o1.responder = r -> new LoopbackServer.Reply(302, "",
                Map.of("Location", r.target().equals("/to-route") ? "http://billing/landing"
                        : elsewhere.origin() + "/landing"));
        LoadBalancer orders = track(LoadBalancer.builder("orders").backends(List.of(o1.backend())).build());
        LoadBalancer billing = track(LoadBalancer.builder("billing").backends(List.of(elsewhere.backend()))
                .build());
        List<String> lookups = new CopyOnWriteArrayList<>();
        OkHttpClient client = track(new OkHttpClient.Builder()
                .addInterceptor(LoadBalancingInterceptor.builder().route("orders", orders).route("billing", billing)
                        .build())
                .followRedirects(false)
                .dns(host -> {
                    lookups.add(host);
                    throw new UnknownHostException("no DNS in this test: " + host);
                })
                .build());

        for (String path : List.of("/to-address", "/to-route")) {
            try (Response r = client.newCall(new Request.Builder().url("http://orders" + path)
                    .header("Authorization", ORDERS_TOKEN).header("Cookie", ORDERS_COOKIE).build()).execute()) {
                assertThat(r.code()).isEqualTo(302);
            }
        }

        assertThat(o1.recorded).extracting(LoopbackServer.Recorded::target).containsExactly("/to-address",
                "/to-route");
        assertThat(elsewhere.recorded).isEmpty();
        assertThat(lookups).isEmpty();
        assertNothingInFlight(orders);
        assertNoLeakedConnection(client);
    }
}
