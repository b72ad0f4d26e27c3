package io.github.lb4j.simulator;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.OutlierDetection;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * "The Tail at Scale" in virtual time: single and fan-out requests over a pool of replicas whose service time has a
 * rare slow mode, with and without hedged requests (Dean and Barroso, CACM 56(2), 2013). A real lb-core
 * {@link LoadBalancer} on the simulation clock picks every first attempt ({@code select()}) and every hedge
 * ({@code select} excluding the backend already tried); the winner's selection reports success, the cancelled
 * loser's is closed (neither success nor failure, as lb-http does). A hedge is sent when the first attempt has not
 * answered after the policy's delay, at most one per request, and only if the retry budget grants it.
 *
 * <pre>{@code
 * for (TailResult r : TailSimulator.runAll(TailScenario.tailAtScale(100, 1), TailSimulator.policies())) {
 *     System.out.println(r);   // fan-out p99.9 and extra load of each policy
 * }
 * }</pre>
 *
 * <p>Randomness: arrivals, first attempts' service times, hedges' service times and the pool's picks draw from four
 * separate streams split from the scenario's seed, so every policy of a scenario sees the same requests with the same
 * first-attempt service times, and the same seed gives the same figures.
 *
 * <p>Thread-safety: {@code run} is safe to call from several threads (each run has its own state).
 */
public final class TailSimulator {

    private TailSimulator() {
    }

    /**
     * @return the three policies of the report: no hedging, {@code after(10 ms)} (the paper's delay) and
     *     {@code atPercentile(95)} with a 2 ms minimum (the paper's "95th-percentile expected latency")
     */
    public static List<HedgePolicy> policies() {
        return List.of(HedgePolicy.none(), HedgePolicy.after(Duration.ofMillis(10)),
                HedgePolicy.atPercentile(95, Duration.ofMillis(2)));
    }

    /**
     * @param scenario what to simulate
     * @param policies each runs the same scenario with the same seed
     * @return one result per policy, in order
     */
    public static List<TailResult> runAll(TailScenario scenario, List<HedgePolicy> policies) {
        List<TailResult> out = new ArrayList<>();
        for (HedgePolicy p : policies) {
            out.add(run(scenario, p));
        }
        return out;
    }

    /**
     * @param scenario what to simulate
     * @param policy when to hedge
     * @return the latencies and the cost
     */
    public static TailResult run(TailScenario scenario, HedgePolicy policy) {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(policy, "policy");
        return new Run(scenario, policy).execute();
    }

    /** A fan-out request: done when its last sub-request is. */
    private static final class FanOut {
        final long start;
        int remaining;

        FanOut(long start, int remaining) {
            this.start = start;
            this.remaining = remaining;
        }
    }

    /** One request (single, or a sub-request of a fan-out): one or two attempts. */
    private static final class Call {
        final long start;
        final FanOut parent;
        Attempt first;
        Attempt second;
        boolean done;

        Call(long start, FanOut parent) {
            this.start = start;
            this.parent = parent;
        }
    }

    /** One attempt on one backend. */
    private static final class Attempt {
        final Call call;
        final Selection selection;
        final long start;
        final long service;
        /** Completed, or cancelled: its completion event does nothing. */
        boolean over;

        Attempt(Call call, Selection selection, long start, long service) {
            this.call = call;
            this.selection = selection;
            this.start = start;
            this.service = service;
        }
    }

    private static final int SINGLE = 0;
    private static final int FAN_OUT = 1;
    private static final int HEDGE = 2;
    private static final int COMPLETE = 3;

    private static final class Ev implements Comparable<Ev> {
        final long at;
        final long seq;
        final int kind;
        final Object ref;

        Ev(long at, long seq, int kind, Object ref) {
            this.at = at;
            this.seq = seq;
            this.kind = kind;
            this.ref = ref;
        }

        @Override
        public int compareTo(Ev o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** A growable array of latencies. */
    private static final class Longs {
        long[] a = new long[1024];
        int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    private static final class Run {
        final TailScenario sc;
        final HedgePolicy policy;
        final Simulator.VirtualClock clock = new Simulator.VirtualClock();
        final PriorityQueue<Ev> events = new PriorityQueue<>();
        final SplittableRandom arrivals;
        final SplittableRandom firstService;
        final SplittableRandom hedgeService;
        final LoadBalancer lb;
        final HedgeBudget budget;
        final AdaptiveDelay adaptive;
        final Longs single = new Longs();
        final Longs fanOut = new Longs();
        long seq;
        long requests;
        long hedges;
        long denied;
        long serverNanos;
        long serverNanosNotCancelled;
        long firstAttemptNanos;
        long hedgesToTriedBackend;

        Run(TailScenario sc, HedgePolicy policy) {
            this.sc = sc;
            this.policy = policy;
            SplittableRandom root = new SplittableRandom(sc.seed);
            this.arrivals = root.split();
            this.firstService = root.split();
            this.hedgeService = root.split();
            SplittableRandom pickRandom = root.split();
            List<Backend> backends = new ArrayList<>(sc.backends);
            for (int i = 0; i < sc.backends; i++) {
                backends.add(Backend.of("127.0.0.1", 10000 + i).withId("b" + i));
            }
            // The policy alone: nothing fails here, and a pool that ramps new backends up would skew the first picks.
            this.lb = LoadBalancer.builder("tail-" + policy.name())
                    .backends(backends)
                    .strategy(sc.strategy)
                    .ticker(clock)
                    .random(pickRandom)
                    .outlierDetection(OutlierDetection.disabled())
                    .slowStart(Duration.ZERO)
                    .build();
            this.budget = new HedgeBudget(clock, sc.budgetRatio, sc.budgetMinPerSecond);
            this.adaptive = policy.kind == HedgePolicy.Kind.PERCENTILE
                    ? new AdaptiveDelay(clock, policy.percentile, policy.minDelayNanos) : null;
        }

        void schedule(long at, int kind, Object ref) {
            events.add(new Ev(at, seq++, kind, ref));
        }

        TailResult execute() {
            if (sc.singleRate > 0) {
                scheduleArrival(SINGLE, gap(sc.singleRate));
            }
            if (sc.fanOutRate > 0) {
                scheduleArrival(FAN_OUT, gap(sc.fanOutRate));
            }
            while (!events.isEmpty()) {
                Ev e = events.poll();
                clock.now = e.at;
                switch (e.kind) {
                    case SINGLE:
                        startCall(null);
                        scheduleArrival(SINGLE, clock.now + gap(sc.singleRate));
                        break;
                    case FAN_OUT:
                        FanOut f = new FanOut(clock.now, sc.fanOut);
                        for (int i = 0; i < sc.fanOut; i++) {
                            startCall(f);
                        }
                        scheduleArrival(FAN_OUT, clock.now + gap(sc.fanOutRate));
                        break;
                    case HEDGE:
                        hedge((Call) e.ref);
                        break;
                    default:
                        complete((Attempt) e.ref);
                        break;
                }
            }
            long inFlight = 0;
            long picked = 0;
            for (BackendStats b : lb.stats()) {
                inFlight += b.inFlight();
                picked += b.requests();
            }
            lb.close();
            double seconds = sc.durationNanos / 1e9;
            double bound = sc.budgetRatio + (requests == 0 ? 0
                    : sc.budgetMinPerSecond * (seconds + HedgeBudget.WINDOW_SECONDS) / requests);
            return new TailResult(sc.name, policy.name(), result("single", single), result("fan-out", fanOut),
                    requests, hedges, denied, serverNanos, serverNanosNotCancelled, firstAttemptNanos, bound, inFlight,
                    picked, hedgesToTriedBackend);
        }

        Result result(String what, Longs l) {
            long n = l.n;
            return new Result(sc.name + "/" + what, policy.name() + ", " + what, l.toArray(), n, n, 0, 0, 0,
                    Map.of(), new long[0], new long[0]);
        }

        long gap(double rate) {
            return Math.max(1L, Math.round(-Math.log(1.0 - arrivals.nextDouble()) * 1e9 / rate));
        }

        void scheduleArrival(int kind, long at) {
            if (at < sc.durationNanos) {
                schedule(at, kind, null);
            }
        }

        void startCall(FanOut parent) {
            long now = clock.now;
            Call call = new Call(now, parent);
            requests++;
            budget.deposit();
            long service = sc.latency.sampleNanos(firstService);
            firstAttemptNanos += service;
            call.first = new Attempt(call, lb.select(), now, service);
            schedule(now + service, COMPLETE, call.first);
            long delay = hedgeDelay();
            // The completion time is known here, so the hedge timer is scheduled only if it would fire first.
            if (service > delay) {
                schedule(now + delay, HEDGE, call);
            }
        }

        long hedgeDelay() {
            switch (policy.kind) {
                case FIXED:
                    return policy.delayNanos;
                case PERCENTILE:
                    return adaptive.delayNanos();
                default:
                    return Long.MAX_VALUE;
            }
        }

        void hedge(Call call) {
            if (call.done) {
                return;
            }
            if (policy.budgeted && !budget.tryWithdraw()) {
                denied++;
                return;
            }
            hedges++;
            long now = clock.now;
            String tried = call.first.selection.backend().id();
            Selection s = lb.select(RequestContext.empty().excluding(List.of(tried)));
            if (s.backend().id().equals(tried)) {
                hedgesToTriedBackend++; // only if every other backend were unavailable: never in these scenarios
            }
            long service = sc.latency.sampleNanos(hedgeService);
            call.second = new Attempt(call, s, now, service);
            schedule(now + service, COMPLETE, call.second);
        }

        void complete(Attempt a) {
            if (a.over) {
                return; // cancelled: the backend stopped when the other attempt won
            }
            long now = clock.now;
            a.over = true;
            Call call = a.call;
            call.done = true;
            a.selection.success();
            serverNanos += a.service;
            serverNanosNotCancelled += a.service;
            Attempt other = a == call.first ? call.second : call.first;
            if (other != null && !other.over) {
                other.over = true;
                other.selection.close(); // neither success nor failure: a slower backend is not punished
                serverNanos += now - other.start;
                serverNanosNotCancelled += other.service;
            }
            long latency = now - call.start;
            if (adaptive != null) {
                adaptive.record(latency);
            }
            if (call.parent == null) {
                single.add(latency);
            } else if (--call.parent.remaining == 0) {
                fanOut.add(now - call.parent.start);
            }
        }
    }
}
