package io.github.lb4j.micrometer;

import io.github.lb4j.core.BackendHealth;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.LoadBalancerEvent;
import io.github.lb4j.core.internal.PoolInternals;
import io.github.lb4j.core.internal.PoolObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pool bound to one registry: the pool's {@link PoolObserver}. Per-backend meters are created when the pool
 * reports a backend as a member and removed when it no longer does; each member carries its meters as this
 * observer's {@linkplain PoolObserver.Member#attachment attachment}, so the request path finds them without a
 * lookup.
 *
 * <p>{@value LoadBalancerMetrics#REQUESTS} is a {@link FunctionTimer} over two {@link LongAdder}s per backend and
 * outcome (calls, and nanoseconds): a completion adds to them, and the registry reads them when it publishes
 * (successes are counted from the pool's own counter instead; see {@link Tally}). A
 * Micrometer {@code Timer.record} per completion (a window max with its clock read, and the registry's own
 * bookkeeping) cost several times a select. On a pool that times only one selection in
 * {@link PoolInternals#observedTimingWeight n}, each timed one adds n times its latency: the total stays monotonic
 * and its expectation is the true total.
 *
 * <p>Thread-safety: {@link #finished} and {@link #noBackend} run concurrently on request threads and read only the
 * members' attachments and final fields; membership and events arrive one at a time and change the meters under
 * this object's monitor, as does {@link #close}.
 */
final class PoolMeters implements PoolObserver {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancerMetrics.class);

    static final Set<String> OWN_TAGS = Set.of("pool", "backend", "outcome", "state", "reason");
    private static final BackendHealth[] STATES = BackendHealth.values();
    /** The {@code reason} tag of {@link LoadBalancerMetrics#EJECTIONS}, by index in {@link BackendMeters#ejections}. */
    private static final String[] REASONS = {"consecutive", "rate", "breaker", "check"};

    private final LoadBalancer pool;
    private final MeterRegistry registry;
    private final Tags tags;
    /** Under this object's monitor; request threads read the members' attachments instead. */
    private final Map<Member, BackendMeters> backends = new IdentityHashMap<>();
    /** How many selections one timed selection stands for (see the class comment). */
    private final int timingWeight;
    /** The same meters by backend id, for events (which name a {@code Backend}). Under this object's monitor. */
    private final Map<String, BackendMeters> byId = new HashMap<>();
    /** Pool-wide meters. Under this object's monitor. */
    private final List<Meter> poolMeters = new ArrayList<>();
    private final Counter noBackend;
    private PoolObserver.Registration registration;
    private boolean closed;

    PoolMeters(LoadBalancer pool, MeterRegistry registry, Tags tags) {
        this.pool = pool;
        this.registry = registry;
        this.tags = tags;
        this.timingWeight = PoolInternals.observedTimingWeight(pool);
        this.noBackend = Counter.builder(LoadBalancerMetrics.NO_BACKEND).tags(tags)
                .description("Selects that found no backend available").register(registry);
        poolMeters.add(noBackend);
        poolMeters.add(Gauge.builder(LoadBalancerMetrics.PANIC, pool, p -> PoolInternals.inPanic(p) ? 1.0 : 0.0)
                .tags(tags).description("1 while the pool is in panic mode (picking regardless of health)")
                .strongReference(true).register(registry));
        for (BackendHealth state : STATES) {
            int i = state.ordinal();
            poolMeters.add(Gauge.builder(LoadBalancerMetrics.POOL_BACKENDS, pool,
                            p -> PoolInternals.healthCounts(p)[i])
                    .tags(tags).tag("state", label(state)).description("Backends of the pool in each state")
                    .strongReference(true).register(registry));
        }
    }

    /** Starts observing: the pool reports its members at once, then every change. */
    synchronized void start() {
        registration = PoolInternals.observe(pool, this);
    }

    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
        for (BackendMeters m : byId.values()) {
            m.member.attach(this, null);
            m.remove(registry);
        }
        byId.clear();
        backends.clear();
        for (Meter m : poolMeters) {
            registry.remove(m);
        }
        poolMeters.clear();
    }

    @Override
    public synchronized void members(List<Member> members) {
        if (closed) {
            return;
        }
        Map<Member, Boolean> current = new IdentityHashMap<>();
        for (Member m : members) {
            current.put(m, Boolean.TRUE);
        }
        // Leavers first: a backend that left and came back as a new member has the same id and so the same meters.
        for (BackendMeters old : new ArrayList<>(backends.values())) {
            if (!current.containsKey(old.member)) {
                old.member.attach(this, null);
                backends.remove(old.member);
                byId.remove(old.id);
                old.remove(registry);
            }
        }
        for (Member m : members) {
            if (!backends.containsKey(m)) {
                BackendMeters bm = new BackendMeters(m, registry, tags);
                backends.put(m, bm);
                byId.put(bm.id, bm);
                m.attach(this, bm);
            }
        }
    }

    @Override
    public void finished(Member member, Result result, long latencyNanos) {
        Object a = member.attachment(this);
        if (a == null) {
            return; // joined a moment ago: its membership change is on its way
        }
        Tally t = ((BackendMeters) a).requests[result.ordinal()]; // the attachment is only ever ours
        if (t != null) { // null: closed without an outcome, which has no latency worth timing
            if (t.member == null) { // successes are counted by the pool already (see Tally)
                t.calls.increment();
            }
            if (latencyNanos >= 0) { // -1: not sampled, or opened before the binding on an untimed strategy
                t.nanos.add(latencyNanos * timingWeight);
            }
        }
    }

    @Override
    public void noBackend() {
        noBackend.increment();
    }

    @Override
    public synchronized void onEvent(LoadBalancerEvent event) {
        if (closed || !(event instanceof LoadBalancerEvent.HealthChanged)) {
            return;
        }
        LoadBalancerEvent.HealthChanged h = (LoadBalancerEvent.HealthChanged) event;
        int reason = reason(h);
        if (reason < 0) {
            return;
        }
        BackendMeters m = byId.get(h.backend().id());
        if (m != null) {
            m.ejections[reason].increment();
        } else {
            log.debug("pool '{}': no meters for backend {} on {}", pool.name(), h.backend().id(), h);
        }
    }

    /** @return the index in {@link #REASONS} of a change that takes a backend out, or -1 */
    static int reason(LoadBalancerEvent.HealthChanged h) {
        if (h.to() == BackendHealth.EJECTED) {
            switch (h.cause()) {
                case CONSECUTIVE_FAILURES:
                    return 0;
                case FAILURE_RATE:
                    return 1;
                case FAILED_PROBES:
                    return 2;
                default:
                    return -1;
            }
        }
        return h.to() == BackendHealth.UNHEALTHY && h.cause() == LoadBalancerEvent.HealthChanged.Cause.CHECKS_FAILED
                ? 3 : -1;
    }

    static String label(BackendHealth state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "LoadBalancerMetrics of pool '" + pool.name() + "'";
    }

    /** The meters of one member. */
    static final class BackendMeters {
        final Member member;
        final String id;
        /** By {@link Result} ordinal; {@link Result#CLOSED} is never timed, so its slot stays null. */
        final Tally[] requests = new Tally[Result.values().length];
        /** By index in {@link #REASONS}. */
        final Counter[] ejections = new Counter[REASONS.length];
        final List<Meter> all = new ArrayList<>();

        BackendMeters(Member member, MeterRegistry registry, Tags poolTags) {
            this.member = member;
            this.id = member.backend().id();
            Tags tags = poolTags.and("backend", id);
            requests[Result.SUCCESS.ordinal()] = timer(registry, tags, "success", new Tally(member));
            requests[Result.FAILURE.ordinal()] = timer(registry, tags, "failure", new Tally(null));
            requests[Result.IGNORED.ordinal()] = timer(registry, tags, "ignored", new Tally(null));
            requests[Result.OVERLOADED.ordinal()] = timer(registry, tags, "overloaded", new Tally(null));
            all.add(Gauge.builder(LoadBalancerMetrics.IN_FLIGHT, member, Member::inFlight).tags(tags)
                    .description("Selections open on the backend").strongReference(true).register(registry));
            for (BackendHealth state : STATES) {
                all.add(Gauge.builder(LoadBalancerMetrics.HEALTH, member, m -> m.health() == state ? 1.0 : 0.0)
                        .tags(tags).tag("state", label(state))
                        .description("1 for the backend's current health state, 0 for the others")
                        .strongReference(true).register(registry));
            }
            for (int i = 0; i < REASONS.length; i++) {
                ejections[i] = Counter.builder(LoadBalancerMetrics.EJECTIONS).tags(tags).tag("reason", REASONS[i])
                        .description("Times the backend was taken out of rotation").register(registry);
                all.add(ejections[i]);
            }
        }

        private Tally timer(MeterRegistry registry, Tags tags, String outcome, Tally t) {
            all.add(FunctionTimer.builder(LoadBalancerMetrics.REQUESTS, t, Tally::count, Tally::totalNanos,
                            TimeUnit.NANOSECONDS)
                    .tags(tags).tag("outcome", outcome)
                    .description("Finished selections, by backend and outcome, with their latency")
                    .register(registry));
            return t;
        }

        void remove(MeterRegistry registry) {
            for (Meter m : all) {
                registry.remove(m);
            }
        }
    }

    /**
     * One backend's calls of one outcome and their total latency; added to by request threads. Successes, the
     * bulk of the traffic, cost no count on the request path: the pool counts them already
     * ({@link Member#successes}), and the tally reads that, from where it stood when the meter was created, keeping
     * the highest value read so the series never goes down.
     */
    static final class Tally {
        /** The member whose own success count is read; null for an outcome counted in {@link #calls}. */
        final Member member;
        private final long base;
        private long highest;
        final LongAdder calls = new LongAdder();
        final LongAdder nanos = new LongAdder();

        Tally(Member member) {
            this.member = member;
            this.base = member == null ? 0L : member.successes();
        }

        long count() {
            if (member == null) {
                return calls.sum();
            }
            synchronized (this) { // publications only, never the request path
                highest = Math.max(highest, member.successes() - base);
                return highest;
            }
        }

        double totalNanos() {
            return nanos.sum();
        }
    }
}
