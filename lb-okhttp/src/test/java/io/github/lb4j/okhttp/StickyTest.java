package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.http.Route;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hash keys from header, cookie, query parameter, function and tag; pinning. */
class StickyTest extends LbTestSupport {

    @Override
    Duration readTimeout() {
        return Duration.ofSeconds(5); // no hung backend here: a slow answer under load must not be retried elsewhere
    }

    private LoadBalancer orders;

    @BeforeEach
    void fourBackends() throws IOException {
        Backend[] backends = new Backend[4];
        for (int i = 0; i < 4; i++) {
            backends[i] = server("s" + i).backend();
        }
        orders = pool("orders", Strategy.ringHash(), backends);
    }

    /** Where the pool maps a key (a select closed without outcome). */
    private String backendFor(String key) {
        try (Selection s = orders.select(RequestContext.ofHashKey(key))) {
            return s.backend().id();
        }
    }

    private static String call(OkHttpClient client, Request request) throws IOException {
        try (Response response = client.newCall(request).execute()) {
            return response.body().string();
        }
    }

    private void assertSticky(OkHttpClient client, java.util.function.IntFunction<Request> requestForUser)
            throws IOException {
        Set<String> used = new HashSet<>();
        for (int user = 0; user < 40; user++) {
            String expected = backendFor("user-" + user);
            for (int repeat = 0; repeat < 3; repeat++) {
                assertThat(call(client, requestForUser.apply(user))).as("user-%s", user).isEqualTo(expected);
            }
            used.add(expected);
        }
        assertThat(used).as("40 keys spread over the ring").hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void keyFromAHeader() throws IOException {
        OkHttpClient client = client(lb().route(route("orders", orders).hashKeyFromHeader("X-User").build())
                .build());
        assertSticky(client, u -> new Request.Builder().url("http://orders/").header("X-User", "user-" + u).build());
    }

    @Test
    void keyFromACookie() throws IOException {
        OkHttpClient client = client(lb().route(route("orders", orders).hashKeyFromCookie("SESSION").build())
                .build());
        assertSticky(client, u -> new Request.Builder().url("http://orders/")
                .header("Cookie", "theme=dark; SESSION=user-" + u + "; lang=en").build());
    }

    @Test
    void keyFromAQueryParameter() throws IOException {
        OkHttpClient client = client(lb().route(route("orders", orders).hashKeyFromQueryParameter("user").build())
                .build());
        assertSticky(client, u -> new Request.Builder().url("http://orders/items?page=2&user=user-" + u).build());
    }

    @Test
    void keyFromAFunction() throws IOException {
        OkHttpClient client = client(lb().route(route("orders", orders)
                .hashKey(r -> r.uri().getPath().split("/")[2]).build()).build()); // /users/{key}/cart
        assertSticky(client, u -> new Request.Builder().url("http://orders/users/user-" + u + "/cart").build());
    }

    @Test
    void aRequestContextTagOverridesTheRoutesKeyAndCanPin() throws IOException {
        OkHttpClient client = client(lb().route(route("orders", orders).hashKeyFromHeader("X-User").build())
                .build());
        String forUser1 = backendFor("user-1");
        String other = "user-2";
        for (int i = 3; backendFor(other).equals(forUser1); i++) {
            other = "user-" + i;
        }

        Request overridden = new Request.Builder().url("http://orders/").header("X-User", "user-1")
                .tag(RequestContext.class, RequestContext.ofHashKey(other)).build();
        assertThat(call(client, overridden)).isEqualTo(backendFor(other));

        for (int i = 0; i < 5; i++) {
            Request pinned = new Request.Builder().url("http://orders/").header("X-User", "user-1")
                    .tag(RequestContext.class, RequestContext.ofPinned("s3")).build();
            assertThat(call(client, pinned)).isEqualTo("s3");
        }
    }
}
