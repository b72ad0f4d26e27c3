package io.github.lb4j.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's decisions through the adapter SPI, with an in-memory exchange: no client, no network. Each backend
 * of the pool answers by a script (a status, or an exception), and the exchange records which backends it was asked
 * to send to.
 */
class BalancedCallTest {

    private final LoadBalancer pool = LoadBalancer.builder("orders").strategy(Strategy.roundRobin())
            .random(new Random(42))
            .backends(List.of(Backend.of("10.0.0.1", 80).withId("a"), Backend.of("10.0.0.2", 80).withId("b")))
            .build();

    @AfterEach
    void nothingInFlight() {
        assertThat(pool.stats()).allMatch(s -> s.inFlight() == 0);
        pool.close();
    }

    /** A response of the fake client: a status and whether its body was finished. */
    static final class FakeResponse {
        final int status;
        final String backend;
        ResponseOutcome outcome;
        boolean discarded;

        FakeResponse(int status, String backend) {
            this.status = status;
            this.backend = backend;
        }
    }

    /** Per backend id: what sending to it does (return a status or throw). */
    static class FakeExchange implements AsyncHttpExchange<FakeResponse> {
        final String method;
        final Function<Attempt, Object> script;
        final List<String> sentTo = new ArrayList<>();
        boolean canceled;

        FakeExchange(String method, Function<Attempt, Object> script) {
            this.method = method;
            this.script = script;
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
        public boolean hasBody() {
            return method.equals("POST");
        }

        @Override
        public boolean bodyReplayable() {
            return true;
        }

        @Override
        public FakeResponse send(Attempt attempt) throws IOException {
            sentTo.add(attempt.backend().id());
            Object r = script.apply(attempt);
            if (r instanceof IOException) {
                throw (IOException) r;
            }
            return new FakeResponse((Integer) r, attempt.backend().id());
        }

        @Override
        public CompletableFuture<FakeResponse> sendAsync(Attempt attempt) {
            try {
                return CompletableFuture.completedFuture(send(attempt));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
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

    private HttpBalancer balancer(Route.Builder route) {
        return HttpBalancer.builder().route(route.backoff(Duration.ZERO, Duration.ZERO).build()).build();
    }

    private BackendStats stats(String id) {
        return pool.stats().stream().filter(s -> s.backend().id().equals(id)).findFirst().orElseThrow();
    }

    /** Issue 12 item 1: a backend the adapter cannot address is charged and the call retried, even a POST. */
    @Test
    void anUnusableBackendIsChargedAndRetriedForAnyMethodSyncAndAsync() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool));
        Function<Attempt, Object> aUnusable = attempt -> attempt.backend().id().equals("a")
                ? new UnusableBackendException("backend a cannot be addressed", null) : (Object) 200;
        for (int i = 0; i < 4; i++) {
            FakeExchange post = new FakeExchange("POST", aUnusable);
            FakeResponse r = balancer.execute(balancer.route("orders"), post);
            assertThat(r.backend).isEqualTo("b");
            r.outcome.finished();
            FakeExchange async = new FakeExchange("POST", aUnusable);
            FakeResponse ra = balancer.executeAsync(balancer.route("orders"), async).get(5, TimeUnit.SECONDS);
            assertThat(ra.backend).isEqualTo("b");
            ra.outcome.finished();
        }
        assertThat(stats("a").failures()).isPositive();
        assertThat(stats("b").successes()).isEqualTo(8);
    }

    @Test
    void aPostWhoseBodyWasWrittenIsNotResentButOneNeverWrittenIs() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool));
        FakeExchange written = new FakeExchange("POST", attempt -> {
            attempt.bodyWriteStarted();
            return attempt.backend().id().equals("a") ? new SocketTimeoutException("read timed out") : (Object) 200;
        });
        LbProbe.nextPickIs(pool, "a");
        assertThatThrownBy(() -> balancer.execute(balancer.route("orders"), written))
                .isInstanceOf(SocketTimeoutException.class);
        assertThat(written.sentTo).containsExactly("a");

        FakeExchange unwritten = new FakeExchange("POST", attempt -> attempt.backend().id().equals("a")
                ? new SocketTimeoutException("connect timed out") : (Object) 200);
        LbProbe.nextPickIs(pool, "a");
        FakeResponse r = balancer.execute(balancer.route("orders"), unwritten);
        r.outcome.finished();
        assertThat(unwritten.sentTo).containsExactly("a", "b");
    }

    @Test
    void theLastFailureCarriesTheEarlierOnesAsSuppressed() {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).maxAttempts(2));
        FakeExchange get = new FakeExchange("GET", attempt -> new ConnectException("refused by "
                + attempt.backend().id()));
        assertThatThrownBy(() -> balancer.execute(balancer.route("orders"), get))
                .isInstanceOf(ConnectException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1)
                        .allMatch(s -> s instanceof ConnectException && s != e));
        assertThat(get.sentTo).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void aStatusRetryDiscardsTheFirstResponseAndReportsItsOutcome() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool));
        List<FakeResponse> seen = new ArrayList<>();
        FakeExchange get = new FakeExchange("GET", attempt -> attempt.backend().id().equals("a") ? 503 : 200) {
            @Override
            public FakeResponse send(Attempt attempt) throws IOException {
                FakeResponse r = super.send(attempt);
                seen.add(r);
                return r;
            }
        };
        LbProbe.nextPickIs(pool, "a");
        FakeResponse r = balancer.execute(balancer.route("orders"), get);
        assertThat(r.status).isEqualTo(200);
        assertThat(seen.get(0).discarded).isTrue();
        assertThat(stats("a").failures()).isEqualTo(1);
        assertThat(stats("b").inFlight()).as("held until the body is finished").isEqualTo(1);
        r.outcome.finished();
        assertThat(stats("b").successes()).isEqualTo(1);
    }

    @Test
    void cancelingAnAsyncCallClosesTheSelectionWithoutChargingTheBackend() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool));
        CompletableFuture<FakeResponse> never = new CompletableFuture<>();
        FakeExchange get = new FakeExchange("GET", attempt -> 200) {
            @Override
            public CompletableFuture<FakeResponse> sendAsync(Attempt attempt) {
                sentTo.add(attempt.backend().id());
                return never;
            }
        };
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), get);
        assertThat(pool.stats().stream().mapToInt(BackendStats::inFlight).sum()).isEqualTo(1);
        call.cancel(true);
        assertThat(never).as("the attempt in flight was canceled").isCancelled();
        assertThat(pool.stats()).allMatch(s -> s.inFlight() == 0 && s.failures() == 0);
    }

    @Test
    void anEmptyPoolFailsSyncAndAsyncWithTheIoExceptionNamingIt() {
        LoadBalancer empty = LoadBalancer.builder("empty").build();
        try {
            HttpBalancer balancer = HttpBalancer.builder().route("orders", empty).build();
            assertThatThrownBy(() -> balancer.execute(balancer.route("orders"), new FakeExchange("GET", a -> 200)))
                    .isInstanceOf(NoBackendAvailableIOException.class).hasMessageContaining("'empty'");
            assertThatThrownBy(() -> balancer.executeAsync(balancer.route("orders"),
                    new FakeExchange("GET", a -> 200)).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NoBackendAvailableIOException.class);
        } finally {
            empty.close();
        }
    }

    /**
     * A failure inside the attempt chain's own callbacks (here the adapter throwing when asked whether the call was
     * canceled, before the retry) ends the call with it. Found by the fleet soak: thrown from a future's callback,
     * such an exception was swallowed and the call hung until the application's own timeout.
     */
    @Test
    void anExceptionInsideTheAsyncAttemptChainEndsTheCallInsteadOfHangingIt() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool));
        FakeExchange broken = new FakeExchange("GET", attempt -> new ConnectException("refused")) {
            @Override
            public boolean isCanceled() {
                if (!sentTo.isEmpty()) {
                    throw new IllegalStateException("adapter bug on the retry");
                }
                return false;
            }
        };
        CompletableFuture<FakeResponse> call = balancer.executeAsync(balancer.route("orders"), broken);
        assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("adapter bug on the retry");
        assertThat(broken.sentTo).hasSize(1);
    }

    /**
     * An asynchronous retry's backoff runs on the balancer's scheduler, not on a thread of its own; a scheduler
     * that refuses it fails the call with the reason instead of leaving it waiting.
     */
    @Test
    void asyncBackoffsRunOnTheBalancersSchedulerAndARefusalFailsTheCall() throws Exception {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "test-scheduler"));
        try {
            HttpBalancer balancer = HttpBalancer.builder().scheduler(scheduler).route(Route.builder("orders", pool)
                    .backoff(Duration.ofMillis(1), Duration.ofMillis(1)).build()).build();
            List<String> threads = new ArrayList<>();
            FakeExchange get = new FakeExchange("GET", attempt -> {
                threads.add(Thread.currentThread().getName());
                return attempt.number() == 1 ? new ConnectException("refused") : (Object) 200;
            });
            FakeResponse r = balancer.executeAsync(balancer.route("orders"), get).get(5, TimeUnit.SECONDS);
            r.outcome.finished();
            assertThat(threads).hasSize(2).last().isEqualTo("test-scheduler");

            scheduler.shutdown();
            FakeExchange refused = new FakeExchange("GET", attempt -> new ConnectException("refused"));
            assertThatThrownBy(() -> balancer.executeAsync(balancer.route("orders"), refused)
                    .get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IOException.class).hasMessageContaining("route 'orders'")
                    .hasMessageContaining("timer refused");
            assertThat(refused.sentTo).hasSize(1);
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aRouteOfAnotherBalancerIsRejected() {
        HttpBalancer one = HttpBalancer.builder().route("orders", pool).build();
        HttpBalancer two = HttpBalancer.builder().route("orders", pool).build();
        assertThatThrownBy(() -> one.execute(two.route("orders"), new FakeExchange("GET", a -> 200)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("route 'orders'");
        assertThat(one.route("orders.")).isSameAs(one.route("orders"));
        assertThat(one.route("billing")).isNull();
    }

    /** Pool probes shared by the tests. */
    static final class LbProbe {
        static void nextPickIs(LoadBalancer pool, String id) {
            String picked;
            do {
                try (io.github.lb4j.core.Selection s = pool.select()) {
                    picked = s.backend().id();
                }
            } while (picked.equals(id));
        }
    }
}
