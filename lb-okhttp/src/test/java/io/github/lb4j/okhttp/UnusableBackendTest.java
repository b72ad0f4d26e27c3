package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendHealth;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.http.UnusableBackendException;
import java.io.IOException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 1: a backend the client cannot address at all is that backend's failure, retried elsewhere like a
 * refused connection. Before, the interceptor only closed the selection and failed the call: nothing was counted,
 * the backend was never ejected, and with one such backend and one good one half of all calls failed.
 */
class UnusableBackendTest extends LbTestSupport {

    /** Accepted by {@link Backend#of} (no URL delimiter), rejected by OkHttp: '%' is not a host character. */
    private static final String BAD_HOST = "bad%host";

    @Test
    void theHostIsOneOkHttpRejects() {
        Backend.of(BAD_HOST, 8080);
        assertThatThrownBy(() -> new HttpUrl.Builder().scheme("http").host(BAD_HOST).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyGetAndPostSucceedsOnTheGoodBackendAndTheBadOneIsChargedAndEjected() throws IOException {
        TestServer good = server("good");
        LoadBalancer orders = pool("orders", Backend.of(BAD_HOST, 8080).withId("bad"), good.backend());
        OkHttpClient client = client(lb().route(route("orders", orders).build()).build());

        for (int i = 0; i < 10; i++) {
            assertThat(get(client, "http://orders/get/" + i)).isEqualTo("200 good");
            Request post = new Request.Builder().url("http://orders/post")
                    .post(RequestBody.create("order-" + i, MediaType.get("text/plain"))).build();
            try (Response response = client.newCall(post).execute()) {
                assertThat(response.body().string()).isEqualTo("good");
            }
        }

        assertThat(good.recorded).filteredOn(r -> r.method.equals("POST")).extracting(r -> r.body)
                .hasSize(10).doesNotHaveDuplicates();
        // As for a refused connection: charged on every pick until outlier detection ejects it (5 in a row).
        assertThat(stats(orders, "bad").failures()).isEqualTo(5L);
        assertThat(stats(orders, "bad").health()).isEqualTo(BackendHealth.EJECTED);
    }

    @Test
    void aPoolOfOnlyUnusableBackendsFailsWithTheReasonNamingRouteAndBackend() {
        LoadBalancer orders = pool("orders", Backend.of(BAD_HOST, 8080).withId("bad"));
        OkHttpClient client = client(lb().route(route("orders", orders).build()).build());
        assertThatThrownBy(() -> get(client, "http://orders/"))
                .isInstanceOf(UnusableBackendException.class)
                .hasMessage("route 'orders': backend bad has a host OkHttp cannot put in a URL")
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1)
                        .allMatch(s -> s instanceof UnusableBackendException));
        // Retried like a refused connection: with nothing else to pick, on the same backend (exclusions yield),
        // and both attempts charged.
        assertThat(stats(orders, "bad").failures()).isEqualTo(2L);
    }
}
