package io.github.lb4j.core;

import static io.github.lb4j.core.HealthFixtures.backends;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What may reach a backend while it is ejected, on a fake ticker (issue 19, item 1): lb-it's chaos scenario 4 counts
 * the requests a flapping backend receives between its ejection and its return, and once counted more than its
 * allowance. These tests pin down the two facts that count rests on. First, after the ejection is published no
 * selection names the backend, so only selections handed out before it (at most one per client thread of a
 * synchronous client) can still reach it. Second, a return is published before any listener hears of it, so traffic
 * counted "when the listener heard" includes requests sent to the returned backend in the meantime; only the event's
 * own instant ({@link LoadBalancerEvent#nanos()}) marks the end of the ejection.
 */
class EjectionWindowTest {

    private static final int CLIENTS = 8;

    private final FakeTicker ticker = new FakeTicker();

    private LoadBalancer pool(LoadBalancerListener listener) {
        return LoadBalancer.builder("window").backends(backends("a", "b", "c")).strategy(Strategy.roundRobin())
                .outlierDetection(OutlierDetection.builder().consecutiveFailures(3)
                        .baseEjectionTime(Duration.ofMillis(200)).maxEjectionTime(Duration.ofSeconds(1)).build())
                .slowStart(Duration.ZERO).ticker(ticker).listener(listener).listenerExecutor(Runnable::run).build();
    }

    private static void fail(LoadBalancer lb, String host, int times) {
        for (int i = 0; i < times; i++) {
            lb.select(RequestContext.ofPinned(host + ":80")).failure(new IOException("503"));
        }
    }

    @Test
    void onlySelectionsHandedOutBeforeTheEjectionCanStillReachTheBackend() {
        LoadBalancer lb = pool(e -> { });
        // Eight clients, each with one call in flight: round robin hands b to about a third of them.
        List<Selection> inFlight = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            inFlight.add(lb.select());
        }
        long onB = inFlight.stream().filter(s -> s.backend().host().equals("b")).count();
        assertThat(onB).as("calls in flight on b before its ejection").isPositive();

        fail(lb, "b", 3);
        assertThat(lb.stats().stream().filter(s -> s.backend().host().equals("b")).findFirst().orElseThrow()
                .health()).isEqualTo(BackendHealth.EJECTED);

        // Each client finishes its call and makes more; the clock stays inside the ejection.
        int reachedB = (int) onB;
        for (int round = 0; round < 1000; round++) {
            for (int i = 0; i < CLIENTS; i++) {
                inFlight.get(i).success();
                Selection next = lb.select();
                if (next.backend().host().equals("b")) {
                    reachedB++;
                }
                inFlight.set(i, next);
            }
        }
        assertThat(reachedB).as("selections of b during its ejection: only those handed out before it")
                .isEqualTo((int) onB).isLessThanOrEqualTo(CLIENTS);
        inFlight.forEach(Selection::success);
    }

    @Test
    void aReturnIsPublishedBeforeTheListenerHearsOfItAndTheEventCarriesItsInstant() throws Exception {
        CountDownLatch listenerHeard = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<LoadBalancerEvent.HealthChanged> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        LoadBalancer lb = pool(e -> {
            if (e instanceof LoadBalancerEvent.HealthChanged h) {
                changes.add(h);
                if (h.from() == BackendHealth.EJECTED) {
                    listenerHeard.countDown();
                    await(release); // a listener that is slow (or a thread descheduled) when the return is delivered
                }
            }
        });
        fail(lb, "b", 3);
        long ejectedAt = ticker.read();
        ticker.advanceMillis(200);
        long returnDue = ticker.read();

        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            // The first pick after the deadline rebuilds the snapshot and then delivers the return event, on its thread.
            Future<?> first = other.submit(() -> lb.select().success());
            assertThat(listenerHeard.await(10, TimeUnit.SECONDS)).as("the return reached the listener").isTrue();
            int toB = 0;
            for (int i = 0; i < 300; i++) {
                Selection s = lb.select();
                toB += s.backend().host().equals("b") ? 1 : 0;
                s.success();
            }
            // While the listener has not yet finished with the return, b already takes its share again: a count
            // of b's requests read in the listener includes these, though b was not ejected when they were sent.
            assertThat(toB).as("selections of b before the listener finished with its return").isEqualTo(100);
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            other.shutdownNow();
        }
        assertThat(changes).extracting(LoadBalancerEvent.HealthChanged::to)
                .containsExactly(BackendHealth.EJECTED, BackendHealth.HEALTHY);
        assertThat(changes.get(0).nanos()).as("the ejection's instant").isEqualTo(ejectedAt);
        assertThat(changes.get(1).nanos()).as("the return's instant: when b was back in the snapshot")
                .isEqualTo(returnDue);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
