package io.github.lb4j.core;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one {@link LoadBalancer} implementation; see its javadoc for the design. */
final class DefaultLoadBalancer implements LoadBalancer {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    final String name;
    private final Strategy strategy;
    final Ticker ticker;
    final PoolContext context;
    private final PickerFactory factory;
    private final boolean usesClock;
    private final boolean tracksLatency;
    private final double tauNanos;

    /** Guards membership and rebuilds; never held by {@link #select}. */
    private final Object lock = new Object();
    private LinkedHashMap<String, BackendState> members = new LinkedHashMap<>();
    private final LinkedHashMap<String, BackendState> draining = new LinkedHashMap<>();
    private volatile Snapshot snapshot;
    private volatile boolean hasDraining;
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
        synchronized (lock) {
            long now = ticker.read();
            for (Backend backend : b.backendsCopy()) {
                BackendState s = new BackendState(this, backend);
                s.transitionNanos = now;
                members.put(backend.id(), s);
            }
            rebuild();
        }
        log.info("pool '{}' created with {} backend(s), strategy {}", name, members.size(), strategy.name());
        // Discovery hook: last, so a source that pushes from start() sees a complete pool.
        this.source = SourceBinding.start(this, b.source);
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
        return selectFrom(snapshot, ctx);
    }

    /** The body of {@link #select}, on a given snapshot (tests use it to check picks against the snapshot read). */
    Selection selectFrom(Snapshot s, RequestContext ctx) {
        Picker picker = s.picker;
        if (picker == null) {
            throw s.closed ? new IllegalStateException("pool '" + name + "' is closed") : noBackend(s);
        }
        long now = usesClock ? ticker.read() : 0L;
        BackendState chosen;
        if (ctx.pinnedBackendId() != null) {
            chosen = s.eligible(ctx.pinnedBackendId());
            if (chosen == null) {
                throw new NoBackendAvailableException(name, "pool '" + name + "': pinned backend '"
                        + ctx.pinnedBackendId() + "' is not available (" + describe(s) + ")");
            }
        } else {
            if (ctx.hasExclusions() && s.allExcluded(ctx)) {
                ctx = ctx.hasHashKey() ? RequestContext.withHashKey(ctx.hashKey()) : RequestContext.empty();
            }
            chosen = picker.pick(ctx, now);
        }
        chosen.acquire();
        if (context.trackTotalInFlight) {
            context.totalInFlight.incrementAndGet();
        }
        long start = tracksLatency ? (usesClock ? now : ticker.read()) : 0L;
        return new Selection(chosen.backend, chosen, start);
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** Called once per selection, by the thread that reported its first outcome. */
    void onComplete(BackendState s, long startNanos, int outcome, Throwable cause) {
        s.complete();
        if (context.trackTotalInFlight) {
            context.totalInFlight.decrementAndGet();
        }
        switch (outcome) {
            case Selection.FAILURE:
                s.countFailure();
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
            // A failure may only raise the estimate: a backend that fails fast must not look fast.
            if (outcome != Selection.FAILURE || rtt > s.ewma()) {
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
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        synchronized (lock) {
            if (snapshot.closed) {
                throw new IllegalStateException("pool '" + name + "' is closed");
            }
            if (sameMembership(update)) {
                return;
            }
            long now = ticker.read();
            LinkedHashMap<String, BackendState> next = new LinkedHashMap<>();
            for (Backend b : update) {
                BackendState s = members.remove(b.id());
                if (s == null) {
                    s = draining.remove(b.id());
                    if (s != null) {
                        s.transition(BackendHealth.HEALTHY, now, "rejoined before it drained");
                    } else {
                        s = new BackendState(this, b);
                        s.transitionNanos = now;
                    }
                    added.add(b.id());
                } else if (!s.backend.equals(b)) {
                    changed.add(b.id());
                }
                s.backend = b;
                next.put(b.id(), s);
            }
            for (BackendState gone : members.values()) {
                removed.add(gone.id);
                if (gone.inFlight() > 0) {
                    gone.transition(BackendHealth.DRAINING, now, "removed from membership");
                    draining.put(gone.id, gone);
                }
            }
            hasDraining = !draining.isEmpty();
            members = next;
            rebuild();
        }
        log.info("pool '{}' membership: {} backend(s); added {}, removed {}, changed {}", name, update.size(),
                added, removed, changed);
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

    /** Builds and publishes a new snapshot. Must hold {@link #lock}. */
    private void rebuild() {
        BackendState[] all = members.values().toArray(new BackendState[0]);
        List<BackendState> eligible = new ArrayList<>(all.length);
        for (BackendState s : all) {
            if (s.health == BackendHealth.HEALTHY) {
                eligible.add(s);
            }
        }
        BackendState[] picked = eligible.toArray(new BackendState[0]);
        int[] weights = new int[picked.length];
        for (int i = 0; i < picked.length; i++) {
            weights[i] = picked[i].backend.weight();
        }
        Picker picker = picked.length == 0 ? null : factory.newPicker(picked, weights);
        snapshot = new Snapshot(all, picked, weights, picker, false);
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
        List<BackendState> all;
        synchronized (lock) {
            all = new ArrayList<>(members.values());
            all.addAll(draining.values());
        }
        List<BackendStats> out = new ArrayList<>(all.size());
        for (BackendState s : all) {
            out.add(s.stats());
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
}
