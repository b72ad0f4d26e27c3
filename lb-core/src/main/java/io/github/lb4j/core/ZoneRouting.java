package io.github.lb4j.core;

import io.github.lb4j.core.internal.Checks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zone-aware routing (Envoy's rule, computed once per snapshot): keep as much traffic in the caller's zone as the
 * zone can take without any backend carrying more than its share, and spill the rest to the zones with spare
 * capacity.
 *
 * <p>Per zone, its <em>capacity share</em> is the sum of its eligible backends' effective weights (after slow start,
 * without ejected ones) over the pool's, and its <em>demand share</em> is the share of the calling fleet in it
 * ({@link LoadBalancer.Builder#callerZoneShares}, by default even over the zones of the pool's members and the local
 * zone). If the local zone's capacity share is at least its demand share, every pick stays local. Otherwise a pick
 * stays local with probability capacity / demand, and the residual goes to the other zones in proportion to their
 * spare capacity (capacity share minus demand share, where positive); if no zone has spare capacity, in proportion to
 * their capacity. Backends without a zone form one zone that has no callers.
 *
 * <p>A pick draws one random number to choose the zone from precomputed cumulative probabilities (skipped when all
 * traffic stays local), then runs the strategy's own picker over that zone's backends; each zone has its own picker
 * state (round-robin cursor) so a zone's rotation stays exact. In panic mode {@link SnapshotBuilder} bypasses this
 * and picks over the whole eligible set.
 *
 * <p>Thread-safety: {@link #newPicker} runs under the pool's lock only; the pickers are immutable and lock-free.
 */
final class ZoneRouting {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    /** How far the caller shares may sum from 1. */
    static final double SHARE_TOLERANCE = 0.01;

    /** The zone key of backends without a zone. */
    static final String NO_ZONE = "";

    private final String pool;
    private final String localZone;
    /** Normalized to sum 1; null: even over the zones seen. */
    private final Map<String, Double> callerShares;
    private final Strategy strategy;
    private final PoolContext context;
    /** One strategy state per zone, created on first sight of the zone (under the pool's lock). */
    private final Map<String, PickerFactory> factories = new HashMap<>();
    /** Caller zones already warned about as having no backend; shared with the subsets' copies. */
    private final TreeSet<String> warnedUnknown;

    ZoneRouting(String pool, String localZone, Map<String, Double> callerShares, Strategy strategy,
                PoolContext context) {
        this(pool, localZone, callerShares, strategy, context, new TreeSet<>());
    }

    private ZoneRouting(String pool, String localZone, Map<String, Double> callerShares, Strategy strategy,
                        PoolContext context, TreeSet<String> warnedUnknown) {
        this.pool = pool;
        this.localZone = localZone;
        this.callerShares = callerShares;
        this.strategy = strategy;
        this.context = context;
        this.warnedUnknown = warnedUnknown;
    }

    /** @return the same routing with its own per-zone strategy state, for one subset by metadata */
    ZoneRouting forSubset() {
        return new ZoneRouting(pool, localZone, callerShares, strategy, context, warnedUnknown);
    }

    /** @throws IllegalArgumentException if the zone is blank or has control characters, naming it */
    static String checkLocalZone(String zone) {
        Objects.requireNonNull(zone, "localZone");
        if (zone.isBlank()) {
            throw new IllegalArgumentException("localZone must not be blank, got '" + zone + "'");
        }
        for (int i = 0; i < zone.length(); i++) {
            if (Character.isISOControl(zone.charAt(i))) {
                throw new IllegalArgumentException("localZone must not contain control characters, got '"
                        + Checks.printable(zone) + "'");
            }
        }
        return zone;
    }

    /**
     * @return a copy normalized to sum exactly 1, in key order
     * @throws IllegalArgumentException for a blank zone, a negative or non-finite share, or a sum off 1 by more than
     *     {@link #SHARE_TOLERANCE}, naming the value
     */
    static Map<String, Double> checkShares(Map<String, Double> shares) {
        Objects.requireNonNull(shares, "callerZoneShares");
        if (shares.isEmpty()) {
            throw new IllegalArgumentException("callerZoneShares must not be empty");
        }
        double sum = 0;
        TreeMap<String, Double> sorted = new TreeMap<>();
        for (Map.Entry<String, Double> e : shares.entrySet()) {
            String zone = e.getKey();
            Double share = e.getValue();
            if (zone == null || zone.isBlank()) {
                throw new IllegalArgumentException("callerZoneShares: zone names must not be blank, got '"
                        + zone + "'");
            }
            if (share == null || !Double.isFinite(share) || share < 0) {
                throw new IllegalArgumentException("callerZoneShares: share of zone '" + Checks.printable(zone)
                        + "' must be a finite number >= 0, got " + share);
            }
            sum += share;
            sorted.put(zone, share);
        }
        if (Math.abs(sum - 1.0) > SHARE_TOLERANCE) {
            throw new IllegalArgumentException("callerZoneShares must sum to 1 (+-" + SHARE_TOLERANCE + "), got "
                    + sum + " for " + sorted);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : sorted.entrySet()) {
            out.put(e.getKey(), e.getValue() / sum);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Where the picks of one snapshot go: zones (key order, local first) and the probability of each. */
    record Plan(List<String> zones, double[] probabilities) {
        double probability(String zone) {
            int i = zones.indexOf(zone);
            return i < 0 ? 0.0 : probabilities[i];
        }
    }

    /**
     * The routing plan for the given capacity per zone.
     *
     * @param localZone the caller's zone
     * @param capacity eligible effective weight per zone (zones with none may be absent)
     * @param demand the callers' share per zone, summing to 1 (zones may be absent)
     * @return the plan over the zones with capacity; empty when nothing has capacity
     */
    static Plan plan(String localZone, Map<String, Long> capacity, Map<String, Double> demand) {
        long total = 0;
        for (long c : capacity.values()) {
            total += c;
        }
        List<String> zones = new ArrayList<>();
        if (capacity.getOrDefault(localZone, 0L) > 0) {
            zones.add(localZone);
        }
        for (Map.Entry<String, Long> e : new TreeMap<>(capacity).entrySet()) {
            if (e.getValue() > 0 && !e.getKey().equals(localZone)) {
                zones.add(e.getKey());
            }
        }
        double[] p = new double[zones.size()];
        if (total == 0) {
            return new Plan(List.of(), new double[0]);
        }
        double localCap = capacity.getOrDefault(localZone, 0L) / (double) total;
        double localDemand = demand.getOrDefault(localZone, 0.0);
        if (localCap > 0 && localCap >= localDemand - 1e-12) {
            p[0] = 1.0;
            return new Plan(List.copyOf(zones), p);
        }
        double local = localDemand > 0 ? localCap / localDemand : 0.0;
        double residual = 1.0 - local;
        int first = localCap > 0 ? 1 : 0;
        if (first == 1) {
            p[0] = local;
        }
        double spareSum = 0;
        double[] spare = new double[zones.size()];
        for (int i = first; i < zones.size(); i++) {
            String z = zones.get(i);
            spare[i] = Math.max(0.0, capacity.get(z) / (double) total - demand.getOrDefault(z, 0.0));
            spareSum += spare[i];
        }
        for (int i = first; i < zones.size(); i++) {
            double by = spareSum > 0 ? spare[i] / spareSum
                    : capacity.get(zones.get(i)) / (double) (total - capacity.getOrDefault(localZone, 0L));
            p[i] = residual * by;
        }
        return new Plan(List.copyOf(zones), p);
    }

    /** The demand shares for a pool whose members are in {@code memberZones}. */
    Map<String, Double> demand(TreeSet<String> memberZones) {
        if (callerShares != null) {
            for (String z : callerShares.keySet()) {
                if (!memberZones.contains(z) && !z.equals(localZone) && warnedUnknown.add(z)) {
                    log.warn("pool '{}': callerZoneShares names zone '{}', where the pool has no backend; its "
                            + "callers count as demand on no zone", pool, Checks.printable(z));
                }
            }
            return callerShares;
        }
        TreeSet<String> zones = new TreeSet<>(memberZones);
        zones.remove(NO_ZONE);
        zones.add(localZone);
        Map<String, Double> even = new HashMap<>();
        for (String z : zones) {
            even.put(z, 1.0 / zones.size());
        }
        return even;
    }

    /** The plan for one snapshot: for tests and {@link #newPicker}. */
    Plan plan(BackendState[] members, BackendState[] eligible, int[] weights) {
        TreeSet<String> memberZones = new TreeSet<>();
        for (BackendState s : members) {
            memberZones.add(zoneOf(s));
        }
        Map<String, Long> capacity = new HashMap<>();
        for (int i = 0; i < eligible.length; i++) {
            capacity.merge(zoneOf(eligible[i]), (long) weights[i], Long::sum);
        }
        return plan(localZone, capacity, demand(memberZones));
    }

    /**
     * @param members every member (their zones define where callers are assumed to be)
     * @param eligible the eligible backends, non-empty
     * @param weights their effective weights
     * @return a picker that chooses a zone by the plan, then a backend by the strategy within it
     */
    Picker newPicker(BackendState[] members, BackendState[] eligible, int[] weights) {
        Plan plan = plan(members, eligible, weights);
        // Forget the strategy state of zones that left the pool, so churning zone names cannot grow memory.
        TreeSet<String> memberZones = new TreeSet<>();
        for (BackendState s : members) {
            memberZones.add(zoneOf(s));
        }
        factories.keySet().retainAll(memberZones);
        int n = plan.zones().size();
        Picker[] pickers = new Picker[n];
        BackendState[][] zoneBackends = new BackendState[n][];
        for (int z = 0; z < n; z++) {
            String zone = plan.zones().get(z);
            List<BackendState> in = new ArrayList<>();
            List<Integer> w = new ArrayList<>();
            for (int i = 0; i < eligible.length; i++) {
                if (zoneOf(eligible[i]).equals(zone)) {
                    in.add(eligible[i]);
                    w.add(weights[i]);
                }
            }
            BackendState[] b = in.toArray(new BackendState[0]);
            int[] ws = new int[b.length];
            for (int i = 0; i < ws.length; i++) {
                ws[i] = w.get(i);
            }
            zoneBackends[z] = b;
            pickers[z] = factories.computeIfAbsent(zone, k -> strategy.newFactory(context)).newPicker(b, ws);
        }
        // Zones without a share are never drawn; keep them out of the cumulative table.
        double[] cumulative = new double[n];
        double acc = 0;
        for (int z = 0; z < n; z++) {
            acc += plan.probabilities()[z];
            cumulative[z] = acc;
        }
        if (log.isDebugEnabled()) {
            log.debug("pool '{}': zone-aware routing from zone '{}': {}", pool, Checks.printable(localZone),
                    describe(plan));
        }
        return new ZonePicker(pickers, zoneBackends, cumulative, context.random);
    }

    static String describe(Plan plan) {
        StringBuilder sb = new StringBuilder();
        for (int z = 0; z < plan.zones().size(); z++) {
            sb.append(z == 0 ? "" : ", ").append(plan.zones().get(z).isEmpty() ? "(no zone)" : plan.zones().get(z))
                    .append('=').append(String.format(java.util.Locale.ROOT, "%.4f", plan.probabilities()[z]));
        }
        return sb.toString();
    }

    static String zoneOf(BackendState s) {
        String z = s.backend.zone();
        return z == null ? NO_ZONE : z;
    }

    /** Two-level pick: a zone by one draw over cumulative probabilities, then the zone's own picker. */
    static final class ZonePicker implements Picker {
        private final Picker[] pickers;
        private final BackendState[][] backends;
        private final double[] cumulative;
        private final RandomGenerator random;
        /** Index of the only zone with a share, or -1. */
        private final int only;

        ZonePicker(Picker[] pickers, BackendState[][] backends, double[] cumulative, RandomGenerator random) {
            this.pickers = pickers;
            this.backends = backends;
            this.cumulative = cumulative;
            this.random = random;
            int single = -1;
            for (int z = 0; z < cumulative.length; z++) {
                double p = cumulative[z] - (z == 0 ? 0.0 : cumulative[z - 1]);
                if (p >= 1.0 - 1e-12) {
                    single = z;
                }
            }
            this.only = single;
        }

        private int zone() {
            if (only >= 0) {
                return only;
            }
            double u = random.nextDouble() * cumulative[cumulative.length - 1];
            int z = 0;
            while (z < cumulative.length - 1 && u >= cumulative[z]) {
                z++;
            }
            // Skip zones with no share that the rounding at a boundary could land on.
            while (z > 0 && cumulative[z] == cumulative[z - 1]) {
                z--;
            }
            return z;
        }

        @Override
        public BackendState pick(RequestContext ctx, long now) {
            int z = zone();
            if (ctx.hasExclusions() && Snapshot.allExcluded(backends[z], ctx)) {
                // The chosen zone is excluded entirely (a retry): any zone with a backend left, in plan order.
                for (int k = 0; k < pickers.length; k++) {
                    if (!Snapshot.allExcluded(backends[k], ctx)) {
                        return pickers[k].pick(ctx, now);
                    }
                }
            }
            return pickers[z].pick(ctx, now);
        }

        @Override
        public Backend pickBackend(RequestContext ctx, long now) {
            return pickers[zone()].pickBackend(ctx, now);
        }
    }
}
