package io.github.lb4j.simulator;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.NoBackendAvailableException;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Ticker;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeoutException;

/**
 * A deterministic discrete-event simulator in virtual time. It drives a real lb-core {@link LoadBalancer} whose
 * {@link Ticker} is the simulation clock and whose random source is seeded: a request arrives (open loop), the pool
 * picks a backend, the backend queues and serves it, and the outcome (success, failure, or the client's timeout)
 * flows back through the real {@link Selection}. The same scenario and seed give the same numbers on every run.
 *
 * <pre>{@code
 * Result r = Simulator.run(Scenarios.linkerd(1.0), Contender.of(Strategy.peakEwma()));
 * System.out.println(r.percentileMs(0.99) + " ms, " + r.successRate());
 * }</pre>
 *
 * <p>Thread-safety: {@code run} is safe to call from several threads (each run has its own state).
 */
public final class Simulator {

    private Simulator() {
    }

    /**
     * @param scenario what to simulate
     * @param contenders who picks; each runs the same scenario with the same seed
     * @return one result per contender, in order
     */
    public static List<Result> runAll(Scenario scenario, List<Contender> contenders) {
        List<Result> out = new ArrayList<>();
        for (Contender c : contenders) {
            out.add(run(scenario, c));
        }
        return out;
    }

    /**
     * @param scenario what to simulate
     * @param contender who picks
     * @return what the contender achieved
     */
    public static Result run(Scenario scenario, Contender contender) {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(contender, "contender");
        return new Run(scenario, contender).execute();
    }

    /** The simulation clock, read by the pool as its {@link Ticker}. */
    static final class VirtualClock implements Ticker {
        long now;

        @Override
        public long read() {
            return now;
        }
    }

    /** One backend's live state. */
    static final class SimBackend {
        final Scenario.BackendSpec spec;
        LatencyDistribution latency;
        boolean up = true;
        Scenario.CrashMode crashMode;
        int busy;
        int epoch;
        final ArrayDeque<Req> queue = new ArrayDeque<>();
        final java.util.Set<Req> inService = new java.util.LinkedHashSet<>();
        long served;

        SimBackend(Scenario.BackendSpec spec) {
            this.spec = spec;
            this.latency = spec.latency();
        }

        int inSystem() {
            return busy + queue.size();
        }
    }

    /** One request. */
    static final class Req {
        final long start;
        final boolean counted;
        SimBackend backend;
        Selection selection;
        int epoch;
        boolean done;

        Req(long start, boolean counted) {
            this.start = start;
            this.counted = counted;
        }
    }

    private abstract static class Ev implements Comparable<Ev> {
        final long at;
        final long seq;

        Ev(long at, long seq) {
            this.at = at;
            this.seq = seq;
        }

        abstract void fire();

        @Override
        public int compareTo(Ev o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private static final TimeoutException TIMEOUT = new TimeoutException("simulated client timeout");
    private static final RuntimeException REFUSED = new RuntimeException("simulated connection refused");
    private static final RuntimeException FAILED = new RuntimeException("simulated backend failure");

    private static final class Run {
        final Scenario sc;
        final Contender contender;
        final VirtualClock clock = new VirtualClock();
        final PriorityQueue<Ev> events = new PriorityQueue<>();
        final SplittableRandom arrivals;
        final SplittableRandom service;
        final SplittableRandom oracleRandom;
        final Map<String, SimBackend> all = new LinkedHashMap<>();
        final List<SimBackend> members = new ArrayList<>();
        final LoadBalancer lb;
        long seq;

        long[] latencies = new long[1024];
        int count;
        /** Per second of arrival: requests, and those that succeeded within the SLO. */
        long[] perSecondRequests;
        long[] perSecondGood;
        long ok;
        long okWithin;
        long errors;
        long timeouts;

        Run(Scenario sc, Contender contender) {
            this.sc = sc;
            int secs = (int) ((sc.durationNanos + 999_999_999L) / 1_000_000_000L);
            this.perSecondRequests = new long[secs];
            this.perSecondGood = new long[secs];
            this.contender = contender;
            SplittableRandom root = new SplittableRandom(sc.seed);
            this.arrivals = root.split();
            this.service = root.split();
            SplittableRandom pickRandom = root.split();
            this.oracleRandom = pickRandom;
            for (Scenario.BackendSpec b : sc.backends) {
                SimBackend s = new SimBackend(b);
                all.put(b.id(), s);
                members.add(s);
            }
            if (contender.strategy != null) {
                lb = LoadBalancer.builder("sim-" + contender.name)
                        .backends(toBackends())
                        .strategy(contender.strategy)
                        .ticker(clock)
                        .random(pickRandom)
                        .outlierDetection(contender.outlierDetection)
                        // the strategy alone ramps nothing; as shipped, a backend that joins ramps up over 30 s
                        .slowStart(contender.shipped ? LoadBalancer.Builder.DEFAULT_SLOW_START_WINDOW
                                : java.time.Duration.ZERO)
                        .build();
            } else {
                lb = null;
            }
        }

        private List<Backend> toBackends() {
            List<Backend> out = new ArrayList<>(members.size());
            for (int i = 0; i < members.size(); i++) {
                Scenario.BackendSpec spec = members.get(i).spec;
                out.add(Backend.of("127.0.0.1", 10000 + i).withId(spec.id()).withWeight(spec.weight()));
            }
            return out;
        }

        void schedule(long at, Runnable r) {
            events.add(new Ev(at, seq++) {
                @Override
                void fire() {
                    r.run();
                }
            });
        }

        Result execute() {
            for (Scenario.Timed t : sc.events) {
                schedule(t.atNanos(), () -> apply(t.event()));
            }
            scheduleArrival(nextGap());
            while (!events.isEmpty()) {
                Ev e = events.poll();
                clock.now = e.at;
                e.fire();
            }
            if (lb != null) {
                lb.close();
            }
            Map<String, Long> per = new LinkedHashMap<>();
            for (SimBackend b : all.values()) {
                per.put(b.spec.id(), b.served);
            }
            return new Result(sc.name, contender.name, java.util.Arrays.copyOf(latencies, count), ok, okWithin,
                    errors, timeouts, sc.sloNanos, per, perSecondRequests, perSecondGood);
        }

        long nextGap() {
            double mean = 1e9 / sc.ratePerSecond;
            return Math.max(1L, Math.round(sc.poisson ? -Math.log(1.0 - arrivals.nextDouble()) * mean : mean));
        }

        void scheduleArrival(long at) {
            if (at >= sc.durationNanos) {
                return;
            }
            schedule(at, () -> {
                arrive();
                scheduleArrival(clock.now + nextGap());
            });
        }

        void arrive() {
            long now = clock.now;
            Req req = new Req(now, now >= sc.warmupNanos);
            SimBackend target;
            if (lb != null) {
                try {
                    req.selection = lb.select();
                } catch (NoBackendAvailableException e) {
                    finish(req, Outcome.ERROR);
                    return;
                }
                target = all.get(req.selection.backend().id());
            } else {
                target = oracle();
                if (target == null) {
                    finish(req, Outcome.ERROR);
                    return;
                }
            }
            req.backend = target;
            if (sc.timeoutNanos > 0) {
                schedule(now + sc.timeoutNanos, () -> {
                    if (!req.done) {
                        finish(req, Outcome.TIMEOUT);
                    }
                });
            }
            accept(target, req);
        }

        void accept(SimBackend b, Req req) {
            req.epoch = b.epoch;
            if (!b.up) {
                if (b.crashMode == Scenario.CrashMode.REFUSE) {
                    schedule(clock.now + Scenario.REFUSE_NANOS, () -> {
                        if (!req.done) {
                            finish(req, Outcome.ERROR);
                        }
                    });
                }
                return; // HANG: only the timeout ends it
            }
            if (b.spec.servers() == 0 || b.busy < b.spec.servers()) {
                startService(b, req);
            } else {
                b.queue.add(req);
            }
        }

        void startService(SimBackend b, Req req) {
            b.busy++;
            b.inService.add(req);
            long svc = b.latency.sampleNanos(service);
            boolean fails = b.spec.failureRate() > 0 && service.nextDouble() < b.spec.failureRate();
            int epoch = b.epoch;
            // The server does not know the client gave up: a timed-out request still occupies its server.
            schedule(clock.now + svc, () -> {
                if (b.epoch != epoch) {
                    return; // the backend crashed meanwhile; this work is lost
                }
                b.busy--;
                b.inService.remove(req);
                b.served++;
                if (!b.queue.isEmpty()) {
                    startService(b, b.queue.poll());
                }
                if (!req.done) {
                    finish(req, fails ? Outcome.FAILED : Outcome.OK);
                }
            });
        }

        enum Outcome { OK, FAILED, ERROR, TIMEOUT }

        void finish(Req req, Outcome outcome) {
            req.done = true;
            Selection s = req.selection;
            if (s != null) {
                switch (outcome) {
                    case OK:
                        s.success();
                        break;
                    case TIMEOUT:
                        s.failure(TIMEOUT);
                        break;
                    case FAILED:
                        s.failure(FAILED);
                        break;
                    default:
                        s.failure(REFUSED);
                        break;
                }
            }
            if (!req.counted) {
                return;
            }
            long latency = clock.now - req.start;
            if (count == latencies.length) {
                latencies = java.util.Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = latency;
            int second = (int) Math.min(perSecondRequests.length - 1, req.start / 1_000_000_000L);
            perSecondRequests[second]++;
            switch (outcome) {
                case OK:
                    ok++;
                    if (sc.sloNanos == 0 || latency <= sc.sloNanos) {
                        okWithin++;
                        perSecondGood[second]++;
                    }
                    break;
                case TIMEOUT:
                    timeouts++;
                    break;
                default:
                    errors++;
                    break;
            }
        }

        /** The backend with the lowest expected response time now; ties at random. */
        SimBackend oracle() {
            SimBackend best = null;
            double bestCost = Double.POSITIVE_INFINITY;
            int ties = 0;
            for (SimBackend b : members) {
                if (!b.up) {
                    continue;
                }
                double mean = b.latency.meanNanos();
                int servers = b.spec.servers();
                double wait = servers == 0 || b.inSystem() < servers ? 0 : (b.inSystem() - servers + 1.0) / servers;
                double cost = mean * (1 + wait) / (1 - Math.min(0.999, b.spec.failureRate()));
                if (cost < bestCost * (1 - 1e-9)) {
                    best = b;
                    bestCost = cost;
                    ties = 1;
                } else if (cost <= bestCost * (1 + 1e-9)) {
                    // reservoir sampling among equally good backends
                    ties++;
                    if (oracleRandom.nextInt(ties) == 0) {
                        best = b;
                    }
                }
            }
            return best;
        }

        void apply(Scenario.Event e) {
            SimBackend b = all.get(e.backendId());
            switch (e.kind()) {
                case SLOW_DOWN:
                    b.latency = e.latency();
                    break;
                case RECOVER:
                    b.latency = b.spec.latency();
                    b.up = true;
                    b.crashMode = null;
                    break;
                case CRASH:
                    b.up = false;
                    b.crashMode = e.crashMode();
                    b.epoch++;
                    b.busy = 0;
                    List<Req> lost = new ArrayList<>(b.inService);
                    lost.addAll(b.queue);
                    b.queue.clear();
                    b.inService.clear();
                    if (e.crashMode() == Scenario.CrashMode.REFUSE) {
                        // Connections reset: queued and in-service requests fail now. On HANG they are lost with
                        // the epoch and end at their timeout (or never, without one).
                        for (Req r : lost) {
                            if (!r.done) {
                                finish(r, Outcome.ERROR);
                            }
                        }
                    }
                    break;
                case ADD:
                    SimBackend added = new SimBackend(e.added());
                    all.put(added.spec.id(), added);
                    members.add(added);
                    updateMembership();
                    break;
                case REMOVE:
                    members.remove(b);
                    updateMembership();
                    break;
                default:
                    throw new IllegalStateException("unknown event " + e.kind());
            }
        }

        void updateMembership() {
            if (lb != null) {
                List<Backend> next = new ArrayList<>();
                for (SimBackend m : members) {
                    next.add(Backend.of("127.0.0.1", 10000 + indexOf(m)).withId(m.spec.id())
                            .withWeight(m.spec.weight()));
                }
                lb.updateBackends(next);
            }
        }

        private int indexOf(SimBackend m) {
            int i = 0;
            for (SimBackend b : all.values()) {
                if (b == m) {
                    return i;
                }
                i++;
            }
            return -1;
        }
    }
}
