package io.github.lb4j.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.http.BalancedCallTest.FakeExchange;
import io.github.lb4j.http.BalancedCallTest.LbProbe;
import io.github.lb4j.http.TailLatencyTest.FakeTimer;
import io.github.lb4j.http.TailLatencyTest.RaceExchange;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a {@link RouteListener} is told, step by step, for scripted calls: first attempts, retries, hedges, budget
 * refusals, per-try timeouts and each final outcome, with durations on the balancer's fake ticker. Synchronous and
 * asynchronous paths, with and without racing.
 */
class RouteListenerTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private final FakeTimer timer = new FakeTimer(now);
    private final Recorder recorder = new Recorder();
    private final LoadBalancer pool = LoadBalancer.builder("orders").strategy(Strategy.roundRobin())
            .random(new Random(42))
            .backends(List.of(Backend.of("10.0.0.1", 80).withId("a"), Backend.of("10.0.0.2", 80).withId("b")))
            .build();

    @AfterEach
    void nothingInFlight() {
        assertThat(pool.stats()).allMatch(s -> s.inFlight() == 0);
        pool.close();
    }

    /** Records every step as one line. */
    static final class Recorder implements RouteListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public CallListener callStarted(Route route, HttpRequestView request) {
            events.add("start " + route.name() + " " + request.method());
            return new CallListener() {
                @Override
                public void attemptStarted(Attempt attempt, AttemptKind kind) {
                    events.add(kind.label() + " " + attempt.number() + " " + attempt.backend().id());
                }

                @Override
                public void budgetRefused(AttemptKind kind) {
                    events.add("refused " + kind.label());
                }

                @Override
                public void perTryTimeout(Attempt attempt) {
                    events.add("timeout " + attempt.backend().id());
                }

                @Override
                public void callFinished(Outcome outcome, Throwable failure, long durationNanos) {
                    events.add("end " + outcome.label() + (failure == null ? "" : " " + failure.getClass()
                            .getSimpleName()) + " " + durationNanos / MS + "ms");
                }
            };
        }
    }

    private HttpBalancer balancer(Route.Builder route) {
        return HttpBalancer.builder().route(route.backoff(Duration.ZERO, Duration.ZERO).listener(recorder).build())
                .ticker(now::get).timer(timer).build();
    }

    /** An exchange whose attempts each take 7 ms on the fake clock, then answer by backend. */
    private FakeExchange sevenMsEach(String method, Object fromA, Object fromB) {
        return new FakeExchange(method, attempt -> {
            now.addAndGet(7 * MS);
            return attempt.backend().id().equals("a") ? fromA : fromB;
        });
    }

    @Test
    void aRetryOnAStatusIsToldAsFirstThenRetryAndTheCallAsASuccessSyncAndAsync() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool));
        LbProbe.nextPickIs(pool, "a");
        balancer.execute(balancer.route("orders"), sevenMsEach("GET", 503, 200)).outcome.finished();
        LbProbe.nextPickIs(pool, "a");
        balancer.executeAsync(balancer.route("orders"), sevenMsEach("PUT", 503, 200))
                .get(5, TimeUnit.SECONDS).outcome.finished();
        assertThat(recorder.events).containsExactly(
                "start orders GET", "first 1 a", "retry 2 b", "end success 14ms",
                "start orders PUT", "first 1 a", "retry 2 b", "end success 14ms");
    }

    @Test
    void aRetryTheBudgetRefusesIsToldAndTheCallEndsInError() {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).retryBudget(0, 0));
        LbProbe.nextPickIs(pool, "a");
        assertThatThrownBy(() -> balancer.execute(balancer.route("orders"),
                sevenMsEach("GET", new ConnectException("refused"), 200))).isInstanceOf(ConnectException.class);
        assertThat(recorder.events).containsExactly("start orders GET", "first 1 a", "refused retry",
                "end error ConnectException 7ms");
    }

    @Test
    void aResponseTheClassifierCountsAsAFailureEndsTheCallAsAFailure() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).maxAttempts(1));
        LbProbe.nextPickIs(pool, "a");
        balancer.executeAsync(balancer.route("orders"), sevenMsEach("GET", 500, 200))
                .get(5, TimeUnit.SECONDS).outcome.finished();
        assertThat(recorder.events).containsExactly("start orders GET", "first 1 a", "end failure 7ms");
    }

    @Test
    void aPerTryTimeoutIsToldBeforeTheRetryItCauses() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(200)));
        LbProbe.nextPickIs(pool, "a");
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<TailLatencyTest.FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        timer.advance(200 * MS);
        timer.advance(30 * MS);
        get.answer("b", 200);
        call.get(5, TimeUnit.SECONDS).outcome.finished();
        assertThat(recorder.events).containsExactly("start orders GET", "first 1 a", "timeout a", "retry 2 b",
                "end success 230ms");
    }

    @Test
    void aHedgeIsToldAsAHedgeAndOneTheBudgetRefusesAsARefusedHedge() throws Exception {
        HttpBalancer hedged = balancer(Route.builder("orders", pool).hedging(Hedging.after(Duration.ofMillis(50))));
        LbProbe.nextPickIs(pool, "a");
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<TailLatencyTest.FakeResponse> call = hedged.executeAsync(hedged.route("orders"), get);
        timer.advance(60 * MS);
        get.answer("b", 200);
        call.get(5, TimeUnit.SECONDS).outcome.finished();
        assertThat(recorder.events).containsExactly("start orders GET", "first 1 a", "hedge 2 b",
                "end success 60ms");

        recorder.events.clear();
        HttpBalancer broke = balancer(Route.builder("orders", pool).retryBudget(0, 0)
                .hedging(Hedging.after(Duration.ofMillis(50))));
        RaceExchange again = new RaceExchange("GET");
        CompletableFuture<TailLatencyTest.FakeResponse> call2 = broke.executeAsync(broke.route("orders"), again);
        timer.advance(60 * MS);
        again.answer(again.backends().get(0), 200);
        call2.get(5, TimeUnit.SECONDS).outcome.finished();
        assertThat(recorder.events).containsExactly("start orders GET", "first 1 " + again.backends().get(0),
                "refused hedge", "end success 60ms");
    }

    @Test
    void aCanceledCallIsToldOnceAsCanceled() {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(200)));
        LbProbe.nextPickIs(pool, "a");
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<TailLatencyTest.FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        now.addAndGet(5 * MS);
        call.cancel(true);
        timer.advance(300 * MS);
        assertThat(recorder.events).containsExactly("start orders GET", "first 1 a",
                "end canceled CancellationException 5ms");
    }

    @Test
    void aListenerThatThrowsDoesNotBreakTheCallAndEachAddedListenerIsTold() throws Exception {
        RouteListener throwing = (route, request) -> new CallListener() {
            @Override
            public void attemptStarted(Attempt attempt, RouteListener.AttemptKind kind) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void callFinished(RouteListener.Outcome outcome, Throwable failure, long durationNanos) {
                throw new IllegalStateException("listener bug");
            }
        };
        RouteListener ignoring = (route, request) -> CallListener.NONE;
        Route route = Route.builder("orders", pool).listener(throwing).listener(ignoring).build();
        HttpBalancer balancer = balancer(Route.builder("orders", pool).listener(throwing));
        LbProbe.nextPickIs(pool, "a");
        balancer.execute(balancer.route("orders"), sevenMsEach("GET", 503, 200)).outcome.finished();
        assertThat(recorder.events).containsExactly("start orders GET", "first 1 a", "retry 2 b",
                "end success 14ms");
        assertThat(route.listener()).isNotNull();
        assertThat(Route.builder("orders", pool).build().listener()).isNull();
        assertThatThrownBy(() -> Route.builder("orders", pool).listener(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("listener");
    }

    @Test
    void aSynchronousRacingCallThatFailsIsToldAsAnError() {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(100))
                .maxAttempts(1));
        RaceExchange get = new RaceExchange("GET");
        get.concurrent = false;
        CompletableFuture<Void> call = CompletableFuture.runAsync(() -> {
            try {
                balancer.execute(balancer.route("orders"), get);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        get.awaitSent(1);
        timer.advance(100 * MS);
        assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IOException.class);
        assertThat(recorder.events).containsExactly("start orders GET", "first 1 " + get.backends().get(0),
                "timeout " + get.backends().get(0), "end error PerTryTimeoutException 100ms");
    }
}
