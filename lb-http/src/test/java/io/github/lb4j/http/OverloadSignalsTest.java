package io.github.lb4j.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendHealth;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.http.BalancedCallTest.FakeExchange;
import io.github.lb4j.http.BalancedCallTest.FakeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine and {@code Retry-After}: a 429 or 503 that carries it takes its backend out for the window on the
 * pool's (fake) ticker, the retry never goes back to it, and a pool whose every backend said so fails at once.
 */
class OverloadSignalsTest {

    private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private final List<LoadBalancer> pools = new ArrayList<>();

    @AfterEach
    void nothingInFlight() {
        for (LoadBalancer pool : pools) {
            assertThat(pool.stats()).allMatch(s -> s.inFlight() == 0);
            pool.close();
        }
    }

    private LoadBalancer pool(String... ids) {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            backends.add(Backend.of("10.0.0." + (i + 1), 80).withId(ids[i]));
        }
        LoadBalancer pool = LoadBalancer.builder("orders").strategy(Strategy.roundRobin()).random(new Random(42))
                .ticker(now::get).slowStart(Duration.ZERO).backends(backends).build();
        pools.add(pool);
        return pool;
    }

    private static HttpBalancer balancer(Route.Builder route) {
        return HttpBalancer.builder().route(route.backoff(Duration.ZERO, Duration.ZERO).build()).build();
    }

    /** Answers {@code status(backend)}, with {@code Retry-After: retryAfter(backend)} where that is not null. */
    static final class Answers extends FakeExchange {
        private final Function<String, String> retryAfter;

        Answers(String method, Function<String, Integer> status, Function<String, String> retryAfter) {
            super(method, attempt -> status.apply(attempt.backend().id()));
            this.retryAfter = retryAfter;
        }

        @Override
        public HttpResponseView view(FakeResponse response) {
            return new HttpResponseView() {
                @Override
                public int status() {
                    return response.status;
                }

                @Override
                public List<String> headers(String name) {
                    String v = name.equalsIgnoreCase("Retry-After") ? retryAfter.apply(response.backend) : null;
                    return v == null ? List.of() : List.of(v);
                }
            };
        }
    }

    private static Answers get(Function<String, Integer> status, Function<String, String> retryAfter) {
        return new Answers("GET", status, retryAfter);
    }

    private static FakeResponse call(HttpBalancer balancer, FakeExchange exchange) throws Exception {
        FakeResponse r = balancer.execute(balancer.route("orders"), exchange);
        if (r.outcome != null) {
            r.outcome.finished();
        }
        return r;
    }

    private static BackendStats stats(LoadBalancer pool, String id) {
        return pool.stats().stream().filter(s -> s.backend().id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void a503WithRetryAfterIsRetriedElsewhereAndItsBackendLeftOutForTheWindowOnly() throws Exception {
        LoadBalancer pool = pool("a", "b", "c");
        HttpBalancer balancer = balancer(Route.builder("orders", pool));
        AtomicReference<String> paused = new AtomicReference<>();
        Answers first = get(id -> paused.compareAndSet(null, id) || id.equals(paused.get()) ? 503 : 200,
                id -> id.equals(paused.get()) ? "30" : null);
        assertThat(call(balancer, first).status).isEqualTo(200);
        String a = paused.get();
        assertThat(first.sentTo).hasSize(2).startsWith(a).doesNotHaveDuplicates();
        assertThat(stats(pool, a).health()).isEqualTo(BackendHealth.OVERLOADED);
        assertThat(stats(pool, a).failures()).as("not a crash").isZero();

        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Answers later = get(id -> 200, id -> null);
            call(balancer, later);
            seen.addAll(later.sentTo);
        }
        assertThat(seen).doesNotContain(a).hasSize(20);

        now.addAndGet(TimeUnit.SECONDS.toNanos(30));
        for (int i = 0; i < 3; i++) {
            Answers back = get(id -> 200, id -> null);
            call(balancer, back);
            seen.addAll(back.sentTo);
        }
        assertThat(seen.subList(20, 23)).contains(a);
        assertThat(stats(pool, a).health()).isEqualTo(BackendHealth.HEALTHY);
    }

    @Test
    void theRetryNeverGoesBackToTheOnlyBackendThatAskedForAPause() throws Exception {
        LoadBalancer pool = pool("a");
        HttpBalancer balancer = balancer(Route.builder("orders", pool).maxAttempts(3));
        // Without Retry-After the route retries the 503 on the only backend there is (the exclusion is waived).
        Answers plain = get(id -> 503, id -> null);
        assertThat(call(balancer, plain).status).isEqualTo(503);
        assertThat(plain.sentTo).containsExactly("a", "a", "a");
        // With it, never inside the window: the answer itself comes back.
        Answers paused = get(id -> 503, id -> "5");
        FakeResponse r = call(balancer, paused);
        assertThat(r.status).isEqualTo(503);
        assertThat(r.outcome.isFailure()).isFalse();
        assertThat(paused.sentTo).containsExactly("a");
    }

    @Test
    void whenEveryBackendSaysSoTheNextCallFailsAtOnceWithTheReasonSyncAndAsync() throws Exception {
        LoadBalancer pool = pool("a", "b");
        HttpBalancer balancer = balancer(Route.builder("orders", pool).maxAttempts(5).retryOnStatus(429, 503));
        Answers busy = get(id -> id.equals("a") ? 429 : 503, id -> id.equals("a") ? "20" : "10");
        FakeResponse r = call(balancer, busy);
        assertThat(busy.sentTo).as("one attempt each, no spin").containsExactlyInAnyOrder("a", "b");
        assertThat(r.backend).as("the last answer is returned, as for any status that cannot be retried")
                .isEqualTo(busy.sentTo.get(1));

        Answers next = get(id -> 200, id -> null);
        assertThatThrownBy(() -> balancer.execute(balancer.route("orders"), next))
                .isInstanceOfSatisfying(NoBackendAvailableIOException.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(10));
                    assertThat(e).hasMessageContaining("2 overloaded").hasMessageContaining("due back in 10s");
                });
        assertThat(next.sentTo).isEmpty();
        Answers async = get(id -> 200, id -> null);
        assertThatThrownBy(() -> balancer.executeAsync(balancer.route("orders"), async).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NoBackendAvailableIOException.class);
        assertThat(stats(pool, "a").failures() + stats(pool, "b").failures()).isZero();

        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        Answers again = get(id -> 200, id -> null);
        assertThat(call(balancer, again).status).isEqualTo(200);
        assertThat(again.sentTo).containsExactly("b");
    }

    @Test
    void a429ThatIsNotRetriedIsDeliveredAndStillPausesItsBackend() throws Exception {
        LoadBalancer pool = pool("a", "b");
        HttpBalancer balancer = balancer(Route.builder("orders", pool)
                .failureWhen(response -> response.status() >= 400));
        Answers limited = get(id -> 429, id -> "Fri, 31 Dec 9999 23:59:59 GMT");
        FakeResponse r = call(balancer, limited);
        assertThat(r.status).isEqualTo(429);
        assertThat(limited.sentTo).as("429 is not retried by default").hasSize(1);
        assertThat(stats(pool, r.backend).health()).isEqualTo(BackendHealth.OVERLOADED);
        assertThat(stats(pool, r.backend).failures()).as("the signal wins over the classifier").isZero();
        now.addAndGet(Selection.MAX_RETRY_AFTER.toNanos() - 1);
        assertThat(stats(pool, r.backend).health()).isEqualTo(BackendHealth.OVERLOADED);
        now.addAndGet(1);
        assertThat(stats(pool, r.backend).health()).as("a far date is cut to the cap")
                .isEqualTo(BackendHealth.HEALTHY);
    }

    @Test
    void aRouteThatDoesNotHonorRetryAfterClassifiesTheAnswerAsUsual() throws Exception {
        LoadBalancer pool = pool("a", "b");
        HttpBalancer balancer = balancer(Route.builder("orders", pool).honorRetryAfter(false).retryOnStatus());
        FakeResponse r = call(balancer, get(id -> 503, id -> "30"));
        assertThat(r.outcome.isFailure()).isTrue();
        assertThat(stats(pool, r.backend).failures()).isEqualTo(1);
        assertThat(pool.stats()).allMatch(s -> s.health() == BackendHealth.HEALTHY);
    }

    @Test
    void aMalformedRetryAfterLeavesTheResponseToTheClassifier() throws Exception {
        LoadBalancer pool = pool("a", "b");
        HttpBalancer balancer = balancer(Route.builder("orders", pool).retryOnStatus());
        FakeResponse r = call(balancer, get(id -> 503, id -> "-1"));
        assertThat(r.status).isEqualTo(503);
        assertThat(stats(pool, r.backend).failures()).isEqualTo(1);
        assertThat(pool.stats()).allMatch(s -> s.health() == BackendHealth.HEALTHY);
    }
}
