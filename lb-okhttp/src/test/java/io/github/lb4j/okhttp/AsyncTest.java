package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.http.NoBackendAvailableIOException;
import io.github.lb4j.core.LoadBalancer;
import java.io.IOException;
import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** enqueue(): the interceptor runs on the dispatcher's threads, failures reach onFailure. */
class AsyncTest extends LbTestSupport {

    /** Collects bodies and failures; closes every response in the callback, as applications must. */
    private static final class Collector implements Callback {
        final CountDownLatch done;
        final Map<String, Integer> bodies = new ConcurrentHashMap<>();
        final AtomicReference<IOException> failure = new AtomicReference<>();

        Collector(int calls) {
            done = new CountDownLatch(calls);
        }

        @Override
        public void onFailure(Call call, IOException e) {
            failure.set(e);
            done.countDown();
        }

        @Override
        public void onResponse(Call call, Response response) throws IOException {
            try (response) {
                bodies.merge(response.code() + " " + response.body().string(), 1, Integer::sum);
            } finally {
                done.countDown();
            }
        }

        void await() throws InterruptedException {
            assertThat(done.await(10, TimeUnit.SECONDS)).as("all callbacks ran").isTrue();
        }
    }

    @Test
    void concurrentAsyncCallsAreBalancedAndReported() throws Exception {
        TestServer a = server("a");
        TestServer b = server("b");
        LoadBalancer orders = pool("orders", a.backend(), b.backend());
        OkHttpClient client = client(lb().route("orders", orders).build());

        Collector collector = new Collector(40);
        for (int i = 0; i < 40; i++) {
            client.newCall(new Request.Builder().url("http://orders/" + i).build()).enqueue(collector);
        }
        collector.await();

        assertThat(collector.failure.get()).isNull();
        assertThat(collector.bodies).containsOnly(Map.entry("200 a", 20), Map.entry("200 b", 20));
        assertThat(orders.stats()).allSatisfy(s -> assertThat(s.successes()).isEqualTo(20));
    }

    @Test
    void asyncCallsAreRetriedOnAnotherBackend() throws Exception {
        TestServer good = server("good");
        LoadBalancer orders = pool("orders", Blackhole.refusing("refusing"), good.backend());
        OkHttpClient client = client(lb().route(route("orders", orders).build()).build());

        Collector collector = new Collector(10);
        for (int i = 0; i < 10; i++) {
            client.newCall(new Request.Builder().url("http://orders/" + i).build()).enqueue(collector);
        }
        collector.await();

        assertThat(collector.failure.get()).isNull();
        assertThat(collector.bodies).containsOnly(Map.entry("200 good", 10));
        assertThat(stats(orders, "refusing").failures()).isPositive();
    }

    @Test
    void failuresReachOnFailure() throws Exception {
        LoadBalancer empty = pool("empty");
        LoadBalancer dead = pool("dead", Blackhole.refusing("r1"), Blackhole.refusing("r2"));
        OkHttpClient client = client(lb().route("empty", empty).route(route("dead", dead).build()).build());

        Collector none = new Collector(1);
        client.newCall(new Request.Builder().url("http://empty/").build()).enqueue(none);
        none.await();
        assertThat(none.failure.get()).isInstanceOf(NoBackendAvailableIOException.class)
                .hasMessageContaining("pool 'empty'");

        Collector refused = new Collector(1);
        client.newCall(new Request.Builder().url("http://dead/").build()).enqueue(refused);
        refused.await();
        assertThat(refused.failure.get()).isInstanceOf(ConnectException.class);
        assertThat(refused.failure.get().getSuppressed()).hasSize(1);
    }
}
