package io.github.lb4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.http.Hedging;
import io.github.lb4j.http.HttpBalancer;
import io.github.lb4j.http.Route;
import io.github.lb4j.micrometer.ScriptedExchange.ManualScheduler;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RouteMetrics} after scripted calls through a real {@link HttpBalancer}: exact counts of attempts by kind,
 * budget refusals, per-try timeouts and calls by outcome, with durations on a fake ticker and timers fired by hand.
 */
class RouteMetricsTest {

    private final TestTicker ticker = new TestTicker();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final RouteMetrics metrics = new RouteMetrics(Tags.of("app", "shop"));
    private final LoadBalancer pool = LoadBalancer.builder("orders").strategy(Strategy.roundRobin())
            .random(new SplittableRandom(7)).ticker(ticker)
            .backends(List.of(Backend.of("10.0.0.1", 80), Backend.of("10.0.0.2", 80))).build();

    @AfterEach
    void close() {
        assertThat(pool.stats()).allMatch(s -> s.inFlight() == 0);
        pool.close();
        scheduler.shutdownNow();
        registry.close();
    }

    private HttpBalancer balancer(Route.Builder route) {
        metrics.bindTo(registry);
        return HttpBalancer.builder().route(route.backoff(Duration.ZERO, Duration.ZERO).listener(metrics).build())
                .ticker(ticker).scheduler(scheduler).build();
    }

    private Integer call(HttpBalancer balancer, IntFunction<Object> script) throws IOException {
        return balancer.execute(balancer.routes().get(0), new ScriptedExchange(ticker, 7, script));
    }

    private double count(String name, String route, String... tags) {
        return registry.get(name).tags("route", route, "app", "shop").tags(tags).counter().count();
    }

    private Timer calls(String route, String outcome) {
        return registry.get(RouteMetrics.CALLS).tags("route", route, "app", "shop", "outcome", outcome).timer();
    }

    @Test
    void attemptsByKindAndCallsByOutcomeWithTheirDurations() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).maxAttempts(2));
        assertThat(call(balancer, n -> n == 1 ? 503 : 200)).isEqualTo(200);        // retried on a status
        assertThat(call(balancer, n -> 200)).isEqualTo(200);
        assertThat(call(balancer, n -> 500)).isEqualTo(500);                       // not retried, a failure
        assertThatThrownBy(() -> call(balancer, n -> new ConnectException("refused " + n)))
                .isInstanceOf(ConnectException.class);                            // retried once, then an error

        assertThat(count(RouteMetrics.ATTEMPTS, "orders", "kind", "first")).isEqualTo(4);
        assertThat(count(RouteMetrics.ATTEMPTS, "orders", "kind", "retry")).isEqualTo(2);
        assertThat(count(RouteMetrics.ATTEMPTS, "orders", "kind", "hedge")).isZero();
        assertThat(calls("orders", "success").count()).isEqualTo(2);
        assertThat(calls("orders", "success").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(14 + 7);
        assertThat(calls("orders", "failure").count()).isEqualTo(1);
        assertThat(calls("orders", "failure").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(7);
        assertThat(calls("orders", "error").count()).isEqualTo(1);
        assertThat(calls("orders", "error").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(14);
        assertThat(calls("orders", "canceled").count()).isZero();
        assertThat(count(RouteMetrics.RETRIES_REFUSED, "orders", "kind", "retry")).isZero();
        assertThat(count(RouteMetrics.PER_TRY_TIMEOUTS, "orders")).isZero();
    }

    @Test
    void retriesAndHedgesTheBudgetRefusesAreCounted() throws Exception {
        HttpBalancer broke = balancer(Route.builder("orders", pool).retryBudget(0, 0)
                .hedging(Hedging.after(Duration.ofMillis(50))));
        assertThat(call(broke, n -> 503)).isEqualTo(503);                          // no retry: the 503 goes back
        Route route = broke.routes().get(0);
        var hedged = broke.executeAsync(route, new ScriptedExchange(ticker, 0, n -> n == 1 ? null : 200));
        scheduler.runPending();                                                   // the hedge delay: refused
        assertThat(hedged).isNotDone();
        hedged.cancel(true);

        assertThat(count(RouteMetrics.RETRIES_REFUSED, "orders", "kind", "retry")).isEqualTo(1);
        assertThat(count(RouteMetrics.RETRIES_REFUSED, "orders", "kind", "hedge")).isEqualTo(1);
        assertThat(count(RouteMetrics.ATTEMPTS, "orders", "kind", "first")).isEqualTo(2);
        assertThat(count(RouteMetrics.ATTEMPTS, "orders", "kind", "retry")).isZero();
        assertThat(count(RouteMetrics.ATTEMPTS, "orders", "kind", "hedge")).isZero();
        assertThat(calls("orders", "failure").count()).isEqualTo(1);
        assertThat(calls("orders", "canceled").count()).isEqualTo(1);
    }

    @Test
    void perTryTimeoutsAndHedgesAreCounted() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(200)));
        Route route = balancer.routes().get(0);
        var timedOut = balancer.executeAsync(route, new ScriptedExchange(ticker, 0, n -> n == 1 ? null : 200));
        ticker.advanceMillis(200);
        scheduler.runPending();                                                   // attempt 1 times out
        assertThat(timedOut.get(5, TimeUnit.SECONDS)).isEqualTo(200);

        HttpBalancer hedging = HttpBalancer.builder().route(Route.builder("billing", pool)
                .hedging(Hedging.after(Duration.ofMillis(50))).listener(metrics).build())
                .ticker(ticker).scheduler(scheduler).build();
        var hedged = hedging.executeAsync(hedging.routes().get(0),
                new ScriptedExchange(ticker, 0, n -> n == 1 ? null : 200));
        ticker.advanceMillis(50);
        scheduler.runPending();                                                   // the hedge answers first
        assertThat(hedged.get(5, TimeUnit.SECONDS)).isEqualTo(200);

        assertThat(count(RouteMetrics.PER_TRY_TIMEOUTS, "orders")).isEqualTo(1);
        assertThat(count(RouteMetrics.ATTEMPTS, "orders", "kind", "retry")).isEqualTo(1);
        assertThat(calls("orders", "success").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(200);
        assertThat(count(RouteMetrics.ATTEMPTS, "billing", "kind", "first")).isEqualTo(1);
        assertThat(count(RouteMetrics.ATTEMPTS, "billing", "kind", "hedge")).isEqualTo(1);
        assertThat(count(RouteMetrics.PER_TRY_TIMEOUTS, "billing")).isZero();
        assertThat(calls("billing", "success").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(50);
    }

    @Test
    void everySeriesExistsFromTheFirstCallAndTagsCarryNothingOfTheRequest() throws Exception {
        HttpBalancer balancer = balancer(Route.builder("orders", pool));
        assertThat(registry.getMeters()).isEmpty();
        call(balancer, n -> 200);
        Set<String> keys = new TreeSet<>();
        Set<String> values = new TreeSet<>();
        for (Meter m : registry.getMeters()) {
            for (Tag t : m.getId().getTags()) {
                keys.add(t.getKey());
                values.add(t.getValue());
            }
        }
        assertThat(registry.getMeters()).hasSize(3 + 2 + 1 + 4);
        assertThat(keys).containsExactly("app", "kind", "outcome", "route");
        assertThat(values).containsExactlyInAnyOrder("shop", "orders", "first", "retry", "hedge", "success",
                "failure", "error", "canceled");

        metrics.close();
        assertThat(registry.getMeters()).isEmpty();
        call(balancer, n -> 200);
        assertThat(registry.getMeters()).as("closed: counts nothing").isEmpty();
    }

    @Test
    void callsBeforeTheBindingAreNotCountedAndBadInputIsRejected() throws Exception {
        RouteMetrics unbound = new RouteMetrics();
        HttpBalancer balancer = HttpBalancer.builder().route(Route.builder("orders", pool).listener(unbound).build())
                .ticker(ticker).build();
        call(balancer, n -> 200);
        assertThat(registry.getMeters()).isEmpty();
        unbound.bindTo(registry);
        unbound.bindTo(registry); // the same registry again: nothing changes
        call(balancer, n -> 200);
        assertThat(registry.get(RouteMetrics.ATTEMPTS).tags("route", "orders", "kind", "first").counter().count())
                .isEqualTo(1);
        assertThatThrownBy(() -> unbound.bindTo(new SimpleMeterRegistry()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("CompositeMeterRegistry");
        assertThatThrownBy(() -> new RouteMetrics(Tags.of("route", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'route'");
        assertThatThrownBy(() -> new RouteMetrics(Tags.of("outcome", "x"))).hasMessageContaining("'outcome'");
        assertThatThrownBy(() -> unbound.bindTo(null)).isInstanceOf(NullPointerException.class);
        unbound.close();
    }
}
