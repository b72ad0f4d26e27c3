package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.http.NoBackendAvailableIOException;
import io.github.lb4j.http.Idempotency;
import io.github.lb4j.http.Route;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;

/** Retries on another backend: which failures, which methods, how many, within which budget. */
class RetryTest extends LbTestSupport {

    private static Request post(String url, String body) {
        return new Request.Builder().url(url).post(RequestBody.create(body, MediaType.get("text/plain"))).build();
    }

    private static String execute(OkHttpClient client, Request request) throws IOException {
        try (Response response = client.newCall(request).execute()) {
            return response.code() + " " + response.body().string();
        }
    }

    @Test
    void aRefusingBackendIsSkippedForGetAndPostAndEachPostArrivesOnce() throws IOException {
        TestServer good = server("good");
        Backend refusing = Blackhole.refusing("refusing");
        LoadBalancer orders = pool("orders", refusing, good.backend());
        OkHttpClient client = client(lb().route(route("orders", orders).build()).build());

        for (int i = 0; i < 10; i++) {
            assertThat(get(client, "http://orders/get/" + i)).isEqualTo("200 good");
            assertThat(execute(client, post("http://orders/post", "order-" + i))).isEqualTo("200 good");
        }

        assertThat(good.count("GET")).isEqualTo(10);
        assertThat(good.recorded).filteredOn(r -> r.method.equals("POST")).extracting(r -> r.body)
                .containsExactlyInAnyOrder("order-0", "order-1", "order-2", "order-3", "order-4", "order-5",
                        "order-6", "order-7", "order-8", "order-9");
        // Round robin alternates and each retry takes the good backend's turn, so first attempts went to the
        // refusing backend until passive outlier detection ejected it after 5 failures in a row; none was lost.
        assertThat(stats(orders, "refusing").failures()).isEqualTo(5L);
        assertThat(stats(orders, "refusing").health()).isEqualTo(io.github.lb4j.core.BackendHealth.EJECTED);
        assertThat(stats(orders, "good").successes()).isEqualTo(20);
    }

    @Test
    void aHungBackendTimesOutAndGetIsRetriedButPostIsNot() throws IOException {
        Blackhole hole = blackhole();
        TestServer good = server("good");
        LoadBalancer orders = pool("orders", hole.backend("hole"), good.backend());
        OkHttpClient client = client(lb().route(route("orders", orders).build()).build()); // read timeout 300 ms

        nextPickIs(orders, "hole");
        assertThat(get(client, "http://orders/get")).isEqualTo("200 good");
        assertThat(hole.connections()).isEqualTo(1);

        nextPickIs(orders, "hole");
        assertThatThrownBy(() -> execute(client, post("http://orders/post", "once")))
                .isInstanceOf(InterruptedIOException.class); // SocketTimeoutException
        assertThat(hole.connections()).isEqualTo(2);
        assertThat(good.count("POST")).isZero();

        assertThat(stats(orders, "hole").failures()).isEqualTo(2);
    }

    @Test
    void theIdempotencyTagOverridesTheMethod() throws IOException {
        Blackhole hole = blackhole();
        TestServer good = server("good");
        LoadBalancer orders = pool("orders", hole.backend("hole"), good.backend());
        OkHttpClient client = client(lb().route(route("orders", orders).build()).build());

        nextPickIs(orders, "hole");
        Request idempotentPost = post("http://orders/post", "dedup-key-1").newBuilder()
                .tag(Idempotency.class, Idempotency.IDEMPOTENT).build();
        assertThat(execute(client, idempotentPost)).isEqualTo("200 good");

        nextPickIs(orders, "hole");
        Request unsafeGet = new Request.Builder().url("http://orders/side-effect")
                .tag(Idempotency.class, Idempotency.NOT_IDEMPOTENT).build();
        assertThatThrownBy(() -> execute(client, unsafeGet)).isInstanceOf(InterruptedIOException.class);

        assertThat(good.recorded).extracting(r -> r.body).containsExactly("dedup-key-1");
    }

    @Test
    void aOneShotBodyIsNeverSentTwice() throws IOException {
        Blackhole hole = blackhole();
        TestServer good = server("good");
        LoadBalancer orders = pool("orders", hole.backend("hole"), good.backend());
        OkHttpClient client = client(lb().route(route("orders", orders).build()).build());
        RequestBody oneShot = new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get("text/plain");
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.writeUtf8("streamed");
            }

            @Override
            public boolean isOneShot() {
                return true;
            }
        };

        nextPickIs(orders, "hole");
        Request put = new Request.Builder().url("http://orders/upload").put(oneShot).build(); // PUT is idempotent
        assertThatThrownBy(() -> execute(client, put)).isInstanceOf(InterruptedIOException.class);
        assertThat(good.requests.get()).isZero();
    }

    @Test
    void a503IsRetriedForGetAndReturnedAsIsForPost() throws IOException {
        TestServer down = server("down", r -> TestServer.Reply.of(503, "down"));
        TestServer good = server("good");
        LoadBalancer orders = pool("orders", down.backend(), good.backend());
        OkHttpClient client = client(lb().route(route("orders", orders).build()).build());

        nextPickIs(orders, "down");
        assertThat(get(client, "http://orders/get")).isEqualTo("200 good");
        nextPickIs(orders, "down");
        assertThat(execute(client, post("http://orders/post", "p"))).isEqualTo("503 down");

        assertThat(good.count("POST")).isZero();
        assertThat(down.requests.get()).isEqualTo(2);
        assertThat(stats(orders, "down").failures()).isEqualTo(2);
        assertThat(stats(orders, "good").successes()).isEqualTo(1);
    }

    @Test
    void theRetryBudgetStopsRetriesUnderAFullOutageAndRefillsWithTime() throws IOException {
        TestServer a = server("a", r -> TestServer.Reply.of(503, "a"));
        TestServer b = server("b", r -> TestServer.Reply.of(503, "b"));
        LoadBalancer orders = pool("orders", a.backend(), b.backend());
        // 20% of calls plus 1 retry per second over the 10-second window: 0.2 x 100 + 10 = 30 retries.
        OkHttpClient client = client(lb()
                .route(route("orders", orders).maxAttempts(3).retryBudget(0.2, 1).build()).build());

        for (int i = 0; i < 100; i++) {
            assertThat(get(client, "http://orders/")).startsWith("503 ");
        }
        assertThat(a.requests.get() + b.requests.get()).isEqualTo(100 + 30);

        // The clock is frozen: the budget stays spent.
        get(client, "http://orders/");
        assertThat(a.requests.get() + b.requests.get()).isEqualTo(131);

        // After the window, old deposits and withdrawals have expired: the floor is available again.
        now.addAndGet(TimeUnit.SECONDS.toNanos(Route.RETRY_BUDGET_WINDOW_SECONDS + 1));
        get(client, "http://orders/");
        assertThat(a.requests.get() + b.requests.get()).isEqualTo(131 + 3);
    }

    @Test
    void whenEveryAttemptFailsTheLastExceptionIsThrownWithTheEarlierOnesSuppressed() {
        LoadBalancer orders = pool("orders", Blackhole.refusingUnchecked("r1"), Blackhole.refusingUnchecked("r2"),
                Blackhole.refusingUnchecked("r3"));
        OkHttpClient client = client(lb().route(route("orders", orders).maxAttempts(3).build()).build());

        assertThatThrownBy(() -> get(client, "http://orders/"))
                .isInstanceOf(ConnectException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2)
                        .allSatisfy(s -> assertThat(s).isInstanceOf(ConnectException.class)));
        // Three different backends, one attempt each.
        assertThat(orders.stats()).allSatisfy(s -> assertThat(s.failures()).isEqualTo(1));
    }

    @Test
    void maxAttemptsOfOneNeverRetries() {
        TestServer good = registerUnchecked("good");
        LoadBalancer orders = pool("orders", Blackhole.refusingUnchecked("refusing"), good.backend());
        OkHttpClient client = client(lb().route(route("orders", orders).maxAttempts(1).build()).build());

        nextPickIs(orders, "refusing");
        assertThatThrownBy(() -> get(client, "http://orders/")).isInstanceOf(ConnectException.class);
        assertThat(good.requests.get()).isZero();
    }

    @Test
    void aPinnedRequestIsNotRetriedElsewhere() {
        TestServer good = registerUnchecked("good");
        LoadBalancer orders = pool("orders", Blackhole.refusingUnchecked("refusing"), good.backend());
        OkHttpClient client = client(lb().route(route("orders", orders).build()).build());

        Request pinned = new Request.Builder().url("http://orders/")
                .tag(RequestContext.class, RequestContext.ofPinned("refusing")).build();
        assertThatThrownBy(() -> execute(client, pinned)).isInstanceOf(ConnectException.class);
        assertThat(good.requests.get()).isZero();
    }

    @Test
    void cancelingDuringTheRetryBackoffEndsTheCallWithoutAnotherAttempt() throws Exception {
        TestServer down = server("down", r -> TestServer.Reply.of(503, "down"));
        TestServer good = server("good");
        LoadBalancer orders = pool("orders", down.backend(), good.backend());
        // A backoff far longer than the test: only the cancel can end it.
        LoadBalancingInterceptor lb = lb().route(Route.builder("orders", orders)
                .backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)).build()).random(new FixedRandom()).build();
        // Runs inside each attempt: counts down once the first attempt's response is back in the interceptor.
        CountDownLatch firstAttempt = new CountDownLatch(1);
        OkHttpClient client = track(client(lb).newBuilder().addInterceptor(chain -> {
            Response response = chain.proceed(chain.request());
            firstAttempt.countDown();
            return response;
        }).build());

        nextPickIs(orders, "down");
        Call call = client.newCall(new Request.Builder().url("http://orders/").build());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try (Response ignored = call.execute()) {
                failure.set(new AssertionError("the call succeeded"));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        long start = System.nanoTime();
        caller.start();
        assertThat(firstAttempt.await(5, TimeUnit.SECONDS)).isTrue();
        call.cancel();
        caller.join(5000);

        assertThat(caller.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(failure.get()).isInstanceOf(IOException.class).hasMessageContaining("Canceled");
        assertThat(good.requests.get()).isZero();
        assertThat(stats(orders, "down").failures()).isEqualTo(1);
    }

    @Test
    void theCallTimeoutSpansAllAttemptsAndTheBackoff() {
        TestServer down = registerUnchecked("down", 503);
        TestServer alsoDown = registerUnchecked("alsoDown", 503);
        LoadBalancer orders = pool("orders", down.backend(), alsoDown.backend());
        OkHttpClient client = track(client(lb().route(Route.builder("orders", orders)
                        .backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)).build())
                .random(new FixedRandom()).build())
                .newBuilder().callTimeout(Duration.ofMillis(300)).build());

        assertThatThrownBy(() -> get(client, "http://orders/"))
                .isInstanceOf(InterruptedIOException.class)
                .hasMessageContaining("timeout");
        assertThat(down.requests.get() + alsoDown.requests.get()).isEqualTo(1);
    }

    @Test
    void noBackendAvailableIsAnIOExceptionNamingThePool() {
        LoadBalancer empty = pool("orders");
        OkHttpClient client = client(lb().route("orders", empty).build());

        assertThatThrownBy(() -> get(client, "http://orders/"))
                .isInstanceOf(NoBackendAvailableIOException.class)
                .hasMessageContaining("pool 'orders'")
                .satisfies(e -> assertThat(((NoBackendAvailableIOException) e).poolName()).isEqualTo("orders"));

        empty.close();
        assertThatThrownBy(() -> get(client, "http://orders/"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aRetryAvoidsEveryBackendAlreadyTried() throws IOException {
        TestServer[] servers = new TestServer[4];
        Backend[] backends = new Backend[4];
        for (int i = 0; i < 4; i++) {
            servers[i] = server("s" + i, r -> TestServer.Reply.of(503, "x"));
            backends[i] = servers[i].backend();
        }
        LoadBalancer orders = pool("orders", backends);
        OkHttpClient client = client(lb().route(route("orders", orders).maxAttempts(4).build()).build());

        assertThat(get(client, "http://orders/")).isEqualTo("503 x");

        for (TestServer s : servers) {
            assertThat(s.requests.get()).as(s.name).isEqualTo(1);
        }
        assertThat(orders.stats()).hasSize(4);
    }

    private TestServer registerUnchecked(String name) {
        try {
            return server(name);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private TestServer registerUnchecked(String name, int status) {
        try {
            return server(name, r -> TestServer.Reply.of(status, name));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Jitter that always takes the full backoff. */
    static final class FixedRandom extends java.util.Random {
        private static final long serialVersionUID = 1L;

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    }
}
