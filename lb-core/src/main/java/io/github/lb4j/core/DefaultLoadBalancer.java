package io.github.lb4j.core;

import io.github.lb4j.core.internal.PoolInternals;
import io.github.lb4j.core.internal.PoolObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link LoadBalancer} implementation; see its javadoc for the design. This class is the wiring and the
 * request path; each rule of the update path lives in a class named after it, in the order a change runs:
 *
 * <ol>
 *   <li>{@link Membership}: who is in the pool, the diff of an update, draining;</li>
 *   <li>{@link PassiveHealth} and {@link ActiveChecks}: health verdicts from outcomes and from checks, which reach
 *       the pool through a {@link PoolHelper} only ({@link HealthUpdates} implements it);</li>
 *   <li>{@link SnapshotBuilder}: eligibility, panic, backups, slow-start weights and the next deadline;</li>
 *   <li>{@link DeadlineRefresh}: the one scheduled rebuild per pool that meets that deadline.</li>
 * </ol>
 *
 * <p>Health is part of the update path: an ejection, a return, a verdict of an active check and a slow-start step
 * are each a change under {@link #lock} that publishes a new snapshot. Events are queued under the lock and delivered
 * after it is released, on the listener executor when the pool has listeners ({@link EventDispatcher}). Time-driven
 * changes (an ejection ends, a ramp takes its next step) need no timer per backend: with the system ticker, one rebuild per pool is scheduled on the shared scheduler at the
 * earliest deadline; with another ticker (whose time the scheduler cannot follow) the snapshot records when it goes
 * stale and the first {@code select} after that time rebuilds it.
 */
final class DefaultLoadBalancer implements LoadBalancer {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    static {
        // Every pool is one of these, so this has run before any pool reaches lb4j's tools (see PoolInternals).
        PoolInternals.register(new InternalsAccess());
    }

    final String name;
    private final Strategy strategy;
    final Ticker ticker;
    final PoolContext context;
    private final boolean usesClock;
    private final boolean tracksLatency;
    private final double tauNanos;
    final long slowStartNanos;
    /** Null when passive outlier detection is off. */
    final PassiveHealth passive;
    /** Null when there are no active checks. */
    private final ActiveChecks active;
    final EventDispatcher events;

    /** Guards membership, health and rebuilds; never held by {@link #select}. */
    final Object lock = new Object();
    private final PoolHelper helper = new HealthUpdates(this);
    private final Overload overload;
    final Membership membership;
    private final SnapshotBuilder snapshots;
    /** Subsets by metadata seen so far; under {@link #lock}. */
    private final Subsets subsets;
    private final DeadlineRefresh refresh;
    private volatile Snapshot snapshot;
    /** Whether any removed backend still drains; kept by {@link Membership}, read by every completion. */
    volatile boolean hasDraining;
    /** How many removed backends still drain; kept by {@link Membership}, read by gauges. */
    volatile int drainingCount;
    /**
     * lb4j's observers attached after build ({@link PoolInternals#observe}): null, one, or an {@link Observers};
     * read once per completion (and per select on a strategy that does not time calls). Written under the lock.
     */
    private volatile PoolObserver observer;
    /** The observers behind {@link #observer}. Under the lock. */
    private PoolObserver[] observers = new PoolObserver[0];
    /** Result reported to observers, by {@link Outcome} ordinal. */
    private static final PoolObserver.Result[] RESULTS = {PoolObserver.Result.SUCCESS, PoolObserver.Result.FAILURE,
        PoolObserver.Result.IGNORED, PoolObserver.Result.CLOSED, PoolObserver.Result.OVERLOADED};
    /**
     * The start time of a selection nobody times: opened on a strategy without latency, with no observer, or not
     * among the ones sampled for an observer.
     */
    static final long UNTIMED = Long.MIN_VALUE;
    /**
     * On a strategy that does not time its calls (and has no clock reading to reuse), an observer gets the latency
     * of the selections whose count of calls started on their backend has none of these bits: one in 16 per backend.
     * The others finish with latency -1. Two ticker reads per selection would otherwise be most of a bound pool's
     * cost (issue 18); a sampled mean is an unbiased estimate of the mean.
     */
    static final long OBSERVED_TIMING_MASK = 15;
    /** Set while one thread refreshes a stale snapshot, so that other picks do not queue up behind it. */
    private final AtomicBoolean refreshing = new AtomicBoolean();
    /** Null when leak detection is off. */
    final LeakDetector leaks;
    /** Which selections are tracked: those whose count of calls started on the backend has none of these bits. */
    private final long leakMask;
    /** Discovery feeding this pool, or null; see {@link SourceBinding}. */
    private final SourceBinding source;
    /** Which of each full set the pool keeps as its members; {@link Subsetting#none()} keeps all. */
    private final Subsetting subsetting;
    /** Ticker time the membership was last set or confirmed (build, updateBackends, a source's confirmation). */
    private volatile long membershipConfirmedNanos;

    DefaultLoadBalancer(LoadBalancer.Builder b) {
        this.name = b.name;
        this.strategy = b.strategy;
        this.ticker = b.ticker;
        this.context = new PoolContext(name, b.random, b.ticker);
        this.usesClock = strategy.usesClock();
        this.tracksLatency = strategy.tracksLatency();
        this.tauNanos = strategy instanceof PeakEwmaStrategy ? ((PeakEwmaStrategy) strategy).tauNanos() : 1.0;
        this.slowStartNanos = b.slowStartNanos;
        this.subsetting = b.subsetting;
        this.events = new EventDispatcher(name, b.listeners, b.listenerExecutor, b.eventQueueCapacity);
        LeakDetector.Level leakLevel = b.leakDetection != null ? b.leakDetection
                : LeakDetector.Level.fromSystemProperty();
        this.leaks = leakLevel == LeakDetector.Level.OFF ? null : new LeakDetector(name, leakLevel);
        this.leakMask = leakLevel.mask();
        // With the system clock (or a test's scheduler), deadlines are met by one scheduled rebuild per pool, so
        // picks never read the clock for them; with any other ticker, the first pick after a deadline rebuilds.
        boolean scheduledRefresh = b.checkScheduler != null || ticker == Ticker.system();
        CheckScheduler scheduler = b.checkScheduler != null ? b.checkScheduler
                : b.healthCheck != null ? CheckScheduler.shared() : null;
        this.refresh = new DeadlineRefresh(scheduledRefresh, scheduler,
                b.checkScheduler == null && b.healthCheck == null, this::scheduledRebuild);
        this.overload = new Overload(helper, ticker);
        this.passive = b.outlierDetection.isEnabled() ? new PassiveHealth(helper, b.outlierDetection) : null;
        this.active = b.healthCheck == null ? null
                : new ActiveChecks(helper, b.healthCheck, scheduler, b.random, passive);
        this.membership = new Membership(this, lock, events, helper, active, passive, slowStartNanos);
        this.snapshots = new SnapshotBuilder(name, strategy.newFactory(context), events, slowStartNanos,
                b.slowStartFloorPercent, slowStartNanos > 0 && strategy.supportsSlowStart(), b.panicThresholdPercent,
                scheduledRefresh);
        ZoneRouting zones = null;
        if (b.localZone != null) {
            if (strategy instanceof HashStrategy) {
                // A key must map to one backend whatever zone the caller is in: zone routing would split it.
                log.warn("pool '{}': zone-aware routing (localZone '{}') is ignored with the hash strategy {}: key "
                        + "affinity must not depend on the caller's zone", name, b.localZone, strategy.name());
            } else {
                zones = new ZoneRouting(name, b.localZone, b.callerZoneShares, strategy, context);
                snapshots.zoneRouting(zones);
            }
        } else if (b.callerZoneShares != null) {
            log.warn("pool '{}': callerZoneShares is set without localZone; zone-aware routing is off", name);
        }
        this.subsets = new Subsets(name, b.subsetFallback, b.defaultSubset, b.maxSubsets, strategy, context,
                zones == null ? null : zones.forSubset());
        snapshots.subsets(subsets);
        int size;
        synchronized (lock) {
            long now = ticker.read();
            membershipConfirmedNanos = now;
            membership.init(subsetting.select(b.backendsCopy()), now);
            rebuild(now);
            if (active != null) {
                for (BackendState s : membership.current()) {
                    active.start(s);
                }
            }
            size = membership.size();
        }
        events.drain();
        log.info("pool '{}' created with {} backend(s), strategy {}", name, size, strategy.name());
        // Discovery hook: last, so a source that pushes from start() sees a complete pool.
        this.source = SourceBinding.start(this, b.source);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Strategy strategy() {
        return strategy;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Request path: lock-free, one snapshot read per pick.

    @Override
    public Selection select(RequestContext ctx) {
        Objects.requireNonNull(ctx, "context");
        return selectFrom(current(), ctx);
    }

    @Override
    public Backend pick(RequestContext ctx) {
        Objects.requireNonNull(ctx, "context");
        Snapshot s = current();
        long now = usesClock ? ticker.read() : 0L;
        Picker picker = s.picker;
        if (picker != null && ctx.pinnedBackendId() == null && !ctx.hasExclusions() && ctx.subsetSelector() == null) {
            return picker.pickBackend(ctx, now);
        }
        return choose(s, ctx, now).backend;
    }

    /** The snapshot to pick from: the published one, rebuilt first if its deadline passed. */
    private Snapshot current() {
        Snapshot s = snapshot;
        if (s.hasDeadline) {
            s = refreshIfStale(s);
        }
        return s;
    }

    /** The body of {@link #select}, on a given snapshot (tests use it to check picks against the snapshot read). */
    Selection selectFrom(Snapshot s, RequestContext ctx) {
        long now = usesClock ? ticker.read() : 0L;
        BackendState chosen = choose(s, ctx, now);
        long load = chosen.acquire();
        if (context.trackTotalInFlight) {
            context.totalInFlight.incrementAndGet();
        }
        long start = tracksLatency
                || observer != null && (usesClock || (BackendState.started(load) & OBSERVED_TIMING_MASK) == 0)
                ? (usesClock ? now : ticker.read()) : UNTIMED;
        if (leakMask >= 0 && (BackendState.started(load) & leakMask) == 0) {
            return leaks.track(chosen.backend, chosen, start);
        }
        return new Selection(chosen.backend, chosen, start);
    }

    /**
     * The choice shared by {@link #select} and {@link #pick}: pin, exclusions (waived when they exclude every
     * eligible backend), then the snapshot's picker. Counts nothing.
     *
     * @param now the pool's clock if the strategy {@linkplain Strategy#usesClock() uses it}, else 0
     * @throws NoBackendAvailableException if nothing is eligible or the pinned backend is not
     * @throws IllegalStateException if the pool is closed
     */
    private BackendState choose(Snapshot s, RequestContext ctx, long now) {
        Picker picker = s.picker;
        if (picker == null) {
            if (!s.closed) {
                noBackend();
            }
            if (s.closed) {
                throw new IllegalStateException("pool '" + name + "' is closed");
            }
            throw noBackendAvailable("no backend available (" + membership.describe(s) + ")", s);
        }
        if (ctx.pinnedBackendId() != null) {
            BackendState chosen = s.eligible(ctx.pinnedBackendId());
            if (chosen == null) {
                noBackend();
                throw noBackendAvailable("pinned backend '" + ctx.pinnedBackendId() + "' is not available ("
                        + membership.describe(s) + ")", s);
            }
            return chosen;
        }
        SubsetSelector subset = ctx.subsetSelector();
        if (subset != null) {
            BackendState chosen = chooseInSubset(s, subset, ctx, now);
            if (chosen != null) {
                return chosen;
            }
        }
        if (ctx.hasExclusions() && s.allExcluded(ctx)) {
            ctx = ctx.withoutExclusions();
        }
        return picker.pick(ctx, now);
    }

    /** The exception of a select that found nothing, with when the first overloaded backend is due back. */
    private NoBackendAvailableException noBackendAvailable(String what, Snapshot s) {
        long soonest = Overload.soonestNanos(s.members, ticker.read());
        if (soonest < 0) {
            return new NoBackendAvailableException(name, "pool '" + name + "': " + what);
        }
        return new NoBackendAvailableException(name, "pool '" + name + "': " + what + "; the first overloaded"
                + " backend is due back in " + EventDispatcher.duration(soonest), Duration.ofNanos(soonest));
    }

    /** A selection reported {@link Selection#overloaded}, after {@link #onComplete}: the window, capped. */
    void overloaded(BackendState s, long nanos) {
        overload.signal(s, nanos);
    }

    /**
     * A pick inside the context's subset, registering the selector on first sight (one rebuild under the lock); the
     * fallback when nothing in it is available.
     *
     * @return the backend, or null to pick from the whole pool ({@link SubsetFallback#ANY})
     * @throws NoBackendAvailableException when the fallback has nothing either
     */
    private BackendState chooseInSubset(Snapshot s, SubsetSelector subset, RequestContext ctx, long now) {
        SubsetTable.Entry e = subset.entryIn(s.subsets);
        if (e == null && !s.subsets.full) {
            s = register(subset);
            e = subset.entryIn(s.subsets);
        }
        BackendState chosen = e == null ? null : SubsetTable.pick(e, ctx, now);
        if (chosen != null) {
            return chosen;
        }
        SubsetTable t = s.subsets;
        if (t.fallback == SubsetFallback.ANY && s.picker != null) {
            return null;
        }
        if (t.fallback == SubsetFallback.DEFAULT && t.defaultEntry != null) {
            chosen = SubsetTable.pick(t.defaultEntry, ctx, now);
            if (chosen != null) {
                return chosen;
            }
        }
        noBackend();
        throw new NoBackendAvailableException(name, "pool '" + name + "': no backend available in subset "
                + (e == null ? "(not tracked: maxSubsets reached) " : "") + subset + ", fallback " + t.fallback
                + (t.fallback == SubsetFallback.DEFAULT ? " (the default subset has none either)" : "") + " ("
                + membership.describe(s) + ")");
    }

    /** Registers a subset selector and publishes a snapshot with its picker. @return the snapshot to pick from */
    private Snapshot register(SubsetSelector subset) {
        synchronized (lock) {
            Snapshot s = snapshot;
            if (s.closed) {
                throw new IllegalStateException("pool '" + name + "' is closed");
            }
            boolean registered = subsets.register(subset);
            // Rebuild for the new picker, or so that the table says it is full and later picks skip this lock.
            if (registered ? s.subsets.get(subset) == null : !s.subsets.full) {
                rebuild(ticker.read());
            }
        }
        events.drain();
        return snapshot;
    }

    /** Called once per selection, by the thread that reported its first outcome. */
    void onComplete(BackendState s, long startNanos, Outcome outcome, Throwable cause) {
        // A failure or neutral outcome is counted before the completion, so that successes, read as completed minus
        // the others (completed read first, see BackendState#successes), never count one that is not.
        if (outcome == Outcome.FAILURE) {
            s.countFailure();
        } else if (outcome != Outcome.SUCCESS) {
            s.countNeutral();
        }
        s.complete();
        if (context.trackTotalInFlight) {
            context.totalInFlight.decrementAndGet();
        }
        if (outcome == Outcome.SUCCESS) {
            // The common case costs one volatile read: nothing to feed once the breaker's window is all
            // successes (or before the first failure).
            if (passive != null && s.successRun < passive.cleanRun) {
                passive.onSuccess(s);
            }
        } else if (outcome == Outcome.FAILURE && passive != null) {
            passive.onFailure(s, cause);
        }
        PoolObserver o = observer;
        long rtt = -1L;
        if ((tracksLatency || o != null) && outcome.recordsLatency() && startNanos != UNTIMED) {
            long now = ticker.read();
            rtt = now - startNanos;
            if (tracksLatency) {
                if (outcome == Outcome.FAILURE) {
                    s.observeFailure(rtt, now, tauNanos);
                } else {
                    s.observeLatency(rtt, now, tauNanos);
                }
            }
        }
        if (hasDraining && s.health == BackendHealth.DRAINING && s.inFlight() == 0) {
            membership.purgeDrained();
        }
        if (o != null) {
            finished(o, s, outcome, rtt);
        }
    }

    private void finished(PoolObserver o, BackendState s, Outcome outcome, long rtt) {
        try {
            o.finished(s, RESULTS[outcome.ordinal()], rtt);
        } catch (RuntimeException e) {
            log.warn("pool '{}': observer {} threw on a finished selection; the pool carries on", name, o, e);
        }
    }

    /** Tells the observers, if any, that a select found nothing. */
    private void noBackend() {
        PoolObserver o = observer;
        if (o != null) {
            try {
                o.noBackend();
            } catch (RuntimeException e) {
                log.warn("pool '{}': observer {} threw on a select that found nothing; the pool carries on", name,
                        o, e);
            }
        }
    }

    /** @see PoolInternals#observedTimingWeight */
    int observedTimingWeight() {
        return tracksLatency || usesClock ? 1 : (int) OBSERVED_TIMING_MASK + 1;
    }

    /** @see PoolInternals#observe */
    PoolObserver.Registration observe(PoolObserver o) {
        synchronized (lock) {
            if (snapshot.closed) {
                throw new IllegalStateException("pool '" + name + "' is closed");
            }
            setObservers(append(observers, o));
            events.enqueueMembers(membership.current());
        }
        events.drain();
        return () -> {
            synchronized (lock) {
                setObservers(Arrays.stream(observers).filter(x -> x != o).toArray(PoolObserver[]::new));
            }
        };
    }

    private static PoolObserver[] append(PoolObserver[] all, PoolObserver o) {
        PoolObserver[] next = Arrays.copyOf(all, all.length + 1);
        next[all.length] = o;
        return next;
    }

    /** Under the lock. */
    private void setObservers(PoolObserver[] next) {
        observers = next;
        PoolObserver one = next.length == 0 ? null : next.length == 1 ? next[0] : new Observers(next);
        events.observer = one;
        observer = one;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Update path: each change runs under the lock, queues its events and rebuilds; events are delivered after.

    @Override
    public void updateBackends(Collection<Backend> backends) {
        apply(Membership.check(backends));
    }

    /**
     * Applies a checked set.
     *
     * @return whether the membership changed
     */
    boolean apply(List<Backend> update) {
        if (leaks != null) {
            leaks.releaseLeaked(); // removed backends drain sooner
        }
        synchronized (lock) {
            if (snapshot.closed) {
                throw new IllegalStateException("pool '" + name + "' is closed");
            }
            // Backends joining a pool that had nothing to pick (such as discovery's first set) have no one to be
            // protected from: they start at full weight.
            long now = ticker.read();
            membershipConfirmedNanos = now;
            // Subsetting: the pool's members are this client's subset of the full set, recomputed from every set.
            List<BackendState> joined = membership.apply(subsetting.select(update), now, snapshot.picker != null);
            if (joined == null) {
                return false;
            }
            rebuild(now);
            if (active != null) {
                for (BackendState s : joined) {
                    active.start(s);
                }
            }
        }
        events.drain();
        return true;
    }

    /**
     * Rebuilds the snapshot if its deadline passed. One thread does it; picks that find it busy use the snapshot
     * they have (it is at most a moment late).
     */
    private Snapshot refreshIfStale(Snapshot s) {
        long now = ticker.read();
        if (!s.isStale(now) || !refreshing.compareAndSet(false, true)) {
            return s;
        }
        try {
            synchronized (lock) {
                if (snapshot.isStale(now) && !snapshot.closed) {
                    applyDeadlines(now);
                    rebuild(now);
                }
            }
        } finally {
            refreshing.set(false);
        }
        events.drain();
        return snapshot;
    }

    /** The rebuild {@link DeadlineRefresh} schedules. */
    private void scheduledRebuild() {
        try {
            synchronized (lock) {
                refresh.ran();
                if (!snapshot.closed) {
                    long now = ticker.read();
                    applyDeadlines(now);
                    rebuild(now);
                }
            }
            events.drain();
        } catch (RuntimeException e) {
            log.error("pool '{}': scheduled rebuild failed", name, e);
        }
    }

    /** Ends the ejections and overload windows due by {@code now}. Must hold {@link #lock}. */
    private void applyDeadlines(long now) {
        if (passive != null) {
            passive.endEjectionsDue(membership.current(), now);
        }
        overload.endDue(membership.current(), now);
    }

    /** Builds and publishes a new snapshot, and schedules its deadline. Must hold {@link #lock}. */
    void rebuild(long now) {
        SnapshotBuilder.Built next = snapshots.build(membership.toArray(), now);
        refresh.onRebuilt(next.hasDeadline, next.deadline, now);
        snapshot = next.snapshot;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Diagnostics and lifecycle

    Snapshot snapshot() {
        return snapshot;
    }

    /** @return whether the pool is in panic mode right now */
    boolean inPanic() {
        return snapshot.panic;
    }

    @Override
    public List<Backend> backends() {
        BackendState[] m = snapshot.members;
        List<Backend> out = new ArrayList<>(m.length);
        for (BackendState s : m) {
            out.add(s.backend);
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public long membershipConfirmedNanos() {
        return membershipConfirmedNanos;
    }

    /**
     * A source confirmed the membership without changing it: records the time and queues a
     * {@link LoadBalancerEvent.MembershipConfirmed}.
     *
     * @return false if the pool is closed
     */
    boolean confirmMembership() {
        synchronized (lock) {
            if (snapshot.closed) {
                return false;
            }
            long now = ticker.read();
            membershipConfirmedNanos = now;
            events.enqueue(new LoadBalancerEvent.MembershipConfirmed(name, membership.size(), now));
        }
        events.drain();
        return true;
    }

    @Override
    public List<BackendStats> stats() {
        if (leaks != null) {
            leaks.releaseLeaked(); // the in-flight counts reported are real calls
        }
        Snapshot s = snapshot;
        if (s.hasDeadline) {
            refreshIfStale(s);
        }
        List<BackendState> all = membership.withDraining();
        List<BackendStats> out = new ArrayList<>(all.size());
        long confirmed = membershipConfirmedNanos;
        for (BackendState st : all) {
            out.add(st.stats(confirmed));
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (snapshot.closed) {
                return;
            }
            snapshot = Snapshot.CLOSED;
            if (active != null) {
                active.close(membership.current());
            }
            refresh.close();
        }
        // Discovery hook: outside the lock, because a source's close may wait for its own work to stop.
        if (source != null) {
            source.close();
        }
        events.close();
        log.info("pool '{}' closed", name);
    }

    @Override
    public String toString() {
        return "LoadBalancer{" + name + ", " + strategy.name() + ", " + snapshot.eligible.length + " of "
                + snapshot.members.length + " available}";
    }
}
