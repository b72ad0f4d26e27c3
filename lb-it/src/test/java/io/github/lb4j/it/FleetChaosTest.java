package io.github.lb4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.ActiveHealthCheck;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendHealth;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.okhttp.OkHttpHealthChecker;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import io.github.lb4j.core.LoadBalancer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chaos scenarios at fleet concurrency through every adapter (issue 19, item 2): one table of seven scenarios,
 * each run through each {@link ClientAdapter} of {@link Adapters} at {@value Fleet#CONCURRENCY} concurrent calls over
 * {@value Fleet#BACKENDS} loopback backends. Every run checks, in {@link Fleet#finish}: nothing lost (every call got a
 * status or an exception), no POST delivered twice (counted by request id at the servers), every call within its
 * deadline, nothing in flight on the pool, every connection closed with the client, threads back near the baseline;
 * each scenario adds what it promises (GETs succeed while a healthy backend exists, and so on). ChaosTest keeps the
 * finer assertions at 8 threads over OkHttp (ejection counts, traffic while ejected, the retry budget's bound).
 *
 * <p>{@code mvn verify} runs the table once with few calls per phase. Soak mode,
 * {@code -Dlb4j.fleet.soakMinutes=30}, runs {@link #soak} instead: the table again and again through every adapter
 * for that long, with ten times the calls per phase, and checks at the end that the heap after a full GC has not
 * grown. Figures go to {@code target/fleet-figures.md}.
 */
class FleetChaosTest extends ItSupport {

    private static final int SOAK_MINUTES = Integer.getInteger("lb4j.fleet.soakMinutes", 0);
    /** Calls per phase of a scenario. */
    private static final long PHASE = SOAK_MINUTES > 0 ? 6000 : 600;

    /** One row of the table: how the pool is set up, and what happens under load. */
    enum Scenario {
        CRASH_AND_RETURN((f, b) -> b) {
            @Override
            String drive(Fleet f) throws Exception {
                f.calls(PHASE);
                LoopbackServer s2 = f.server(2);
                s2.crash();
                f.until("s2 out after its crash", () -> f.health("s2") != BackendHealth.HEALTHY);
                f.calls(PHASE);
                int before = s2.requests.get();
                s2.restart();
                f.until("s2 serving again", () -> f.health("s2") == BackendHealth.HEALTHY
                        && s2.requests.get() - before >= 20);
                f.calls(PHASE);
                return f.log.ejections("s2") + " ejections of s2";
            }
        },
        BLACKHOLE((f, b) -> b) {
            @Override
            void before(Fleet f) {
                f.server(2).blackhole = true;
            }

            @Override
            String drive(Fleet f) throws Exception {
                f.calls(PHASE);
                f.until("the blackhole ejected", () -> f.log.ejections("s2") >= 1);
                f.calls(PHASE);
                assertThat(f.server(2).requests.get()).as("requests the blackhole answered").isZero();
                return f.log.ejections("s2") + " ejections; " + f.server(2).accepted.get() + " connections in";
            }
        },
        LATENCY_X20((f, b) -> b.strategy(Strategy.peakEwma(Duration.ofSeconds(1)))) {
            @Override
            String drive(Fleet f) throws Exception {
                f.servers.forEach(s -> s.delayMillis = 2);
                f.calls(PHASE);
                LoopbackServer slow = f.server(2);
                int slowBefore = slow.requests.get();
                int allBefore = total(f);
                slow.delayMillis = 40;
                f.calls(2 * PHASE);
                double share = (slow.requests.get() - slowBefore) / (double) (total(f) - allBefore);
                slow.delayMillis = 2;
                f.calls(PHASE);
                return String.format(java.util.Locale.ROOT, "slow's share while slow %.1f%% (fair 20%%)",
                        share * 100);
            }
        },
        FLAPPING((f, b) -> b) {
            @Override
            String drive(Fleet f) throws Exception {
                LoopbackServer flap = f.server(2);
                ScheduledExecutorService flapper = Executors.newSingleThreadScheduledExecutor();
                f.own(flapper::shutdownNow);
                f.calls(PHASE);
                flapper.scheduleAtFixedRate(() -> flap.status = flap.status == 200 ? 503 : 200, 0, 300,
                        TimeUnit.MILLISECONDS);
                f.calls(2 * PHASE);
                f.until("flap ejected", () -> f.log.ejections("s2") >= 1);
                flapper.shutdownNow();
                flapper.awaitTermination(5, TimeUnit.SECONDS);
                flap.status = 200;
                f.calls(PHASE);
                return f.log.ejections("s2") + " ejections, " + f.log.returns("s2") + " returns";
            }
        },
        ALL_503((f, b) -> b) {
            @Override
            void before(Fleet f) {
                f.servers.forEach(s -> s.status = 503);
            }

            @Override
            String drive(Fleet f) throws Exception {
                f.calls(PHASE);
                return "every call answered 503";
            }
        },
        MEMBERSHIP_CHURN((f, b) -> b.strategy(Strategy.leastRequests())) {
            @Override
            String drive(Fleet f) throws Exception {
                AtomicBoolean churning = new AtomicBoolean(true);
                Random random = new Random(19);
                int[] updates = {0};
                Thread churn = new Thread(() -> {
                    while (churning.get()) {
                        List<Backend> next = f.servers.stream().filter(s -> random.nextBoolean())
                                .map(LoopbackServer::backend).collect(Collectors.toCollection(ArrayList::new));
                        if (next.isEmpty()) {
                            next.add(f.servers.get(random.nextInt(f.servers.size())).backend());
                        }
                        f.pool.updateBackends(next);
                        updates[0]++;
                        try {
                            Thread.sleep(10); // the pace of the churn, not a wait for a state change
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "churn");
                churn.setDaemon(true);
                f.own(() -> {
                    churning.set(false);
                    churn.join(5000);
                });
                churn.start();
                f.calls(3 * PHASE);
                churning.set(false);
                churn.join(5000);
                f.pool.updateBackends(f.servers.stream().map(LoopbackServer::backend).collect(Collectors.toList()));
                f.calls(PHASE);
                return updates[0] + " membership updates";
            }
        },
        // Active checks take down what passive detection may not (it never ejects more than half the pool); panic
        // mode off, so that with every backend down calls fail at once instead of trying dead backends.
        ALL_DOWN_THEN_ONE_BACK((f, b) -> b.panicThreshold(0).healthCheck(ActiveHealthCheck.builder(
                OkHttpHealthChecker.builder(f.checkClient()).timeout(Duration.ofMillis(500)).build())
                .interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(500)).fall(2).rise(2).build())) {
            @Override
            String drive(Fleet f) throws Exception {
                f.calls(PHASE);
                f.servers.forEach(LoopbackServer::crash);
                f.until("every backend unhealthy", () -> f.pool.stats().stream()
                        .allMatch(s -> s.health() == BackendHealth.UNHEALTHY));
                f.calls(PHASE);
                LoopbackServer s3 = f.server(3);
                s3.restart();
                f.until("s3 back", () -> f.health("s3") == BackendHealth.HEALTHY);
                long healthy = System.nanoTime();
                // Its first calls may meet the clients' pooled connections of before the crash (reset): a POST
                // failing there is not re-sent. Once s3 has served a while, every GET must succeed.
                int before = s3.requests.get();
                f.until("s3 serving", () -> s3.requests.get() - before >= 200);
                back = System.nanoTime();
                f.calls(PHASE);
                long failedMeanwhile = f.load.all().stream().filter(c -> c.startNanos() - healthy > 0
                        && c.startNanos() - back < 0 && !c.ok()).count();
                return "all unhealthy, then s3 back; " + failedMeanwhile + " calls failed in its first moments";
            }

            @Override
            void check(Fleet.Result r) {
                List<Load.Call> after = r.calls().stream().filter(c -> c.startNanos() - back > 0)
                        .collect(Collectors.toList());
                assertThat(after).as("calls once s3 was back").isNotEmpty();
                assertThat(failedGets(after)).as("%s: GETs failed once s3 was back: %s", r.adapter(),
                        describe(failedGets(after))).isEmpty();
            }
        };

        final BiFunction<Fleet, LoadBalancer.Builder, LoadBalancer.Builder> pool;
        /** Scenario 7: when s3 was back (one run at a time). */
        static volatile long back;

        Scenario(BiFunction<Fleet, LoadBalancer.Builder, LoadBalancer.Builder> pool) {
            this.pool = pool;
        }

        /** Set-up before the load starts. */
        void before(Fleet f) {
        }

        /** Drives the load through the scenario; returns its notes. */
        abstract String drive(Fleet f) throws Exception;

        /** What the scenario promises beyond the fleet's checks. */
        void check(Fleet.Result r) {
            List<Load.Call> calls = r.calls();
            switch (this) {
                case CRASH_AND_RETURN, BLACKHOLE, FLAPPING -> assertThat(failedGets(calls))
                        .as("%s: failed GETs while healthy backends existed: %s", r.adapter(),
                                describe(failedGets(calls))).isEmpty();
                case LATENCY_X20, MEMBERSHIP_CHURN -> assertThat(calls.stream().filter(c -> !c.ok()).count())
                        .as("%s: failed calls: %s", r.adapter(), r.failures()).isZero();
                case ALL_503 -> assertThat(calls).as("%s: every call ends with the 503, no exception", r.adapter())
                        .allSatisfy(c -> assertThat(c.status()).isEqualTo(503));
                default -> { }
            }
        }

        private static List<Load.Call> failedGets(List<Load.Call> calls) {
            return calls.stream().filter(c -> c.method().equals("GET") && !c.ok()).collect(Collectors.toList());
        }

        private static int total(Fleet f) {
            return f.servers.stream().mapToInt(s -> s.requests.get()).sum();
        }
    }

    @BeforeAll
    static void freshFigures() throws Exception {
        Files.deleteIfExists(Figures.FLEET_FILE);
    }

    static Stream<Arguments> table() {
        return Adapters.selected().stream().flatMap(a -> Stream.of(Scenario.values()).map(s -> Arguments.of(a, s)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("table")
    void everyAdapterThroughEveryScenario(String adapter, Scenario scenario) throws Exception {
        run(adapter, scenario);
    }

    /** Soak mode: the whole table through every adapter, round after round, for {@code lb4j.fleet.soakMinutes}. */
    @Test
    @EnabledIfSystemProperty(named = "lb4j.fleet.soakMinutes", matches = "[1-9][0-9]*")
    void soak() throws Exception {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(SOAK_MINUTES);
        long firstHeap = -1;
        long lastHeap = -1;
        int rounds = 0;
        while (System.nanoTime() - end < 0) {
            for (String adapter : Adapters.selected()) {
                for (Scenario scenario : Scenario.values()) {
                    lastHeap = run(adapter, scenario).heapAfterBytes();
                    firstHeap = firstHeap < 0 ? lastHeap : firstHeap;
                }
            }
            rounds++;
            Figures.fleetNote("soak round " + rounds + " done; heap after GC " + lastHeap / (1024 * 1024) + " MB");
        }
        assertThat(lastHeap - firstHeap).as("heap growth after GC over %d rounds (bytes)", rounds)
                .isLessThan(64L * 1024 * 1024);
    }

    private static Fleet.Result run(String adapter, Scenario scenario) throws Exception {
        try (Fleet f = new Fleet(adapter, scenario.name(), scenario.pool)) {
            scenario.before(f);
            f.load.start();
            String notes = scenario.drive(f);
            Fleet.Result r = f.finish(notes);
            scenario.check(r);
            Figures.fleet(r);
            return r;
        }
    }
}
