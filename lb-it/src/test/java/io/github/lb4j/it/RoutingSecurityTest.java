package io.github.lb4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * A request can only reach a backend of the pool its URL names: crafted URLs (userinfo, odd and explicit ports,
 * percent-encoded and IDN hosts, a trailing dot, upper case, authority tricks) either reach the pool of the route
 * that OkHttp's own URL parser sees as the host, or fail before any server is contacted, or (hosts that name no
 * route) leave the balancer for the client's DNS like any other URL. Asserted on which server received what, and
 * on which names were looked up in DNS.
 */
class RoutingSecurityTest extends ItSupport {

    private enum Outcome { ORDERS, BILLING, REJECTED, INVALID, DNS }

    private record Case(String url, Outcome outcome, String dnsName) {
        static Case of(String url, Outcome outcome) {
            return new Case(url, outcome, null);
        }

        static Case dns(String url, String name) {
            return new Case(url, Outcome.DNS, name);
        }
    }

    private LoopbackServer o1;
    private LoopbackServer o2;
    private LoopbackServer b1;
    private final List<String> lookups = new CopyOnWriteArrayList<>();

    private OkHttpClient client(boolean rejectUnknownHosts) throws IOException {
        if (o1 == null) {
            o1 = recordingServer("o1");
            o2 = recordingServer("o2");
            b1 = recordingServer("b1");
        }
        LoadBalancer orders = track(LoadBalancer.builder("orders").backends(List.of(o1.backend(), o2.backend()))
                .build());
        LoadBalancer billing = track(LoadBalancer.builder("billing").backends(List.of(b1.backend())).build());
        return track(new OkHttpClient.Builder()
                .addInterceptor(LoadBalancingInterceptor.builder().route("orders", orders).route("billing", billing)
                        .rejectUnknownHosts(rejectUnknownHosts).build())
                .dns(host -> {
                    lookups.add(host);
                    throw new UnknownHostException("no DNS in this test: " + host);
                })
                .followRedirects(false)
                .build());
    }

    private List<Case> cases() {
        List<Case> cases = new ArrayList<>(List.of(
                Case.of("http://orders/x", Outcome.ORDERS),
                Case.of("http://ORDERS/x", Outcome.ORDERS),
                Case.of("http://oRdErS/x", Outcome.ORDERS),
                Case.of("http://%6Frders/x", Outcome.ORDERS),                     // percent-encoded 'o'
                Case.of("http://\uff4f\uff52\uff44\uff45\uff52\uff53/x", Outcome.ORDERS), // full-width, IDN-mapped
                Case.of("http://orders./x", Outcome.ORDERS),                      // absolute DNS name
                Case.of("http://ORDERS%2E/x", Outcome.ORDERS),
                Case.of("http://orders\u3002/x", Outcome.ORDERS),                 // ideographic full stop
                Case.of("http://evil@orders/x", Outcome.ORDERS),                  // userinfo is no host
                Case.of("http://evil:secret@orders/x", Outcome.ORDERS),
                Case.of("http://orders@billing/x", Outcome.BILLING),              // the host is billing
                Case.of("http://orders:80@billing/x", Outcome.BILLING),
                Case.of("http://orders%2F@billing/x", Outcome.BILLING),
                Case.of("http://orders\\@billing/x", Outcome.ORDERS),             // '\' ends the authority
                Case.of("http://orders#@billing/x", Outcome.ORDERS),
                Case.of("http://orders?@billing/x", Outcome.ORDERS),
                Case.of("http://orders:80/x", Outcome.ORDERS),                    // the scheme's default port
                Case.of("http://orders:0080/x", Outcome.ORDERS),
                Case.of("http://orders:/x", Outcome.ORDERS),
                Case.of("http://orders:8080/x", Outcome.REJECTED),                // a port of its own
                Case.of("http://orders:443/x", Outcome.REJECTED),
                Case.of("http://orders:" + o1.port() + "/x", Outcome.REJECTED),   // even a backend's own port
                Case.of("http://billing:" + b1.port() + "/x", Outcome.REJECTED),
                Case.of("http://orders%00/x", Outcome.INVALID),
                Case.of("http://orders%252ebilling/x", Outcome.INVALID),
                Case.of("http://orders../x", Outcome.INVALID),
                Case.of("http://.orders/x", Outcome.INVALID),
                Case.dns("http://orders.billing/x", "orders.billing"),            // no such route
                Case.dns("http://billing.orders/x", "billing.orders"),
                Case.dns("http://orders%2ebilling/x", "orders.billing"),
                Case.dns("http://\u043erders/x", "xn--rders-iye"),                // Cyrillic 'о': another name
                Case.dns("http://orders-billing/x", "orders-billing")));
        return cases;
    }

    /** What reached which server: the number of requests each received so far. */
    private Map<String, Integer> received() {
        return Map.of("o1", o1.requests.get(), "o2", o2.requests.get(), "b1", b1.requests.get());
    }

    private static int delta(Map<String, Integer> before, Map<String, Integer> after, String... names) {
        int n = 0;
        for (String name : names) {
            n += after.get(name) - before.get(name);
        }
        return n;
    }

    private void check(OkHttpClient client, Case c, boolean rejectUnknownHosts) {
        HttpUrl url = HttpUrl.parse(c.url);
        if (c.outcome == Outcome.INVALID) {
            assertThat(url).as("%s is not a URL OkHttp accepts", c.url).isNull();
            return;
        }
        assertThat(url).as(c.url).isNotNull();
        Map<String, Integer> before = received();
        int lookupsBefore = lookups.size();
        Request request = new Request.Builder().url(url).header("Authorization", "Bearer route-test").build();
        Outcome expected = c.outcome == Outcome.DNS && rejectUnknownHosts ? Outcome.REJECTED : c.outcome;
        String what = c.url + " (rejectUnknownHosts=" + rejectUnknownHosts + ")";
        switch (expected) {
            case ORDERS, BILLING -> {
                try (Response response = client.newCall(request).execute()) {
                    assertThat(response.code()).as(what).isEqualTo(200);
                } catch (IOException e) {
                    throw new AssertionError(what + " failed", e);
                }
                Map<String, Integer> after = received();
                boolean orders = expected == Outcome.ORDERS;
                assertThat(delta(before, after, "o1", "o2")).as("%s at orders' backends", what)
                        .isEqualTo(orders ? 1 : 0);
                assertThat(delta(before, after, "b1")).as("%s at billing's backend", what)
                        .isEqualTo(orders ? 0 : 1);
                assertThat(lookups.size()).as("DNS lookups for %s", what).isEqualTo(lookupsBefore);
            }
            case REJECTED -> {
                assertThatThrownBy(() -> client.newCall(request).execute().close()).as(what)
                        .isInstanceOf(IOException.class)
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("no DNS in this test"));
                assertThat(received()).as("servers after %s", what).isEqualTo(before);
                assertThat(lookups.size()).as("DNS lookups for %s", what).isEqualTo(lookupsBefore);
            }
            case DNS -> {
                assertThatThrownBy(() -> client.newCall(request).execute().close()).as(what)
                        .isInstanceOf(UnknownHostException.class)
                        .hasMessageContaining("no DNS in this test");
                assertThat(received()).as("servers after %s", what).isEqualTo(before);
                assertThat(lookups.subList(lookupsBefore, lookups.size())).as("DNS lookups for %s", what)
                        .containsOnly(c.dnsName);
            }
            default -> throw new AssertionError(expected);
        }
    }

    @Test
    void craftedUrlsReachOnlyThePoolTheirHostNames() throws IOException {
        OkHttpClient client = client(false);
        for (Case c : cases()) {
            check(client, c, false);
        }
        // Userinfo never becomes credentials: only the application's own Authorization header arrived.
        List<String> authorizations = new ArrayList<>();
        for (LoopbackServer s : List.of(o1, o2, b1)) {
            s.recorded.forEach(r -> authorizations.add(r.header("Authorization")));
        }
        assertThat(authorizations).isNotEmpty().containsOnly("Bearer route-test");
        assertNoLeakedConnection(client);
    }

    @Test
    void withUnknownHostsRejectedNothingLeavesTheBalancer() throws IOException {
        OkHttpClient client = client(true);
        for (Case c : cases()) {
            check(client, c, true);
        }
        assertThat(lookups).as("names looked up in DNS").isEmpty();
    }

    @Test
    void anAddressUrlIsNoRouteAndReachesOnlyThatAddressOrNothing() throws IOException {
        OkHttpClient passing = client(false);
        OkHttpClient strict = client(true);
        String direct = b1.origin() + "/direct";
        Map<String, Integer> before = received();

        try (Response response = passing.newCall(new Request.Builder().url(direct).build()).execute()) {
            assertThat(response.code()).isEqualTo(200); // the application asked for this address itself
        }
        assertThatThrownBy(() -> strict.newCall(new Request.Builder().url(direct).build()).execute().close())
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("no load-balancing route");

        Map<String, Integer> after = received();
        assertThat(delta(before, after, "b1")).isEqualTo(1);
        assertThat(delta(before, after, "o1", "o2")).isZero();
        assertThat(b1.recorded.stream().map(LoopbackServer.Recorded::target).collect(Collectors.toList()))
                .containsExactly("/direct");
    }
}
