package io.github.lb4j.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-try timeouts and hedging (issue 15) through the adapter SPI, with an in-memory exchange whose attempts the test
 * answers by hand and timers on a fake clock: no network, no sleeping. Every case ends with nothing in flight.
 */
class TailLatencyTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private final FakeTimer timer = new FakeTimer(now);
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final LoadBalancer pool = LoadBalancer.builder("orders").strategy(Strategy.roundRobin())
            .random(new Random(42))
            .backends(List.of(Backend.of("10.0.0.1", 80).withId("a"), Backend.of("10.0.0.2", 80).withId("b"),
                    Backend.of("10.0.0.3", 80).withId("c")))
            .build();

    @AfterEach
    void nothingInFlight() throws InterruptedException {
        try {
            awaitNothingInFlight();
        } finally {
            threads.shutdownNow();
            assertThat(threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            pool.close();
        }
    }

    // ---- bad input --------------------------------------------------------------------------------------------

    @Test
    void badInputIsRejectedNamingTheFieldAndValue() {
        Route.Builder b = Route.builder("orders", pool);
        assertThatThrownBy(() -> b.perTryTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("perTryTimeout").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> b.perTryTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> b.perTryTimeout(Duration.ofHours(2))).hasMessageContaining("PT2H");
        assertThatThrownBy(() -> Hedging.after(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hedging delay").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Hedging.after(Duration.ofMillis(-5))).hasMessageContaining("PT-0.005S");
        for (double p : new double[] {0, 100, -1, 101, Double.NaN}) {
            assertThatThrownBy(() -> Hedging.atPercentile(p)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("percentile").hasMessageContaining(String.valueOf(p));
        }
        assertThatThrownBy(() -> Hedging.atPercentile(95).minDelay(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minDelay");
        assertThatThrownBy(() -> Hedging.after(Duration.ofMillis(5)).minDelay(Duration.ofMillis(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("minDelay");
        assertThatThrownBy(() -> Hedging.after(Duration.ofMillis(5)).maxHedges(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxHedges")
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> Hedging.after(Duration.ofMillis(5)).maxHedges(10)).hasMessageContaining("got 10");
        assertThatThrownBy(() -> b.idempotentMethods("GET", "BAD METHOD"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BAD METHOD");
        assertThatThrownBy(() -> Route.builder("orders", pool).idempotentMethods()
                .hedging(Hedging.after(Duration.ofMillis(5))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotentMethods")
                .hasMessageContaining("orders");
        Hedging h = Hedging.atPercentile(95);
        assertThat(h.minDelay()).isEqualTo(Hedging.DEFAULT_MIN_DELAY);
        assertThat(h.maxHedges()).isEqualTo(1);
        assertThat(h.delay()).isNull();
        assertThat(Hedging.after(Duration.ofMillis(50)).maxHedges(2).delay()).isEqualTo(Duration.ofMillis(50));
        Route r = Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(200)).hedging(h).build();
        assertThat(r.perTryTimeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(r.hedging()).isEqualTo(h);
        assertThat(r.idempotentMethods()).containsExactlyInAnyOrder("GET", "HEAD", "OPTIONS", "PUT", "DELETE",
                "TRACE");
    }

    // ---- per-try timeout --------------------------------------------------------------------------------------

    @Test
    void aPerTryTimeoutCancelsTheAttemptChargesItsBackendAndRetriesElsewhereAsync() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(200)));
        nextPickIs("a");
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        assertThat(get.backends()).containsExactly("a");
        timer.advance(199 * MS);
        assertThat(get.backends()).containsExactly("a");
        timer.advance(MS);
        assertThat(get.sent.get(0).future).isCancelled();
        assertThat(get.cancelled).containsExactly("a");
        assertThat(stats("a").failures()).isEqualTo(1);
        assertThat(get.backends()).containsExactly("a", "b");
        get.answer("b", 200);
        FakeResponse r = call.get(5, TimeUnit.SECONDS);
        assertThat(r.backend).isEqualTo("b");
        r.outcome.finished();
        assertThat(stats("b").successes()).isEqualTo(1);
    }

    @Test
    void aPerTryTimeoutOfAPostFailsTheCallWithATimeoutNamingRouteAndDuration() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(200)));
        RaceExchange post = new RaceExchange("POST");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), post);
        post.sent.get(0).attempt.bodyWriteStarted();
        timer.advance(200 * MS);
        assertThat(failureOf(call)).isInstanceOf(PerTryTimeoutException.class)
                .isInstanceOf(java.net.SocketTimeoutException.class)
                .hasMessageContaining("per-try timeout of route 'orders' after 200 ms");
        assertThat(post.sent).hasSize(1);
        assertThat(pool.stats().stream().mapToLong(BackendStats::failures).sum()).isEqualTo(1);
    }

    @Test
    void everyAttemptTimedOutFailsWithTheLastTimeoutAndTheEarlierAttached() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(100))
                .maxAttempts(2));
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        timer.advance(100 * MS);
        timer.advance(100 * MS);
        Throwable failure = failureOf(call);
        assertThat(failure).isInstanceOf(PerTryTimeoutException.class);
        assertThat(failure.getSuppressed()).hasSize(1).allMatch(s -> s instanceof PerTryTimeoutException);
        assertThat(get.sent).hasSize(2);
    }

    @Test
    void anAnswerInTimeCancelsThePerTryTimer() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(100)));
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        timer.advance(99 * MS);
        get.answer(get.backends().get(0), 200);
        call.get(5, TimeUnit.SECONDS).outcome.finished();
        assertThat(timer.pending()).isZero();
        timer.advance(10 * MS);
        assertThat(get.sent).hasSize(1);
        assertThat(pool.stats().stream().mapToLong(BackendStats::failures).sum()).isZero();
    }

    @Test
    void aPerTryTimeoutRetriesASynchronousCallElsewhere() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(200)));
        nextPickIs("a");
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = runSync(balancer, get);
        get.awaitSent(1);
        timer.advance(200 * MS);
        get.awaitSent(2);
        assertThat(get.cancelled).containsExactly("a");
        assertThat(get.interruptedOrCanceled("a")).isTrue();
        get.answer("b", 200);
        FakeResponse r = call.get(5, TimeUnit.SECONDS);
        assertThat(r.backend).isEqualTo("b");
        r.outcome.finished();
        assertThat(stats("a").failures()).isEqualTo(1);
        assertThat(get.sendThreads).doesNotContain(get.callerThread);
    }

    @Test
    void withoutConcurrentAttemptsThePerTryTimeoutCancelsOnTheCallersThreadAndNeverHedges() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(200))
                .hedging(Hedging.after(Duration.ofMillis(50))));
        nextPickIs("a");
        RaceExchange get = new RaceExchange("GET");
        get.concurrent = false;
        CompletableFuture<FakeResponse> call = runSync(balancer, get);
        get.awaitSent(1);
        timer.advance(50 * MS);
        assertThat(get.sent).as("no sync hedge without concurrent attempts").hasSize(1);
        timer.advance(150 * MS);
        get.awaitSent(2);
        assertThat(get.cancelled).containsExactly("a");
        get.answer("b", 200);
        FakeResponse r = call.get(5, TimeUnit.SECONDS);
        r.outcome.finished();
        assertThat(r.backend).isEqualTo("b");
        assertThat(stats("a").failures()).isEqualTo(1);
        assertThat(get.sendThreads).containsOnly(get.callerThread);
    }

    // ---- hedging ----------------------------------------------------------------------------------------------

    @Test
    void aHedgeThatAnswersFirstWinsAndTheSlowAttemptIsClosedWithoutOutcomeAsync() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).hedging(Hedging.after(Duration.ofMillis(50))));
        nextPickIs("a");
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        timer.advance(49 * MS);
        assertThat(get.backends()).containsExactly("a");
        timer.advance(MS);
        assertThat(get.backends()).containsExactly("a", "b");
        assertThat(stats("a").inFlight()).isEqualTo(1);
        assertThat(stats("b").inFlight()).isEqualTo(1);
        get.answer("b", 200);
        FakeResponse r = call.get(5, TimeUnit.SECONDS);
        assertThat(r.backend).isEqualTo("b");
        assertThat(get.sent.get(0).future).isCancelled();
        assertThat(stats("a").inFlight()).isZero();
        assertThat(stats("a").failures()).isZero();
        assertThat(stats("a").successes()).isZero();
        r.outcome.finished();
        assertThat(stats("b").successes()).isEqualTo(1);
        assertThat(timer.pending()).isZero();
    }

    @Test
    void aFirstAttemptThatAnswersAfterTheHedgeStartedWinsAndTheHedgeIsCanceled() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).hedging(Hedging.after(Duration.ofMillis(50))));
        nextPickIs("a");
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        timer.advance(50 * MS);
        get.answer("a", 200);
        FakeResponse r = call.get(5, TimeUnit.SECONDS);
        assertThat(r.backend).isEqualTo("a");
        assertThat(get.sent.get(1).future).isCancelled();
        assertThat(get.cancelled).containsExactly("b");
        assertThat(stats("b").inFlight()).isZero();
        assertThat(stats("b").failures() + stats("b").successes()).isZero();
        r.outcome.finished();
        // the loser answering late changes nothing
        get.sent.get(1).future.obtrudeValue(new FakeResponse(200, "b"));
        assertThat(stats("b").successes()).isZero();
    }

    @Test
    void aHedgeRacesOnTheSynchronousPathAndTheLoserIsCanceled() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).hedging(Hedging.after(Duration.ofMillis(50))));
        nextPickIs("a");
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = runSync(balancer, get);
        get.awaitSent(1);
        timer.advance(50 * MS);
        get.awaitSent(2);
        get.answer("b", 200);
        FakeResponse r = call.get(5, TimeUnit.SECONDS);
        assertThat(r.backend).isEqualTo("b");
        assertThat(stats("a").inFlight()).as("the loser's slot is released before the winner is returned").isZero();
        assertThat(get.cancelled).containsExactly("a");
        assertThat(stats("a").failures() + stats("a").successes()).isZero();
        r.outcome.finished();
        get.awaitSendsReturned();
    }

    @Test
    void aLateAnswerOfAnAbandonedSynchronousAttemptIsDiscarded() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).hedging(Hedging.after(Duration.ofMillis(50))));
        nextPickIs("a");
        RaceExchange get = new RaceExchange("GET");
        get.stubborn = true;
        CompletableFuture<FakeResponse> call = runSync(balancer, get);
        get.awaitSent(1);
        timer.advance(50 * MS);
        get.awaitSent(2);
        get.answer("b", 200);
        FakeResponse r = call.get(5, TimeUnit.SECONDS);
        assertThat(r.backend).isEqualTo("b");
        assertThat(stats("a").inFlight()).as("closed at once, though its send still blocks").isZero();
        // The interrupt is sent before the winner is returned, but the blocked thread notes it when it wakes up,
        // on its own schedule: wait for that, bounded.
        long interruptDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!get.interrupted.contains("a") && System.nanoTime() < interruptDeadline) {
            LockSupport.parkNanos(MS);
        }
        assertThat(get.interrupted).as("the abandoned attempt's thread was interrupted").contains("a");
        FakeResponse late = get.answer("a", 200);
        get.awaitSendsReturned();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!late.discarded && System.nanoTime() < deadline) {
            LockSupport.parkNanos(MS);
        }
        assertThat(late.discarded).as("the late response is discarded").isTrue();
        assertThat(stats("a").successes() + stats("a").failures()).isZero();
        r.outcome.finished();
    }

    @Test
    void noHedgeOnceTheRetryBudgetIsSpent() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).retryBudget(0, 0)
                .hedging(Hedging.after(Duration.ofMillis(50))));
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        timer.advance(500 * MS);
        assertThat(get.sent).hasSize(1);
        get.answer(get.backends().get(0), 200);
        call.get(5, TimeUnit.SECONDS).outcome.finished();
    }

    @Test
    void eachHedgeSpendsOneRetryFromTheBudget() throws Exception {
        // 0 per call, 1 per second over the 10-second window: 10 hedges, then none.
        HttpBalancer balancer = balancer(Route.builder("orders", pool).retryBudget(0, 1)
                .hedging(Hedging.after(Duration.ofMillis(50))));
        int hedged = 0;
        for (int i = 0; i < 15; i++) {
            RaceExchange get = new RaceExchange("GET");
            CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
            timer.advance(50 * MS);
            hedged += get.sent.size() - 1;
            get.answer(get.backends().get(0), 200);
            call.get(5, TimeUnit.SECONDS).outcome.finished();
        }
        assertThat(hedged).isEqualTo(10);
    }

    @Test
    void aPostIsNeverHedgedUnlessTheRouteOrTheRequestSaysItIsIdempotent() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).hedging(Hedging.after(Duration.ofMillis(50))));
        RaceExchange post = new RaceExchange("POST");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), post);
        timer.advance(500 * MS);
        assertThat(post.sent).hasSize(1);
        post.answer(post.backends().get(0), 200);
        call.get(5, TimeUnit.SECONDS).outcome.finished();

        RaceExchange tagged = new RaceExchange("POST");
        tagged.idempotency = Idempotency.IDEMPOTENT;
        call = balancer.executeAsync(balancer.route("orders"), tagged);
        timer.advance(50 * MS);
        assertThat(tagged.sent).hasSize(2);
        tagged.answer(tagged.backends().get(1), 200);
        call.get(5, TimeUnit.SECONDS).outcome.finished();

        RaceExchange notIdempotentGet = new RaceExchange("GET");
        notIdempotentGet.idempotency = Idempotency.NOT_IDEMPOTENT;
        call = balancer.executeAsync(balancer.route("orders"), notIdempotentGet);
        timer.advance(500 * MS);
        assertThat(notIdempotentGet.sent).hasSize(1);
        notIdempotentGet.answer(notIdempotentGet.backends().get(0), 200);
        call.get(5, TimeUnit.SECONDS).outcome.finished();

        HttpBalancer postsIdempotent = balancer(Route.builder("orders", pool).idempotentMethods("GET", "POST")
                .hedging(Hedging.after(Duration.ofMillis(50))));
        RaceExchange routePost = new RaceExchange("POST");
        call = postsIdempotent.executeAsync(postsIdempotent.route("orders"), routePost);
        timer.advance(50 * MS);
        assertThat(routePost.sent).hasSize(2);
        routePost.answer(routePost.backends().get(0), 200);
        call.get(5, TimeUnit.SECONDS).outcome.finished();

        RaceExchange syncPost = new RaceExchange("POST");
        CompletableFuture<FakeResponse> sync = runSync(balancer, syncPost);
        syncPost.awaitSent(1);
        timer.advance(500 * MS);
        syncPost.answer(syncPost.backends().get(0), 200);
        sync.get(5, TimeUnit.SECONDS).outcome.finished();
        assertThat(syncPost.sent).hasSize(1);
    }

    @Test
    void upToMaxHedgesEachADelayAfterThePreviousAndNeverTheSameBackendTwice() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool)
                .hedging(Hedging.after(Duration.ofMillis(50)).maxHedges(2)));
        nextPickIs("a");
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        timer.advance(50 * MS);
        assertThat(get.backends()).containsExactly("a", "b");
        timer.advance(49 * MS);
        assertThat(get.backends()).hasSize(2);
        timer.advance(MS);
        assertThat(get.backends()).containsExactly("a", "b", "c");
        timer.advance(500 * MS);
        assertThat(get.backends()).hasSize(3);
        get.answer("c", 200);
        call.get(5, TimeUnit.SECONDS).outcome.finished();
        assertThat(get.cancelled).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aRetryableStatusFromOneRacerWaitsForTheOther() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).hedging(Hedging.after(Duration.ofMillis(50))));
        nextPickIs("a");
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        timer.advance(50 * MS);
        get.answer("b", 503);
        assertThat(call).isNotDone();
        assertThat(stats("b").failures()).isEqualTo(1);
        get.answer("a", 200);
        FakeResponse r = call.get(5, TimeUnit.SECONDS);
        assertThat(r.backend).isEqualTo("a");
        r.outcome.finished();
    }

    @Test
    void aFailedFirstAttemptLeavesTheHedgeToAnswer() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).hedging(Hedging.after(Duration.ofMillis(50))));
        nextPickIs("a");
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        timer.advance(50 * MS);
        get.fail("a", new IOException("reset"));
        assertThat(get.sent).hasSize(2);
        get.answer("b", 200);
        FakeResponse r = call.get(5, TimeUnit.SECONDS);
        assertThat(r.backend).isEqualTo("b");
        r.outcome.finished();
        assertThat(stats("a").failures()).isEqualTo(1);
    }

    @Test
    void perTryTimeoutAndHedgingTogether() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(200))
                .maxAttempts(2).hedging(Hedging.after(Duration.ofMillis(50))));
        nextPickIs("a");
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        timer.advance(50 * MS); // hedge on b
        timer.advance(150 * MS); // a times out: b races on, no retry yet
        assertThat(get.backends()).containsExactly("a", "b");
        assertThat(stats("a").failures()).isEqualTo(1);
        timer.advance(50 * MS); // b times out too: the retry (attempt 2 of 2) goes to c
        assertThat(get.backends()).containsExactly("a", "b", "c");
        get.answer("c", 200);
        FakeResponse r = call.get(5, TimeUnit.SECONDS);
        assertThat(r.backend).isEqualTo("c");
        r.outcome.finished();
    }

    @Test
    void cancelingTheCallClosesEveryRacerWithoutOutcome() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).hedging(Hedging.after(Duration.ofMillis(50))));
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        timer.advance(50 * MS);
        assertThat(pool.stats().stream().mapToLong(BackendStats::inFlight).sum()).isEqualTo(2);
        call.cancel(true);
        awaitNothingInFlight();
        assertThat(get.sent).allMatch(s -> s.future.isCancelled());
        assertThat(pool.stats()).allMatch(s -> s.failures() == 0 && s.successes() == 0);
        assertThat(timer.pending()).isZero();
    }

    @Test
    void aSynchronousCallerThatCancelsEndsTheRace() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).hedging(Hedging.after(Duration.ofMillis(50))));
        RaceExchange get = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = runSync(balancer, get);
        get.awaitSent(1);
        timer.advance(50 * MS);
        get.awaitSent(2);
        get.canceled = true;
        assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
                .hasRootCauseMessage("Canceled");
        awaitNothingInFlight();
        assertThat(pool.stats()).allMatch(s -> s.failures() == 0 && s.successes() == 0);
        get.awaitSendsReturned();
    }

    // ---- adaptive delay ---------------------------------------------------------------------------------------

    @Test
    void theLatencyWindowFollowsTheDistributionAndForgetsOldSamples() {
        LatencyWindow window = new LatencyWindow(now::get, 95);
        assertThat(window.delayNanos(5 * MS)).as("cold: the minimum").isEqualTo(5 * MS);
        for (int i = 0; i < 99; i++) {
            window.record((i % 20 == 19 ? 100 : 10) * MS);
        }
        assertThat(window.quantileNanos()).as("99 samples are too few").isEqualTo(-1);
        window.record(10 * MS);
        assertThat(window.quantileNanos()).isBetween(9 * MS, 11 * MS); // p95 of 95% at 10 ms and 5% at 100 ms
        for (int i = 0; i < 100; i++) {
            window.record(100 * MS); // the distribution moved
        }
        assertThat(window.delayNanos(MS)).isBetween(98 * MS, 102 * MS);
        assertThat(window.delayNanos(200 * MS)).as("never below the minimum").isEqualTo(200 * MS);
        now.addAndGet(LatencyWindow.INTERVAL_NANOS);
        assertThat(window.delayNanos(MS)).as("the previous interval still counts").isGreaterThan(90 * MS);
        now.addAndGet(LatencyWindow.INTERVAL_NANOS);
        assertThat(window.delayNanos(MS)).as("forgotten after two intervals").isEqualTo(MS);
    }

    @Test
    void atPercentileHedgesAfterTheRoutesObservedLatency() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).retryBudget(10, 1000)
                .hedging(Hedging.atPercentile(90).minDelay(Duration.ofMillis(2))));
        // Cold: hedges after the minimum delay.
        RaceExchange cold = new RaceExchange("GET");
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), cold);
        timer.advance(2 * MS);
        assertThat(cold.sent).hasSize(2);
        cold.answer(cold.backends().get(0), 200);
        call.get(5, TimeUnit.SECONDS).outcome.finished();
        // Warm up: 200 calls answering after 20 ms.
        for (int i = 0; i < 200; i++) {
            RaceExchange get = new RaceExchange("GET");
            call = balancer.executeAsync(balancer.route("orders"), get);
            now.addAndGet(20 * MS); // the clock only: no timer fires, as if the answer came at 20 ms
            get.answer(get.backends().get(0), 200);
            call.get(5, TimeUnit.SECONDS).outcome.finished();
            timer.cancelAll();
        }
        RaceExchange warm = new RaceExchange("GET");
        call = balancer.executeAsync(balancer.route("orders"), warm);
        timer.advance(19 * MS);
        assertThat(warm.sent).as("no hedge before the route's p90").hasSize(1);
        timer.advance(2 * MS);
        assertThat(warm.sent).hasSize(2);
        warm.answer(warm.backends().get(1), 200);
        call.get(5, TimeUnit.SECONDS).outcome.finished();
    }

    // ---- fixture ----------------------------------------------------------------------------------------------

    private HttpBalancer balancer(Route.Builder route) {
        return HttpBalancer.builder().route(route.backoff(Duration.ZERO, Duration.ZERO).build()).ticker(now::get)
                .timer(timer).attemptExecutor(threads).build();
    }

    private CompletableFuture<FakeResponse> runSync(HttpBalancer balancer, RaceExchange exchange) {
        return CompletableFuture.supplyAsync(() -> {
            exchange.callerThread = Thread.currentThread();
            try {
                return balancer.execute(balancer.route("orders"), exchange);
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, threads);
    }

    private BackendStats stats(String id) {
        return pool.stats().stream().filter(s -> s.backend().id().equals(id)).findFirst().orElseThrow();
    }

    /** Makes the round-robin pool's next pick {@code id} (order a, b, c); probes are closed without outcome. */
    private void nextPickIs(String id) {
        String before = id.equals("a") ? "c" : id.equals("b") ? "a" : "b";
        String picked;
        do {
            try (Selection s = pool.select()) {
                picked = s.backend().id();
            }
        } while (!picked.equals(before));
    }

    private void awaitNothingInFlight() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pool.stats().stream().anyMatch(s -> s.inFlight() != 0)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still in flight: " + pool.stats());
            }
            LockSupport.parkNanos(MS);
        }
    }

    private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
        try {
            future.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    /** Timers on the fake clock: {@link #advance} runs those that fall due, in order, on the test's thread. */
    static final class FakeTimer implements AttemptTimer {
        private final AtomicLong now;
        private final List<long[]> due = new ArrayList<>(); // {time, id}
        private final List<Runnable> tasks = new ArrayList<>();
        private long ids;

        FakeTimer(AtomicLong now) {
            this.now = now;
        }

        @Override
        public synchronized Runnable schedule(Runnable task, long delayNanos) {
            long id = ids++;
            due.add(new long[] {now.get() + Math.max(0, delayNanos), id});
            tasks.add(task);
            return () -> cancel(id);
        }

        private synchronized void cancel(long id) {
            for (int i = 0; i < due.size(); i++) {
                if (due.get(i)[1] == id) {
                    due.remove(i);
                    tasks.remove(i);
                    return;
                }
            }
        }

        synchronized int pending() {
            return due.size();
        }

        synchronized void cancelAll() {
            due.clear();
            tasks.clear();
        }

        void advance(long nanos) {
            long target = now.get() + nanos;
            while (true) {
                Runnable next;
                synchronized (this) {
                    int best = -1;
                    for (int i = 0; i < due.size(); i++) {
                        if (due.get(i)[0] <= target && (best < 0 || due.get(i)[0] < due.get(best)[0])) {
                            best = i;
                        }
                    }
                    if (best < 0) {
                        break;
                    }
                    now.set(Math.max(now.get(), due.get(best)[0]));
                    due.remove(best);
                    next = tasks.remove(best);
                }
                next.run();
            }
            now.set(target);
        }
    }

    /** A response of the fake client. */
    static final class FakeResponse {
        final int status;
        final String backend;
        ResponseOutcome outcome;
        volatile boolean discarded;

        FakeResponse(int status, String backend) {
            this.status = status;
            this.backend = backend;
        }
    }

    /** One attempt the exchange was asked to send, answered by the test. */
    record Sent(Attempt attempt, CompletableFuture<FakeResponse> future) {
    }

    /** An exchange whose attempts wait until the test answers them; synchronous sends block until then. */
    static final class RaceExchange implements AsyncHttpExchange<FakeResponse> {
        final String method;
        volatile Idempotency idempotency;
        volatile boolean canceled;
        volatile boolean concurrent = true;
        /** A client that neither honors cancel nor interrupts: its send returns whatever the test answers. */
        volatile boolean stubborn;
        volatile Thread callerThread;
        final List<Sent> sent = new CopyOnWriteArrayList<>();
        final List<String> cancelled = new CopyOnWriteArrayList<>();
        final Set<Thread> sendThreads = ConcurrentHashMap.newKeySet();
        final Set<String> interrupted = ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.AtomicInteger sending = new java.util.concurrent.atomic.AtomicInteger();

        RaceExchange(String method) {
            this.method = method;
        }

        List<String> backends() {
            return sent.stream().map(s -> s.attempt.backend().id()).toList();
        }

        FakeResponse answer(String backend, int status) {
            FakeResponse r = new FakeResponse(status, backend);
            sentTo(backend).future.complete(r);
            return r;
        }

        void fail(String backend, IOException e) {
            sentTo(backend).future.completeExceptionally(e);
        }

        private Sent sentTo(String backend) {
            return sent.stream().filter(s -> s.attempt.backend().id().equals(backend)).reduce((x, y) -> y)
                    .orElseThrow(() -> new AssertionError("nothing sent to " + backend + ": " + backends()));
        }

        void awaitSent(int n) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (sent.size() < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("sent " + backends() + ", expected " + n);
                }
                LockSupport.parkNanos(MS);
            }
        }

        void awaitSendsReturned() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (sending.get() != 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("sends still blocked: " + sending.get());
                }
                LockSupport.parkNanos(MS);
            }
        }

        boolean interruptedOrCanceled(String backend) {
            return interrupted.contains(backend) || sentTo(backend).future.isDone();
        }

        @Override
        public HttpRequestView request() {
            return new HttpRequestView() {
                @Override
                public String method() {
                    return method;
                }

                @Override
                public URI uri() {
                    return URI.create("http://orders/");
                }

                @Override
                public List<String> headers(String name) {
                    return List.of();
                }
            };
        }

        @Override
        public Idempotency idempotency() {
            return idempotency;
        }

        @Override
        public boolean hasBody() {
            return method.equals("POST");
        }

        @Override
        public boolean bodyReplayable() {
            return true;
        }

        @Override
        public CompletableFuture<FakeResponse> sendAsync(Attempt attempt) {
            CompletableFuture<FakeResponse> f = new CompletableFuture<>();
            sent.add(new Sent(attempt, f));
            return f;
        }

        @Override
        public FakeResponse send(Attempt attempt) throws IOException {
            sendThreads.add(Thread.currentThread());
            sending.incrementAndGet();
            try {
                CompletableFuture<FakeResponse> f = sendAsync(attempt);
                if (stubborn) {
                    while (true) {
                        try {
                            return f.get(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            // ignored, as a client blocked in a socket read would
                            interrupted.add(attempt.backend().id());
                        }
                    }
                }
                return f.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw (IOException) e.getCause();
            } catch (CancellationException e) {
                throw new IOException("canceled", e);
            } catch (InterruptedException e) {
                interrupted.add(attempt.backend().id());
                throw new InterruptedIOException("interrupted");
            } catch (TimeoutException e) {
                throw new AssertionError("never answered", e);
            } finally {
                sending.decrementAndGet();
            }
        }

        @Override
        public void cancel(Attempt attempt) {
            cancelled.add(attempt.backend().id());
            if (stubborn) {
                return;
            }
            for (Sent s : sent) {
                if (s.attempt == attempt) {
                    s.future.completeExceptionally(new IOException("canceled by the engine"));
                }
            }
        }

        @Override
        public boolean supportsConcurrentAttempts() {
            return concurrent;
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
                    return List.of();
                }
            };
        }

        @Override
        public void discard(FakeResponse response) {
            response.discarded = true;
        }

        @Override
        public FakeResponse deliver(FakeResponse response, ResponseOutcome outcome) {
            response.outcome = outcome;
            return response;
        }

        @Override
        public boolean isCanceled() {
            return canceled;
        }
    }
}
