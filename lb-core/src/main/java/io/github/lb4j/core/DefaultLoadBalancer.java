package io.github.lb4j.core;

import io.github.lb4j.core.internal.PoolInternals;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link LoadBalancer} implementation; see its javadoc for the design.
 *
 * <p>Health is part of the update path: an ejection, a return, a verdict of an active check and a slow-start step
 * are each a change under {@link #lock} that publishes a new snapshot. Events are queued under the lock and delivered
 * after it is released ({@link EventDispatcher}). Time-driven changes (an ejection ends, a ramp takes its next step)
 * need no timer per backend: with the system ticker, one rebuild per pool is scheduled on the shared scheduler at the
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
    private final PickerFactory factory;
    private final boolean usesClock;
    private final boolean tracksLatency;
    private final double tauNanos;

    // Health configuration.
    /** Null when passive outlier detection is off. */
    final PassiveHealth passive;
    /** Null when there are no active checks. */
    private final ActiveChecks active;
    /**
     * Runs active checks and deadline rebuilds; acquired at build when checks need it, else on the first deadline.
     * Under {@link #lock} after construction.
     */
    private CheckScheduler scheduler;
    private final boolean scheduledRefresh;
    /** Whether {@link #scheduler} is the shared one, held only while a deadline is pending. */
    private final boolean lazyScheduler;
    /** The pending deadline rebuild, and when it is due; under {@link #lock}. */
    private java.util.concurrent.Future<?> refreshTask;
    private long refreshTaskAt;
    private final long slowStartNanos;
    private final int slowStartFloorPercent;
    private final boolean rampWeights;
    private final int panicThresholdPercent;
    final EventDispatcher events;

    /** Guards membership, health and rebuilds; never held by {@link #select}. */
    private final Object lock = new Object();
    private LinkedHashMap<String, BackendState> members = new LinkedHashMap<>();
    private final LinkedHashMap<String, BackendState> draining = new LinkedHashMap<>();
    private volatile Snapshot snapshot;
    private volatile boolean hasDraining;
    /** Set while one thread refreshes a stale snapshot, so that other picks do not queue up behind it. */
    private final AtomicBoolean refreshing = new AtomicBoolean();
    /** Panic mode as last reported; under {@link #lock}. */
    private boolean panic;
    /** Discovery feeding this pool, or null; see {@link SourceBinding}. */
    private final SourceBinding source;

    DefaultLoadBalancer(LoadBalancer.Builder b) {
        this.name = b.name;
        this.strategy = b.strategy;
        this.ticker = b.ticker;
        this.context = new PoolContext(name, b.random, b.ticker);
        this.factory = strategy.newFactory(context);
        this.usesClock = strategy.usesClock();
        this.tracksLatency = strategy.tracksLatency();
        this.tauNanos = strategy instanceof PeakEwmaStrategy ? ((PeakEwmaStrategy) strategy).tauNanos() : 1.0;
        this.passive = b.outlierDetection.isEnabled() ? new PassiveHealth(this, b.outlierDetection) : null;
        this.slowStartNanos = b.slowStartNanos;
        this.slowStartFloorPercent = b.slowStartFloorPercent;
        this.rampWeights = slowStartNanos > 0 && strategy.supportsSlowStart();
        this.panicThresholdPercent = b.panicThresholdPercent;
        this.events = new EventDispatcher(name, b.listeners);
        // With the system clock (or a test's scheduler), deadlines are met by one scheduled rebuild per pool, so
        // picks never read the clock for them; with any other ticker, the first pick after a deadline rebuilds.
        this.scheduledRefresh = b.checkScheduler != null || ticker == Ticker.system();
        this.scheduler = b.checkScheduler != null ? b.checkScheduler
                : b.healthCheck != null ? CheckScheduler.shared() : null;
        this.lazyScheduler = b.checkScheduler == null && b.healthCheck == null;
        this.active = b.healthCheck == null ? null : new ActiveChecks(this, b.healthCheck, scheduler, b.random);
        synchronized (lock) {
            long now = ticker.read();
            for (Backend backend : b.backendsCopy()) {
                BackendState s = newMember(backend, now, false);
                members.put(backend.id(), s);
            }
            rebuild(now);
            if (active != null) {
                for (BackendState s : members.values()) {
                    active.start(s);
                }
            }
        }
        events.drain();
        log.info("pool '{}' created with {} backend(s), strategy {}", name, members.size(), strategy.name());
        // Discovery hook: last, so a source that pushes from start() sees a complete pool.
        this.source = SourceBinding.start(this, b.source);
    }

    /** A new member's state: trusted or waiting for its first check, ramping if it joined after the build. */
    private BackendState newMember(Backend backend, long now, boolean joinedLater) {
        BackendState s = new BackendState(this, backend);
        s.transitionNanos = now;
        s.healthySinceNanos = now;
        if (active != null) {
            if (active.config.initiallyHealthy) {
                s.trustedUntilChecked = true;
            } else {
                s.awaitingFirstCheck = true;
                s.health = BackendHealth.UNHEALTHY;
                s.transitionReason = "awaiting its first health check";
            }
        }
        if (joinedLater && slowStartNanos > 0) {
            s.rampStartNanos = now;
        }
        return s;
    }

    static List<Backend> checkMembership(Collection<Backend> backends) {
        Objects.requireNonNull(backends, "backends");
        List<Backend> copy = new ArrayList<>(backends.size());
        Set<String> ids = new HashSet<>();
        int i = 0;
        for (Backend b : backends) {
            if (b == null) {
                throw new NullPointerException("backends[" + i + "] is null");
            }
            if (!ids.add(b.id())) {
                throw new IllegalArgumentException("backends contains the id '" + b.id() + "' twice");
            }
            copy.add(b);
            i++;
        }
        return Collections.unmodifiableList(copy);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Strategy strategy() {
        return strategy;
    }

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
        if (picker != null && ctx.pinnedBackendId() == null && !ctx.hasExclusions()) {
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
        chosen.acquire();
        if (context.trackTotalInFlight) {
            context.totalInFlight.incrementAndGet();
        }
        long start = tracksLatency ? (usesClock ? now : ticker.read()) : 0L;
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
            throw s.closed ? new IllegalStateException("pool '" + name + "' is closed") : noBackend(s);
        }
        if (ctx.pinnedBackendId() != null) {
            BackendState chosen = s.eligible(ctx.pinnedBackendId());
            if (chosen == null) {
                throw new NoBackendAvailableException(name, "pool '" + name + "': pinned backend '"
                        + ctx.pinnedBackendId() + "' is not available (" + describe(s) + ")");
            }
            return chosen;
        }
        if (ctx.hasExclusions() && s.allExcluded(ctx)) {
            ctx = ctx.hasHashKey() ? RequestContext.ofHashKey(ctx.hashKey()) : RequestContext.empty();
        }
        return picker.pick(ctx, now);
    }

    Snapshot snapshot() {
        return snapshot;
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

    /** Ends the ejections due by {@code now}. Must hold {@link #lock}. */
    private void applyDeadlines(long now) {
        if (passive == null) {
            return;
        }
        for (BackendState s : members.values()) {
            if (s.health == BackendHealth.EJECTED && now - s.ejectedUntilNanos >= 0) {
                passive.endEjection(s, now);
                comeBack(s, now);
            }
        }
    }

    /** Called once per selection, by the thread that reported its first outcome. */
    void onComplete(BackendState s, long startNanos, int outcome, Throwable cause) {
        s.complete();
        if (context.trackTotalInFlight) {
            context.totalInFlight.decrementAndGet();
        }
        switch (outcome) {
            case Selection.SUCCESS:
                // The common case costs one volatile read: nothing to feed once the breaker's window is all
                // successes (or before the first failure).
                if (passive != null && s.successRun < passive.cleanRun) {
                    passive.onSuccess(s);
                }
                break;
            case Selection.FAILURE:
                s.countFailure();
                if (passive != null) {
                    passive.onFailure(s, cause);
                }
                break;
            case Selection.IGNORED:
            case Selection.CLOSED:
                s.countNeutral();
                break;
            default:
                break;
        }
        if (tracksLatency && outcome != Selection.CLOSED) {
            long now = ticker.read();
            long rtt = now - startNanos;
            if (outcome == Selection.FAILURE) {
                s.observeFailure(rtt, now, tauNanos);
            } else {
                s.observeLatency(rtt, now, tauNanos);
            }
        }
        if (hasDraining && s.health == BackendHealth.DRAINING && s.inFlight() == 0) {
            purgeDrained();
        }
    }

    private void purgeDrained() {
        synchronized (lock) {
            for (Iterator<BackendState> it = draining.values().iterator(); it.hasNext(); ) {
                BackendState d = it.next();
                if (d.inFlight() == 0) {
                    it.remove();
                    log.debug("pool '{}': backend {} drained", name, d.id);
                }
            }
            hasDraining = !draining.isEmpty();
        }
    }

    @Override
    public void updateBackends(Collection<Backend> backends) {
        List<Backend> update = checkMembership(backends);
        synchronized (lock) {
            if (snapshot.closed) {
                throw new IllegalStateException("pool '" + name + "' is closed");
            }
            if (sameMembership(update)) {
                return;
            }
            List<Backend> added = new ArrayList<>();
            List<Backend> removed = new ArrayList<>();
            List<Backend> changed = new ArrayList<>();
            long now = ticker.read();
            LinkedHashMap<String, BackendState> next = new LinkedHashMap<>();
            List<BackendState> joined = new ArrayList<>();
            // Backends joining a pool that had nothing to pick (such as discovery's first set) have no one to be
            // protected from: they start at full weight.
            boolean ramp = snapshot.picker != null;
            for (Backend b : update) {
                BackendState s = members.remove(b.id());
                if (s == null) {
                    s = draining.remove(b.id());
                    if (s != null) {
                        s.backend = b;
                        rejoin(s, now);
                    } else {
                        s = newMember(b, now, ramp);
                    }
                    added.add(b);
                    joined.add(s);
                } else if (!s.backend.equals(b)) {
                    changed.add(b);
                }
                s.backend = b;
                next.put(b.id(), s);
            }
            for (BackendState gone : members.values()) {
                removed.add(gone.backend);
                if (active != null) {
                    active.stop(gone);
                }
                if (gone.inFlight() > 0) {
                    transition(gone, BackendHealth.DRAINING, now, "removed from membership");
                    draining.put(gone.id, gone);
                }
            }
            hasDraining = !draining.isEmpty();
            if (hasDraining) {
                // A call that completed after its in-flight count was read above may have missed hasDraining (it
                // was still false): with the flag now set, look again, or that backend would drain forever.
                purgeDrained();
            }
            members = next;
            events.enqueue(new LoadBalancerEvent.MembershipChanged(name, added, removed, changed, next.size(), now));
            rebuild(now);
            if (active != null) {
                for (BackendState s : joined) {
                    active.start(s);
                }
            }
        }
        events.drain();
    }

    /** A draining backend added back: it resumes as a new member would (its counters survive). */
    private void rejoin(BackendState s, long now) {
        if (active != null && !active.config.initiallyHealthy) {
            s.awaitingFirstCheck = true;
            transition(s, BackendHealth.UNHEALTHY, now, "rejoined; awaiting its first health check");
        } else {
            s.trustedUntilChecked = active != null;
            transition(s, BackendHealth.HEALTHY, now, "rejoined before it drained");
            comeBack(s, now);
            if (passive != null) {
                passive.probeAfterCheck(s, now); // an open breaker (it left while ejected) goes half-open
            }
        }
    }

    private boolean sameMembership(List<Backend> update) {
        if (update.size() != members.size()) {
            return false;
        }
        Iterator<BackendState> it = members.values().iterator();
        for (Backend b : update) {
            if (!it.next().backend.equals(b)) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Health changes. Each runs under the lock, queues its events and rebuilds; the caller drains the events.

    /** Moves a backend to another health state and queues the event. Must hold {@link #lock}. */
    void transition(BackendState s, BackendHealth to, long now, String reason) {
        BackendHealth from = s.health;
        s.transition(to, now, reason);
        events.enqueue(new LoadBalancerEvent.HealthChanged(name, s.backend, from, to, reason, now));
    }

    /** Bookkeeping for a backend that just became healthy again. Must hold {@link #lock}. */
    private void comeBack(BackendState s, long now) {
        s.healthySinceNanos = now;
        s.forgetLatency();
        if (slowStartNanos > 0) {
            s.rampStartNanos = now;
        }
    }

    /** @return whether {@code s} is a current member (not draining, not removed). Must hold {@link #lock}. */
    boolean isMember(BackendState s) {
        return members.get(s.id) == s;
    }

    /**
     * Runs a health change under the lock (unless the pool is closed), publishes a snapshot if it changed anything,
     * then delivers its events.
     */
    void update(HealthChange change) {
        synchronized (lock) {
            if (!snapshot.closed) {
                long now = ticker.read();
                if (change.apply(now)) {
                    rebuild(now);
                }
            }
        }
        events.drain();
    }

    /** A change applied under the pool's lock. */
    interface HealthChange {
        /**
         * @param now the pool's clock
         * @return whether eligibility or weights may have changed, so a new snapshot is due
         */
        boolean apply(long now);
    }

    /** @return backends ejected right now, among current members. Must hold {@link #lock}. */
    int ejectedCount() {
        int n = 0;
        for (BackendState s : members.values()) {
            if (s.health == BackendHealth.EJECTED) {
                n++;
            }
        }
        return n;
    }

    int memberCount() {
        return members.size();
    }

    /**
     * Applies an active check's verdict. Called by {@link ActiveChecks} without the lock.
     *
     * @return whether the backend is still a member (so its checks go on)
     */
    boolean applyCheck(BackendState s, HealthCheckResult verdict) {
        boolean member;
        synchronized (lock) {
            member = !snapshot.closed && isMember(s);
            if (member) {
                long now = ticker.read();
                if (applyVerdict(s, verdict, now)) {
                    rebuild(now);
                }
            }
        }
        events.drain();
        return member;
    }

    /** @return whether the backend's health changed. Must hold {@link #lock}. */
    private boolean applyVerdict(BackendState s, HealthCheckResult verdict, long now) {
        ActiveHealthCheck cfg = active.config;
        boolean trusted = s.trustedUntilChecked;
        s.trustedUntilChecked = false;
        if (verdict.isHealthy()) {
            s.checksFailed = 0;
            s.checksPassed++;
            if (s.health != BackendHealth.UNHEALTHY) {
                return false;
            }
            boolean first = s.awaitingFirstCheck;
            if (!first && s.checksPassed < cfg.rise) {
                return false;
            }
            s.awaitingFirstCheck = false;
            transition(s, BackendHealth.HEALTHY, now, first ? "first health check passed"
                    : s.checksPassed + " health checks passed in a row");
            comeBack(s, now);
            if (passive != null) {
                passive.probeAfterCheck(s, now);
            }
            return true;
        }
        s.checksPassed = 0;
        s.checksFailed++;
        if (s.health == BackendHealth.HEALTHY && (trusted || s.checksFailed >= cfg.fall)) {
            transition(s, BackendHealth.UNHEALTHY, now, trusted ? "first health check failed: " + verdict.reason()
                    : s.checksFailed + " health checks failed in a row; last: " + verdict.reason());
            return true;
        }
        if (s.health == BackendHealth.EJECTED && s.checksFailed >= cfg.fall) {
            transition(s, BackendHealth.UNHEALTHY, now, s.checksFailed
                    + " health checks failed in a row while ejected; last: " + verdict.reason());
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Snapshots

    /**
     * Builds and publishes a new snapshot. Must hold {@link #lock}.
     *
     * <p>Who is eligible: the healthy primaries, unless fewer than the panic threshold of the primaries are healthy;
     * then, if no primary is healthy but a backup is, the healthy backups; otherwise (panic) every primary regardless
     * of health. With panic mode off, only healthy backends are ever eligible. Backends waiting for their first
     * health check count nowhere.
     */
    private void rebuild(long now) {
        BackendState[] all = members.values().toArray(new BackendState[0]);
        int primaries = 0;
        int primariesUp = 0;
        int backups = 0;
        int backupsUp = 0;
        for (BackendState s : all) {
            if (s.awaitingFirstCheck) {
                continue;
            }
            boolean up = s.health == BackendHealth.HEALTHY;
            if (s.backend.isBackup()) {
                backups++;
                backupsUp += up ? 1 : 0;
            } else {
                primaries++;
                primariesUp += up ? 1 : 0;
            }
        }
        boolean panicNow = false;
        List<BackendState> eligible = new ArrayList<>(all.length);
        boolean panicAllowed = panicThresholdPercent > 0;
        boolean belowThreshold = (long) primariesUp * 100 < (long) panicThresholdPercent * primaries;
        if (primariesUp > 0 && (!belowThreshold || !panicAllowed)) {
            addHealthy(all, false, eligible);
        } else if (primariesUp == 0 && backupsUp > 0) {
            addHealthy(all, true, eligible);
        } else if (panicAllowed && primaries > 0) {
            panicNow = true;
            addAll(all, false, eligible);
        } else if (panicAllowed && backups > 0) {
            // A pool of backups only: the same rule within them.
            panicNow = true;
            addAll(all, true, eligible);
        }
        if (panicNow != panic) {
            panic = panicNow;
            events.enqueue(new LoadBalancerEvent.PanicModeChanged(name, panicNow, primariesUp, primaries, now));
        }
        BackendState[] picked = eligible.toArray(new BackendState[0]);
        int[] weights = new int[picked.length];
        long deadline = Long.MAX_VALUE;
        boolean hasDeadline = false;
        boolean ramping = false;
        if (rampWeights && !panicNow) {
            for (BackendState s : picked) {
                if (s.rampStartNanos != BackendState.NO_RAMP) {
                    if (now - s.rampStartNanos >= slowStartNanos) {
                        s.rampStartNanos = BackendState.NO_RAMP;
                    } else {
                        ramping = true;
                    }
                }
            }
        }
        for (int i = 0; i < picked.length; i++) {
            BackendState s = picked[i];
            int w = s.backend.weight();
            if (!ramping) {
                weights[i] = w;
            } else if (s.rampStartNanos == BackendState.NO_RAMP) {
                weights[i] = w * RAMP_STEPS;
            } else {
                long elapsed = Math.max(0L, now - s.rampStartNanos);
                int step = (int) (elapsed * RAMP_STEPS / slowStartNanos);
                weights[i] = rampWeight(w, step, slowStartFloorPercent);
                long due = s.rampStartNanos + ceilDiv(slowStartNanos * (step + 1), RAMP_STEPS);
                if (!hasDeadline || due - deadline < 0) {
                    deadline = due;
                    hasDeadline = true;
                }
            }
        }
        for (BackendState s : all) {
            if (s.health == BackendHealth.EJECTED && (!hasDeadline || s.ejectedUntilNanos - deadline < 0)) {
                deadline = s.ejectedUntilNanos;
                hasDeadline = true;
            }
        }
        Picker picker = picked.length == 0 ? null : factory.newPicker(picked, weights);
        if (scheduledRefresh && hasDeadline) {
            scheduleRefresh(deadline, now);
        } else if (scheduledRefresh) {
            if (refreshTask != null) {
                refreshTask.cancel(false);
                refreshTask = null;
            }
            if (lazyScheduler && scheduler != null) {
                // Nothing pending: a pool without active checks holds no share of the scheduler thread.
                scheduler.release();
                scheduler = null;
            }
        }
        snapshot = new Snapshot(all, picked, weights, picker, false, hasDeadline && !scheduledRefresh, deadline,
                panicNow);
    }

    /**
     * Makes sure one rebuild is scheduled at or before {@code deadline}: one task per pool, however many backends
     * are ejected or ramping. Must hold {@link #lock}.
     */
    private void scheduleRefresh(long deadline, long now) {
        if (refreshTask != null && !refreshTask.isDone() && refreshTaskAt - deadline <= 0) {
            return;
        }
        if (refreshTask != null) {
            refreshTask.cancel(false);
        }
        if (scheduler == null) {
            scheduler = CheckScheduler.shared();
        }
        // (re)acquired here only when nothing else needs the scheduler; released again when no deadline is left
        refreshTaskAt = deadline;
        try {
            refreshTask = scheduler.schedule(this::scheduledRefresh, deadline - now);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            refreshTask = null; // the scheduler stopped: only when this pool is closing
        }
    }

    private void scheduledRefresh() {
        try {
            synchronized (lock) {
                refreshTask = null;
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

    /**
     * Steps of a slow-start ramp. During a ramp every weight is scaled by this so that a ramping backend's share
     * can be expressed in integers (round robin's schedule then reduces them by their greatest common divisor).
     */
    static final int RAMP_STEPS = 10;

    /** Weight (scaled by {@link #RAMP_STEPS}) at a step: from the floor toward full, linearly, never below 1. */
    static int rampWeight(int weight, int step, int floorPercent) {
        long num = (long) weight * (floorPercent * (long) RAMP_STEPS + (100L - floorPercent) * step);
        return (int) Math.max(1L, (num + 50) / 100);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static void addHealthy(BackendState[] all, boolean backup, List<BackendState> out) {
        for (BackendState s : all) {
            if (s.backend.isBackup() == backup && s.health == BackendHealth.HEALTHY) {
                out.add(s);
            }
        }
    }

    private static void addAll(BackendState[] all, boolean backup, List<BackendState> out) {
        for (BackendState s : all) {
            if (s.backend.isBackup() == backup && !s.awaitingFirstCheck) {
                out.add(s);
            }
        }
    }

    private NoBackendAvailableException noBackend(Snapshot s) {
        return new NoBackendAvailableException(name, "pool '" + name + "': no backend available (" + describe(s)
                + ")");
    }

    /** "0 of 3; 2 ejected, 1 draining" */
    private String describe(Snapshot s) {
        EnumMap<BackendHealth, Integer> counts = new EnumMap<>(BackendHealth.class);
        int total = 0;
        for (BackendState m : s.members) {
            counts.merge(m.health, 1, Integer::sum);
            total++;
        }
        List<BackendState> drainingNow;
        synchronized (lock) {
            drainingNow = new ArrayList<>(draining.values());
        }
        for (BackendState d : drainingNow) {
            counts.merge(BackendHealth.DRAINING, 1, Integer::sum);
            total++;
        }
        StringBuilder sb = new StringBuilder().append(s.eligible.length).append(" of ").append(total);
        String sep = "; ";
        for (Map.Entry<BackendHealth, Integer> e : counts.entrySet()) {
            if (e.getKey() == BackendHealth.HEALTHY) {
                continue;
            }
            sb.append(sep).append(e.getValue()).append(' ').append(e.getKey().label());
            sep = ", ";
        }
        return sb.toString();
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
    public List<BackendStats> stats() {
        Snapshot s = snapshot;
        if (s.hasDeadline) {
            refreshIfStale(s);
        }
        List<BackendState> all;
        synchronized (lock) {
            all = new ArrayList<>(members.values());
            all.addAll(draining.values());
        }
        List<BackendStats> out = new ArrayList<>(all.size());
        for (BackendState st : all) {
            out.add(st.stats());
        }
        return Collections.unmodifiableList(out);
    }

    /** @return whether the pool is in panic mode right now */
    boolean inPanic() {
        return snapshot.panic;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (snapshot.closed) {
                return;
            }
            snapshot = Snapshot.CLOSED;
            if (active != null) {
                active.close(members.values());
            }
            if (refreshTask != null) {
                refreshTask.cancel(false);
                refreshTask = null;
            }
            if (scheduler != null) {
                scheduler.release();
            }
        }
        // Discovery hook: outside the lock, because a source's close may wait for its own work to stop.
        if (source != null) {
            source.close();
        }
        log.info("pool '{}' closed", name);
    }

    @Override
    public String toString() {
        return "LoadBalancer{" + name + ", " + strategy.name() + ", " + snapshot.eligible.length + " of "
                + snapshot.members.length + " available}";
    }

    /** The breaker state a pool reports, in resilience4j's words. */
    static String label(CircuitBreaker.State state) {
        return state == null ? "NONE" : state.name();
    }
}
