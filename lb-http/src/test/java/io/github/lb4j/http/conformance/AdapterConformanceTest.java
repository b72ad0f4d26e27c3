package io.github.lb4j.http.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendHealth;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.http.Hedging;
import io.github.lb4j.http.NoBackendAvailableIOException;
import io.github.lb4j.http.PerTryTimeoutException;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.TestClient.Request;
import io.github.lb4j.http.conformance.TestClient.Response;
import java.io.IOException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite every lb4j HTTP adapter runs: the same routes, retries, budget and outcome rules, proven
 * through the adapter's real client against real loopback servers (the JDK's HttpServer, a refused port, a blackhole
 * that accepts and never answers). An adapter's test extends this class and says how to build its client:
 *
 * <pre>{@code
 * class OkHttpConformanceTest extends AdapterConformanceTest {
 *     protected TestClient newClient(ClientSetup setup) { ...build OkHttpClient with the interceptor... }
 * }
 * }</pre>
 *
 * <p>Every case bounds its request count, waits on latches or bounded awaits (never a fixed sleep), and checks
 * after itself that no backend of any pool is left with a call in flight.
 */
public abstract class AdapterConformanceTest {

    /** Read timeout for cases with a hung backend: short, so they finish quickly. */
    protected static final Duration SHORT_READ_TIMEOUT = Duration.ofMillis(300);
    /** Read timeout for cases without one: long, so a slow answer on a loaded machine is not a failure. */
    protected static final Duration LONG_READ_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    /** The fake clock of retry budgets (nanoseconds). */
    protected final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<LoadBalancer> pools = new ArrayList<>();

    /**
     * Builds the adapter's client, wrapped by the adapter with {@code setup}'s routes and options.
     *
     * @param setup the routes and client options
     * @return the client; the suite closes it after the case
     */
    protected abstract TestClient newClient(ClientSetup setup) throws Exception;

    /**
     * @return whether the adapter supports {@link Route.Builder#perTryTimeout} (the per-try cases are skipped
     *     otherwise); default true, since lb-http's engine does the work for any adapter
     */
    protected boolean supportsPerTryTimeout() {
        return true;
    }

    /**
     * @return whether the adapter supports {@link Route.Builder#hedging} on its synchronous path (the hedging cases
     *     are skipped otherwise); default true. An adapter whose exchange returns false from
     *     {@code HttpExchange.supportsConcurrentAttempts()} returns false here.
     */
    protected boolean supportsHedging() {
        return true;
    }

    @AfterEach
    void nothingLeftInFlight() throws Exception {
        try {
            for (LoadBalancer pool : pools) {
                awaitNothingInFlight(pool);
            }
        } finally {
            Collections.reverse(resources);
            for (AutoCloseable r : resources) {
                r.close();
            }
            pools.forEach(LoadBalancer::close);
        }
    }

    // ---- cases ------------------------------------------------------------------------------------------------

    @Test
    void spreadsCallsEvenlyOverTheBackends() throws Exception {
        LoopbackServer a = server("a");
        LoopbackServer b = server("b");
        LoopbackServer c = server("c");
        TestClient client = client(LONG_READ_TIMEOUT, route("orders", pool("orders", a, b, c)));
        for (int i = 0; i < 30; i++) {
            assertThat(client.execute(Request.get("http://orders/items/" + i)).status()).isEqualTo(200);
        }
        assertThat(List.of(a.requests.get(), b.requests.get(), c.requests.get())).containsExactly(10, 10, 10);
        assertThat(a.recorded).allMatch(r -> r.pathAndQuery.startsWith("/items/"));
    }

    @Test
    void aRefusedBackendIsRetriedElsewhereAndEveryPostArrivesOnce() throws Exception {
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", backendsOf(Blackhole.refusing("refused"), good.backend()));
        TestClient client = client(LONG_READ_TIMEOUT, route("orders", orders));
        for (int i = 0; i < 10; i++) {
            assertThat(client.execute(Request.get("http://orders/")).body()).isEqualTo("good");
            assertThat(client.execute(Request.post("http://orders/", "post-" + i)).body()).isEqualTo("good");
        }
        assertThat(good.count("GET")).isEqualTo(10);
        assertThat(good.recorded).filteredOn(r -> r.method.equals("POST")).extracting(r -> r.body)
                .hasSize(10).doesNotHaveDuplicates();
        assertThat(stats(orders, "refused").failures()).isPositive();
    }

    @Test
    void aBlackholeBoundsEveryCallRetriesGetsAndNeverDuplicatesPosts() throws Exception {
        Blackhole hole = register(new Blackhole());
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", backendsOf(hole.backend("hole"), good.backend()));
        TestClient client = client(SHORT_READ_TIMEOUT, route("orders", orders));
        long bound = SHORT_READ_TIMEOUT.toNanos() * Route.DEFAULT_MAX_ATTEMPTS + TimeUnit.SECONDS.toNanos(3);
        for (int i = 0; i < 4; i++) {
            long start = System.nanoTime();
            assertThat(client.execute(Request.get("http://orders/")).body()).isEqualTo("good");
            assertThat(System.nanoTime() - start).as("GET %s took", i).isLessThan(bound);
        }
        assertThat(hole.connections()).as("the blackhole was tried").isPositive();
        int failed = 0;
        for (int i = 0; i < 4; i++) {
            String body = "post-" + i;
            long start = System.nanoTime();
            boolean ok;
            try {
                ok = client.execute(Request.post("http://orders/", body)).status() == 200;
            } catch (IOException e) {
                ok = false;
                failed++;
            }
            assertThat(System.nanoTime() - start).as("POST %s took", i).isLessThan(bound);
            assertThat(good.recorded).filteredOn(r -> body.equals(r.body)).hasSize(ok ? 1 : 0);
        }
        assertThat(failed).as("POSTs that hit the blackhole fail instead of being re-sent").isPositive();
    }

    @Test
    void retriesTheRoutesStatusesOnAnotherBackend() throws Exception {
        LoopbackServer busy = server("busy");
        busy.responder = r -> 503;
        LoopbackServer ok = server("ok");
        LoadBalancer orders = pool("orders", busy, ok);
        LoopbackServer limited = server("limited");
        limited.responder = r -> 429;
        LoopbackServer fine = server("fine");
        LoadBalancer billing = pool("billing", limited, fine);
        TestClient client = client(LONG_READ_TIMEOUT, route("orders", orders),
                Route.builder("billing", billing).backoff(Duration.ZERO, Duration.ZERO).retryOnStatus(429).build());
        // First, before passive health may eject the busy backend:
        nextPickIs(orders, "busy");
        assertThat(client.execute(Request.post("http://orders/", "once")).status())
                .as("a POST reached the backend: its 503 is returned, not re-sent").isEqualTo(503);
        assertThat(ok.count("POST")).isZero();
        for (int i = 0; i < 6; i++) {
            assertThat(client.execute(Request.get("http://orders/"))).isEqualTo(new Response(200, "ok"));
            assertThat(client.execute(Request.get("http://billing/"))).isEqualTo(new Response(200, "fine"));
        }
        assertThat(ok.count("GET")).isEqualTo(6);
        assertThat(fine.count("GET")).isEqualTo(6);
        assertThat(busy.requests.get()).as("503s were retried").isPositive();
        assertThat(limited.requests.get()).as("429s were retried").isPositive();
    }

    @Test
    void aBackendAnsweringRetryAfterIsLeftOutAndAPoolWhereAllDidFailsAtOnce() throws Exception {
        LoopbackServer busy = server("busy");
        busy.responder = r -> 503;
        busy.headers = r -> Map.of("Retry-After", "120");
        LoopbackServer ok = server("ok");
        LoadBalancer orders = pool("orders", busy, ok);
        TestClient client = client(LONG_READ_TIMEOUT, route("orders", orders));
        nextPickIs(orders, "busy");
        for (int i = 0; i < 6; i++) {
            assertThat(client.execute(Request.get("http://orders/"))).isEqualTo(new Response(200, "ok"));
        }
        assertThat(busy.requests.get()).as("asked once, then left alone for its window").isEqualTo(1);
        assertThat(stats(orders, "busy").health()).isEqualTo(BackendHealth.OVERLOADED);
        assertThat(stats(orders, "busy").failures()).as("an overload is not a crash").isZero();
        // The last one says so too: its 429 (not retried by default) is returned, then calls fail at once.
        ok.responder = r -> 429;
        ok.headers = r -> Map.of("Retry-After", "60");
        assertThat(client.execute(Request.get("http://orders/")).status()).isEqualTo(429);
        assertThatThrownBy(() -> client.execute(Request.get("http://orders/"))).isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(cause(e, NoBackendAvailableIOException.class).retryAfter())
                        .hasValueSatisfying(d -> assertThat(d).isPositive()
                                .isLessThanOrEqualTo(Duration.ofMinutes(1))));
        CompletableFuture<Response> async = client.executeAsync(Request.get("http://orders/"));
        if (async != null) {
            assertThat(cause(failureOf(async), NoBackendAvailableIOException.class).retryAfter()).isPresent();
        }
        assertThat(busy.requests.get() + ok.requests.get()).as("nothing sent while all are paused").isEqualTo(8);
    }

    @Test
    void theRetryBudgetBoundsRetriesWhenEveryBackendFails() throws Exception {
        LoopbackServer a = server("a");
        LoopbackServer b = server("b");
        a.responder = r -> 503;
        b.responder = r -> 503;
        // 20% of calls plus 1 retry per second over the 10-second window: 0.2 x 100 + 10 = 30 retries.
        TestClient client = client(LONG_READ_TIMEOUT, Route.builder("orders", pool("orders", a, b))
                .backoff(Duration.ZERO, Duration.ZERO).maxAttempts(3).retryBudget(0.2, 1).build());
        for (int i = 0; i < 100; i++) {
            assertThat(client.execute(Request.get("http://orders/")).status()).isEqualTo(503);
        }
        assertThat(a.requests.get() + b.requests.get()).isEqualTo(130);
    }

    @Test
    void aHostWithoutARoutePassesThroughUntouched() throws Exception {
        LoopbackServer direct = server("direct");
        LoadBalancer orders = pool("orders", server("orders-1"));
        TestClient client = client(LONG_READ_TIMEOUT, route("orders", orders));
        String authority = "127.0.0.1:" + direct.port();
        Response response = client.execute(Request.get("http://" + authority + "/p/q?x=1&y=%20")
                .header("X-Test", "kept"));
        assertThat(response).isEqualTo(new Response(200, "direct"));
        LoopbackServer.Recorded seen = direct.recorded.peek();
        assertThat(seen.pathAndQuery).isEqualTo("/p/q?x=1&y=%20");
        assertThat(seen.header("X-test")).isEqualTo("kept");
        assertThat(seen.header("Host")).isEqualTo(authority);
        assertThat(orders.stats()).allMatch(s -> s.successes() == 0 && s.failures() == 0);
    }

    @Test
    void noBackendFailsWithAnIoExceptionNamingThePool() throws Exception {
        LoadBalancer empty = LoadBalancer.builder("empty-pool").build();
        pools.add(empty);
        TestClient client = client(LONG_READ_TIMEOUT, route("orders", empty));
        assertThatThrownBy(() -> client.execute(Request.get("http://orders/")))
                .isInstanceOf(IOException.class).hasMessageContaining("empty-pool")
                .satisfies(e -> assertThat(cause(e, NoBackendAvailableIOException.class).poolName())
                        .isEqualTo("empty-pool"));
        CompletableFuture<Response> async = client.executeAsync(Request.get("http://orders/"));
        if (async != null) {
            Throwable failure = failureOf(async);
            assertThat(failure).isInstanceOf(IOException.class);
            assertThat(cause(failure, NoBackendAvailableIOException.class).poolName()).isEqualTo("empty-pool");
        }
        TestClient strict = newTracked(new ClientSetup(List.of(route("orders", empty)), true, now::get,
                new Random(7), LONG_READ_TIMEOUT, CALL_TIMEOUT, null, null));
        assertThatThrownBy(() -> strict.execute(Request.get("http://elsewhere/")))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("elsewhere");
    }

    @Test
    void cancelingACallReleasesItsBackendAtOnce() throws Exception {
        Blackhole hole = register(new Blackhole());
        LoadBalancer orders = pool("orders", backendsOf(hole.backend("hole")));
        TestClient client = client(LONG_READ_TIMEOUT, route("orders", orders));
        CompletableFuture<Response> call = client.executeAsync(Request.get("http://orders/"));
        assumeTrue(call != null, "the client has no asynchronous API to cancel through");
        assertThat(hole.awaitConnection(10, TimeUnit.SECONDS)).as("the call reached the blackhole").isTrue();
        assertThat(stats(orders, "hole").inFlight()).isEqualTo(1);
        long start = System.nanoTime();
        call.cancel(true);
        awaitNothingInFlight(orders);
        assertThat(System.nanoTime() - start).as("released long before the read timeout")
                .isLessThan(LONG_READ_TIMEOUT.toNanos() / 4);
        assertThat(call).isDone();
    }

    @Test
    void theAsynchronousPathBalancesRetriesAndNeverDuplicatesPosts() throws Exception {
        LoopbackServer good = server("good");
        LoopbackServer busy = server("busy");
        busy.responder = r -> 503;
        LoadBalancer orders = pool("orders", backendsOf(Blackhole.refusing("refused"), good.backend()));
        LoadBalancer billing = pool("billing", busy, server("fine"));
        TestClient client = client(LONG_READ_TIMEOUT, route("orders", orders), route("billing", billing));
        CompletableFuture<Response> probe = client.executeAsync(Request.get("http://orders/"));
        assumeTrue(probe != null, "the client has no asynchronous API");
        List<CompletableFuture<Response>> calls = new ArrayList<>(List.of(probe));
        for (int i = 0; i < 6; i++) {
            calls.add(client.executeAsync(Request.get("http://orders/")));
            calls.add(client.executeAsync(Request.post("http://orders/", "async-" + i)));
            calls.add(client.executeAsync(Request.get("http://billing/")));
        }
        for (CompletableFuture<Response> call : calls) {
            assertThat(call.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        assertThat(good.recorded).filteredOn(r -> r.method.equals("POST")).extracting(r -> r.body)
                .hasSize(6).doesNotHaveDuplicates();
        assertThat(good.count("GET")).isEqualTo(7);
    }

    @Test
    void certificatesAreVerifiedAgainstTheRouteNameOnlyWhereTheRouteSaysSo() throws Exception {
        TestCertificates certificate = TestCertificates.forName("orders");
        LoopbackServer tls = register(LoopbackServer.https("tls", certificate.serverContext));
        Route byName = Route.builder("orders", pool("orders", tls)).verifyCertificateAgainstRouteName(true).build();
        assertThat(tlsClient(certificate, byName).execute(Request.get("https://orders/")))
                .isEqualTo(new Response(200, "tls"));

        Route byAddress = Route.builder("orders", pool("orders-by-address", tls)).maxAttempts(1).build();
        assertTlsRefused(tlsClient(certificate, byAddress), "https://orders/");
        Route otherName = Route.builder("billing", pool("billing", tls)).maxAttempts(1)
                .verifyCertificateAgainstRouteName(true).build();
        assertTlsRefused(tlsClient(certificate, otherName), "https://billing/");
        assertThat(tls.requests.get()).as("no request was sent over an unverified connection").isEqualTo(1);
    }

    @Test
    void credentialsNeverReachAHostOutsideTheirRoute() throws Exception {
        LoopbackServer o1 = server("o1");
        AtomicInteger n = new AtomicInteger();
        o1.responder = r -> n.incrementAndGet() % 2 == 0 ? 503 : 200; // so that some calls are retried on o2
        LoopbackServer o2 = server("o2");
        LoopbackServer b1 = server("b1");
        LoopbackServer b2 = server("b2");
        LoopbackServer other = server("other");
        TestClient client = client(LONG_READ_TIMEOUT, route("orders", pool("orders", o1, o2)),
                route("billing", pool("billing", b1, b2)));
        for (int i = 0; i < 8; i++) {
            client.execute(Request.get("http://orders/").header("Authorization", "Bearer orders-token")
                    .header("Cookie", "session=orders-cookie"));
            client.execute(Request.get("http://billing/").header("Authorization", "Bearer billing-token")
                    .header("Cookie", "session=billing-cookie"));
            client.execute(Request.get("http://127.0.0.1:" + other.port() + "/"));
        }
        assertThat(o1.requests.get() + o2.requests.get()).as("some orders calls were retried").isGreaterThan(8);
        for (LoopbackServer s : List.of(o1, o2)) {
            assertThat(s.recorded).allMatch(r -> "Bearer orders-token".equals(r.header("Authorization"))
                    && "session=orders-cookie".equals(r.header("Cookie")));
        }
        for (LoopbackServer s : List.of(b1, b2)) {
            assertThat(s.recorded).allMatch(r -> "Bearer billing-token".equals(r.header("Authorization"))
                    && "session=billing-cookie".equals(r.header("Cookie")));
        }
        assertThat(other.recorded).hasSize(8).allMatch(r -> r.header("Authorization") == null
                && r.header("Cookie") == null);
    }

    // ---- tail latency (issue 15): per-try timeout, hedging ------------------------------------------------------

    /** Per-try timeout of the tail-latency cases: short, so they finish quickly, long against loopback latency. */
    private static final Duration PER_TRY = Duration.ofMillis(300);
    /** Slack over the per-try timeout for "one normal latency" on a loaded machine. */
    private static final long NORMAL_LATENCY_SLACK_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final Duration HEDGE_DELAY = Duration.ofMillis(50);

    @Test
    void aPerTryTimeoutMovesAHungCallToTheNextBackendAndFailsAPostClearly() throws Exception {
        assumeTrue(supportsPerTryTimeout(), "the adapter does not support per-try timeouts");
        Blackhole hole = register(new Blackhole());
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", backendsOf(hole.backend("hole"), good.backend()));
        // A long read timeout: without the per-try timeout each call would hang for 20 s on the blackhole.
        TestClient client = client(LONG_READ_TIMEOUT, Route.builder("orders", orders)
                .backoff(Duration.ZERO, Duration.ZERO).perTryTimeout(PER_TRY).build());
        long bound = PER_TRY.toNanos() + NORMAL_LATENCY_SLACK_NANOS;
        for (int i = 0; i < 3; i++) {
            nextPickIs(orders, "hole");
            long start = System.nanoTime();
            assertThat(client.execute(Request.get("http://orders/")).body()).isEqualTo("good");
            assertThat(System.nanoTime() - start).as("GET %s took", i).isLessThan(bound);
        }
        assertThat(stats(orders, "hole").failures()).as("each timed-out attempt is the hole's failure")
                .isEqualTo(3);
        nextPickIs(orders, "hole");
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.execute(Request.post("http://orders/", "once")))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(cause(e, PerTryTimeoutException.class))
                        .hasMessageContaining("per-try timeout of route 'orders' after 300 ms"));
        assertThat(System.nanoTime() - start).as("the POST failed after its per-try timeout").isLessThan(bound);
        assertThat(good.count("POST")).as("a POST that may have arrived is not re-sent").isZero();
        awaitNothingInFlight(orders);
    }

    @Test
    void aHedgeToAFastBackendWinsAndTheSlowAttemptIsCanceledWithoutCharge() throws Exception {
        assumeTrue(supportsHedging(), "the adapter does not support hedging");
        CountDownLatch release = new CountDownLatch(1);
        LoopbackServer slow = server("slow");
        register(release::countDown); // closed before the servers: frees the slow handler
        slow.responder = r -> {
            await(release, LONG_READ_TIMEOUT);
            return 200;
        };
        LoopbackServer fast = server("fast");
        LoadBalancer orders = pool("orders", slow, fast);
        TestClient client = client(LONG_READ_TIMEOUT, Route.builder("orders", orders)
                .backoff(Duration.ZERO, Duration.ZERO).hedging(Hedging.after(HEDGE_DELAY)).build());
        nextPickIs(orders, "slow");
        long start = System.nanoTime();
        assertThat(client.execute(Request.get("http://orders/")).body()).isEqualTo("fast");
        assertThat(System.nanoTime() - start).as("answered by the hedge, long before the slow backend")
                .isLessThan(LONG_READ_TIMEOUT.toNanos() / 4);
        assertThat(slow.requests.get()).as("the slow backend got the first attempt").isEqualTo(1);
        awaitNothingInFlight(orders);
        assertThat(stats(orders, "slow").failures()).as("a slower backend is not punished").isZero();
        assertThat(stats(orders, "slow").successes()).isZero();
        assertThat(stats(orders, "fast").successes()).isEqualTo(1);

        CompletableFuture<Response> async = client.executeAsync(Request.get("http://orders/"));
        if (async != null) {
            // round robin: slow next again (the fast one served the hedge)
            assertThat(async.get(20, TimeUnit.SECONDS).body()).isEqualTo("fast");
            awaitNothingInFlight(orders);
            assertThat(stats(orders, "slow").failures()).isZero();
        }
    }

    @Test
    void aHedgeThatLosesIsCanceledAndNotCharged() throws Exception {
        assumeTrue(supportsHedging(), "the adapter does not support hedging");
        CountDownLatch hedgeArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        register(release::countDown);
        LoopbackServer first = server("first");
        LoopbackServer hedge = server("hedge");
        first.responder = r -> {
            await(hedgeArrived, LONG_READ_TIMEOUT); // answers once the hedge is on its way: the hedge loses
            return 200;
        };
        hedge.responder = r -> {
            hedgeArrived.countDown();
            await(release, LONG_READ_TIMEOUT);
            return 200;
        };
        LoadBalancer orders = pool("orders", first, hedge);
        TestClient client = client(LONG_READ_TIMEOUT, Route.builder("orders", orders)
                .backoff(Duration.ZERO, Duration.ZERO).hedging(Hedging.after(HEDGE_DELAY)).build());
        nextPickIs(orders, "first");
        assertThat(client.execute(Request.get("http://orders/")).body()).isEqualTo("first");
        assertThat(hedge.requests.get()).as("the hedge was sent").isEqualTo(1);
        awaitNothingInFlight(orders);
        assertThat(stats(orders, "hedge").failures() + stats(orders, "hedge").successes())
                .as("the canceled hedge is closed without outcome").isZero();
        assertThat(stats(orders, "first").successes()).isEqualTo(1);
    }

    @Test
    void noHedgeOnceTheRetryBudgetIsSpentAndNeverForAPost() throws Exception {
        assumeTrue(supportsHedging(), "the adapter does not support hedging");
        LoopbackServer slow = server("slow");
        slow.responder = r -> {
            await(new CountDownLatch(1), Duration.ofMillis(300)); // slower than the hedge delay, then answers
            return 200;
        };
        LoopbackServer other = server("other");
        LoadBalancer noBudget = pool("nobudget", slow, other);
        TestClient client = client(LONG_READ_TIMEOUT,
                Route.builder("nobudget", noBudget).backoff(Duration.ZERO, Duration.ZERO).retryBudget(0, 0)
                        .hedging(Hedging.after(HEDGE_DELAY)).build());
        for (int i = 0; i < 2; i++) {
            nextPickIs(noBudget, "slow");
            assertThat(client.execute(Request.get("http://nobudget/")).body()).isEqualTo("slow");
        }
        assertThat(other.requests.get()).as("no hedge without budget").isZero();

        LoopbackServer slowToo = server("slow-too");
        slowToo.responder = slow.responder;
        LoopbackServer spare = server("spare");
        LoadBalancer orders = pool("orders", slowToo, spare);
        TestClient posting = client(LONG_READ_TIMEOUT, Route.builder("orders", orders)
                .backoff(Duration.ZERO, Duration.ZERO).hedging(Hedging.after(HEDGE_DELAY)).build());
        for (int i = 0; i < 2; i++) {
            nextPickIs(orders, "slow-too");
            assertThat(posting.execute(Request.post("http://orders/", "post-" + i)).body()).isEqualTo("slow-too");
        }
        assertThat(spare.requests.get()).as("POSTs are never hedged").isZero();
        assertThat(slowToo.recorded).extracting(r -> r.body).containsExactly("post-0", "post-1");
    }

    private static void await(CountDownLatch latch, Duration bound) {
        try {
            latch.await(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- fixture ----------------------------------------------------------------------------------------------

    private void assertTlsRefused(TestClient client, String url) {
        assertThatThrownBy(() -> client.execute(Request.get(url))).isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(cause(e, SSLException.class)).isNotNull());
    }

    private TestClient tlsClient(TestCertificates certificate, Route route) throws Exception {
        return newTracked(new ClientSetup(List.of(route), false, now::get, new Random(7), LONG_READ_TIMEOUT,
                CALL_TIMEOUT, certificate.clientContext, certificate.trustManager));
    }

    /** A client with routes that pass through unknown hosts, the fake budget clock and seeded jitter. */
    protected TestClient client(Duration readTimeout, Route... routes) throws Exception {
        return newTracked(new ClientSetup(List.of(routes), false, now::get, new Random(7), readTimeout,
                CALL_TIMEOUT, null, null));
    }

    private TestClient newTracked(ClientSetup setup) throws Exception {
        return register(newClient(setup));
    }

    /** A route without backoff, so that retry cases do not wait. */
    protected static Route route(String name, LoadBalancer pool) {
        return Route.builder(name, pool).backoff(Duration.ZERO, Duration.ZERO).build();
    }

    protected LoopbackServer server(String name) throws IOException {
        return register(LoopbackServer.http(name));
    }

    protected <T extends AutoCloseable> T register(T resource) {
        resources.add(resource);
        return resource;
    }

    protected LoadBalancer pool(String name, LoopbackServer... servers) {
        List<Backend> backends = new ArrayList<>();
        for (LoopbackServer s : servers) {
            backends.add(s.backend());
        }
        return pool(name, backends);
    }

    protected LoadBalancer pool(String name, List<Backend> backends) {
        LoadBalancer pool = LoadBalancer.builder(name).strategy(Strategy.roundRobin()).random(new Random(42))
                .backends(backends).build();
        pools.add(pool);
        return pool;
    }

    private static List<Backend> backendsOf(Backend... backends) {
        return List.of(backends);
    }

    protected static BackendStats stats(LoadBalancer pool, String id) {
        return pool.stats().stream().filter(s -> s.backend().id().equals(id)).findFirst().orElseThrow();
    }

    /** Makes a two-backend round-robin pool's next pick {@code id}; probes are closed without an outcome. */
    protected static void nextPickIs(LoadBalancer pool, String id) {
        String picked;
        do {
            try (Selection s = pool.select()) {
                picked = s.backend().id();
            }
        } while (picked.equals(id));
    }

    /**
     * Waits, bounded, until no backend of {@code pool} has a call in flight. A synchronous call releases its slot
     * before it returns; a canceled asynchronous one releases it on the client's thread shortly after.
     */
    protected static void awaitNothingInFlight(LoadBalancer pool) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            List<BackendStats> busy = pool.stats().stream().filter(s -> s.inFlight() != 0).toList();
            if (busy.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("calls still in flight in pool " + pool.name() + ": " + busy);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static Throwable failureOf(CompletableFuture<?> future) throws InterruptedException {
        try {
            future.get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected the call to fail");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the call did not complete", e);
        }
    }

    /** @return {@code t} or its first cause of that type */
    protected static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in the causes of " + t, t);
    }
}
