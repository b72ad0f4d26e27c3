package io.github.lb4j.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.OutlierDetection;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.core.SubsetFallback;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: a route takes a call's subset from a request header or from a percentage split, through the same
 * engine every adapter uses ({@link HttpBalancer#execute} with an in-memory exchange: no client, no network).
 * The pool has three {@code version=v1} backends (a, b, c) and one {@code version=v2} canary (d).
 */
class RouteSubsetTest {

    private static final Map<String, String> V1 = Map.of("version", "v1");
    private static final Map<String, String> V2 = Map.of("version", "v2");

    private final List<LoadBalancer> pools = new ArrayList<>();

    @AfterEach
    void nothingInFlight() {
        for (LoadBalancer pool : pools) {
            assertThat(pool.stats()).allMatch(s -> s.inFlight() == 0);
            pool.close();
        }
    }

    private LoadBalancer.Builder poolBuilder() {
        return LoadBalancer.builder("orders").strategy(Strategy.roundRobin()).random(new Random(42))
                .ticker(() -> 0L) // time stands still: an ejection lasts the whole test
                .slowStart(Duration.ZERO)
                .outlierDetection(OutlierDetection.builder().consecutiveFailures(2).maxEjectionPercent(100).build())
                .backends(List.of(
                        Backend.of("10.0.0.1", 80).withId("a").withMetadata("version", "v1"),
                        Backend.of("10.0.0.2", 80).withId("b").withMetadata("version", "v1"),
                        Backend.of("10.0.0.3", 80).withId("c").withMetadata("version", "v1"),
                        Backend.of("10.0.0.4", 80).withId("d").withMetadata("version", "v2")));
    }

    private LoadBalancer pool(LoadBalancer.Builder builder) {
        LoadBalancer pool = builder.build();
        pools.add(pool);
        return pool;
    }

    private static HttpBalancer balancer(Route.Builder route, long seed) {
        return HttpBalancer.builder().random(new Random(seed))
                .route(route.backoff(Duration.ZERO, Duration.ZERO).build()).build();
    }

    private static void eject(LoadBalancer pool, String id) {
        for (int i = 0; i < 2; i++) {
            pool.select(RequestContext.ofPinned(id)).failure(new IOException("down"));
        }
    }

    /** A GET with the given headers, answered 200 by whichever backend it is sent to; records that backend. */
    static final class Exchange implements HttpExchange<String> {
        private final Map<String, List<String>> headers = new HashMap<>();
        private RequestContext attached;
        ResponseOutcome outcome;

        Exchange header(String name, String value) {
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            return this;
        }

        Exchange attached(RequestContext context) {
            this.attached = context;
            return this;
        }

        @Override
        public HttpRequestView request() {
            return HashKeySourcesTest.request("http://orders/", headers);
        }

        @Override
        public RequestContext context() {
            return attached;
        }

        @Override
        public boolean hasBody() {
            return false;
        }

        @Override
        public boolean bodyReplayable() {
            return true;
        }

        @Override
        public String send(Attempt attempt) {
            return attempt.backend().id();
        }

        @Override
        public HttpResponseView view(String response) {
            return new HttpResponseView() {
                @Override
                public int status() {
                    return 200;
                }

                @Override
                public List<String> headers(String name) {
                    return List.of();
                }
            };
        }

        @Override
        public void discard(String response) {
        }

        @Override
        public String deliver(String response, ResponseOutcome outcome) {
            this.outcome = outcome;
            return response;
        }

        @Override
        public boolean isCanceled() {
            return false;
        }
    }

    /** Runs one call and returns the id of the backend that served it. */
    private static String call(HttpBalancer balancer, Exchange exchange) throws IOException {
        String backend = balancer.execute(balancer.route("orders"), exchange);
        exchange.outcome.finished();
        return backend;
    }

    private static TreeSet<String> servedBy(HttpBalancer balancer, int calls, String canaryHeader)
            throws IOException {
        TreeSet<String> out = new TreeSet<>();
        for (int i = 0; i < calls; i++) {
            Exchange e = new Exchange();
            if (canaryHeader != null) {
                e.header("X-Canary", canaryHeader);
            }
            out.add(call(balancer, e));
        }
        return out;
    }

    @Test
    void theHeaderPicksTheSubsetAndNoHeaderTheWholePool() throws IOException {
        LoadBalancer pool = pool(poolBuilder());
        HttpBalancer balancer = balancer(Route.builder("orders", pool).subsetFromHeader("X-Canary", "version"), 1);
        assertThat(servedBy(balancer, 20, "v2")).containsExactly("d");
        assertThat(servedBy(balancer, 20, "v1")).containsExactly("a", "b", "c");
        assertThat(servedBy(balancer, 20, null)).containsExactly("a", "b", "c", "d");
    }

    @Test
    void unusableHeaderValuesAreIgnoredAsIfTheHeaderWereAbsent() throws IOException {
        LoadBalancer pool = pool(poolBuilder()); // fallback NONE: a subset that matched nothing would fail
        HttpBalancer balancer = balancer(Route.builder("orders", pool).subsetFromHeader("X-Canary", "version"), 1);
        assertThat(servedBy(balancer, 8, "")).containsExactly("a", "b", "c", "d");
        assertThat(servedBy(balancer, 8, "  ")).containsExactly("a", "b", "c", "d");
        assertThat(servedBy(balancer, 8, "v2\n")).containsExactly("a", "b", "c", "d");
        assertThat(servedBy(balancer, 8, "v".repeat(Route.MAX_SUBSET_VALUE_LENGTH + 1)))
                .containsExactly("a", "b", "c", "d");
        assertThat(Route.usableSubsetValue("v".repeat(Route.MAX_SUBSET_VALUE_LENGTH))).isTrue();
        assertThat(Route.usableSubsetValue("v\u007f")).isFalse();
        // The first value of the header counts.
        Exchange twoValues = new Exchange().header("X-Canary", "v2").header("X-Canary", "v1");
        assertThat(call(balancer, twoValues)).isEqualTo("d");
    }

    @Test
    void theHashKeyIsKeptInsideTheSubset() {
        LoadBalancer pool = pool(poolBuilder());
        Route route = Route.builder("orders", pool).hashKeyFromHeader("X-User")
                .subsetFromHeader("X-Canary", "version").subsetSplit(0.5, V2, V1).build();
        Random random = new Random(3);
        RequestContext fromHeader = route.contextOf(new Exchange().header("X-User", "u1").header("X-Canary", "v1")
                .request(), random);
        assertThat(fromHeader.hashKey()).isEqualTo("u1");
        assertThat(fromHeader.subset()).isEqualTo(V1);
        for (int i = 0; i < 20; i++) {
            RequestContext fromSplit = route.contextOf(new Exchange().header("X-User", "u2").request(), random);
            assertThat(fromSplit.hashKey()).isEqualTo("u2");
            assertThat(fromSplit.subset()).isIn(V1, V2);
        }
        RequestContext noKey = route.contextOf(new Exchange().header("X-Canary", "v2").request(), random);
        assertThat(noKey.hashKey()).isNull();
        assertThat(noKey.subset()).isEqualTo(V2);
        Route plain = Route.builder("orders", pool).hashKeyFromHeader("X-User").build();
        assertThat(plain.contextOf(new Exchange().header("X-User", "u3").request(), random).hashKey())
                .isEqualTo("u3");
        assertThat(plain.contextOf(new Exchange().request(), random)).isSameAs(RequestContext.empty());
    }

    /** The canary measure: a canary at 5% gets 5% +- 0.5% over 100 000 requests. */
    @Test
    void aFivePercentSplitSendsFivePercentOfTheCallsToTheCanary() throws IOException {
        LoadBalancer pool = pool(poolBuilder());
        HttpBalancer balancer = balancer(Route.builder("orders", pool).subsetSplit(0.05, V2, V1), 17);
        int calls = 100_000;
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            counts.merge(call(balancer, new Exchange()), 1, Integer::sum);
        }
        double canaryShare = counts.getOrDefault("d", 0) / (double) calls;
        assertThat(canaryShare).as("observed canary share %.4f over %d calls (%s)", canaryShare, calls, counts)
                .isBetween(0.045, 0.055);
        assertThat(counts.keySet()).containsExactlyInAnyOrder("a", "b", "c", "d");
    }

    @Test
    void withoutARestSelectorTheOtherCallsUseTheWholePoolCanaryIncluded() throws IOException {
        LoadBalancer pool = pool(poolBuilder());
        HttpBalancer balancer = balancer(Route.builder("orders", pool).subsetSplit(0.05, V2), 17);
        int calls = 40_000;
        int canary = 0;
        for (int i = 0; i < calls; i++) {
            canary += call(balancer, new Exchange()).equals("d") ? 1 : 0;
        }
        // 5% by the split, and a quarter of the other 95% by the whole pool's rotation: 28.75%.
        double share = canary / (double) calls;
        assertThat(share).as("observed canary share %.4f over %d calls", share, calls).isBetween(0.2775, 0.2975);
    }

    @Test
    void theHeaderWinsOverTheSplitAndAnAttachedContextWinsOverBoth() throws IOException {
        LoadBalancer pool = pool(poolBuilder());
        HttpBalancer balancer = balancer(Route.builder("orders", pool).hashKeyFromHeader("X-User")
                .subsetFromHeader("X-Canary", "version").subsetSplit(0.5, V2, V1), 5);
        assertThat(servedBy(balancer, 200, "v1")).containsExactly("a", "b", "c");
        assertThat(servedBy(balancer, 200, null)).containsExactly("a", "b", "c", "d");
        TreeSet<String> attached = new TreeSet<>();
        for (int i = 0; i < 50; i++) {
            attached.add(call(balancer, new Exchange().header("X-Canary", "v1").header("X-User", "u")
                    .attached(RequestContext.empty().withSubset(V2))));
        }
        assertThat(attached).containsExactly("d");
    }

    @Test
    void anEjectedSubsetWithFallbackAnyIsServedByTheOthers() throws IOException {
        LoadBalancer pool = pool(poolBuilder().subsetFallback(SubsetFallback.ANY));
        HttpBalancer balancer = balancer(Route.builder("orders", pool).subsetFromHeader("X-Canary", "version"), 1);
        assertThat(servedBy(balancer, 4, "v2")).containsExactly("d");
        eject(pool, "d");
        assertThat(servedBy(balancer, 20, "v2")).containsExactly("a", "b", "c");
    }

    @Test
    void anEjectedSubsetWithFallbackNoneFailsTheCall() throws IOException {
        LoadBalancer pool = pool(poolBuilder().subsetFallback(SubsetFallback.NONE));
        HttpBalancer balancer = balancer(Route.builder("orders", pool).subsetFromHeader("X-Canary", "version")
                .subsetSplit(0.5, V1), 1);
        eject(pool, "d");
        assertThatThrownBy(() -> call(balancer, new Exchange().header("X-Canary", "v2")))
                .isInstanceOf(NoBackendAvailableIOException.class);
        assertThat(servedBy(balancer, 20, "v1")).containsExactly("a", "b", "c");
    }

    @Test
    void aHeaderValueBeyondThePoolsSubsetCapGetsTheFallbackNotAnError() throws IOException {
        LoadBalancer pool = pool(poolBuilder().maxSubsets(1)); // fallback NONE
        HttpBalancer balancer = balancer(Route.builder("orders", pool).subsetFromHeader("X-Canary", "version"), 1);
        assertThat(servedBy(balancer, 6, "v1")).containsExactly("a", "b", "c");
        // v2 would match d, but the cap is reached: the pool serves it as an unmatched subset (NONE: fails).
        assertThatThrownBy(() -> call(balancer, new Exchange().header("X-Canary", "v2")))
                .isInstanceOf(NoBackendAvailableIOException.class);
        assertThat(servedBy(balancer, 6, "v1")).containsExactly("a", "b", "c");
    }

    @Test
    void badInputIsRejectedNamingTheValue() {
        LoadBalancer pool = pool(poolBuilder());
        Route.Builder b = Route.builder("orders", pool);
        assertThatThrownBy(() -> b.subsetFromHeader(null, "version"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("headerName must not be null, got null");
        assertThatThrownBy(() -> b.subsetFromHeader("", "version"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("headerName must not be empty, got ''");
        assertThatThrownBy(() -> b.subsetFromHeader(" ", "version"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("headerName must be an HTTP token, got ' '");
        assertThatThrownBy(() -> b.subsetFromHeader("X-Canary", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metadataKey must not be null or blank, got null");
        assertThatThrownBy(() -> b.subsetFromHeader("X-Canary", " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metadataKey must not be null or blank, got ' '");
        assertThatThrownBy(() -> b.subsetFromHeader("X-Canary", "ver\u0001sion"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metadataKey must not contain control characters, got 'ver?sion'");
        for (double bad : new double[] {0.0, 1.0, -0.1, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> b.subsetSplit(bad, V2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("subsetSplit share must be more than 0 and less than 1, got " + bad);
        }
        assertThatThrownBy(() -> b.subsetSplit(0.05, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("subsetSplit selector must not be empty, got {}");
        assertThatThrownBy(() -> b.subsetSplit(0.05, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("subsetSplit selector must not be empty, got null");
        assertThatThrownBy(() -> b.subsetSplit(0.05, V2, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("subsetSplit rest must not be empty, got {}");
        assertThatThrownBy(() -> b.subsetSplit(0.05, V2, Map.of("version", "v2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("subsetSplit rest must differ from selector, got {version=v2} for both");
        assertThatThrownBy(() -> b.subsetSplit(0.05, Map.of(" ", "v2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("subset: metadata keys must not be blank, got ' '");
        // A rejected setter leaves the builder as it was: a route without subsets.
        Route route = b.build();
        assertThat(route.subsetHeader).isNull();
        assertThat(route.splitContext).isNull();
    }
}
