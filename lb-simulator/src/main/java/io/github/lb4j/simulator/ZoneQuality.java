package io.github.lb4j.simulator;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.NoBackendAvailableException;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Zone-aware routing against a zone-unaware pool and "always local": a fleet of callers spread over zones, one real
 * lb-core pool per caller zone (round robin), every request drawn from a seeded stream of caller zones. Reports the
 * share of requests served in the caller's zone against the feasible maximum (each zone keeps at most what its
 * capacity allows: the sum over zones of min(demand share, capacity share), with the demand the seeded caller
 * stream actually produced), and the max/mean load over the backends
 * that serve. In the outage variant every zone-a backend is down: each pool learns it through its own outlier
 * detection (5 failures in a row, the default), and a request that reaches a down backend, or finds none, fails.
 *
 * <p>Thread-safety: stateless.
 */
public final class ZoneQuality {

    /** Zones and their backend counts: a/b/c with 3/5/10. */
    public static final String[] ZONES = {"a", "b", "c"};
    public static final int[] SIZES = {3, 5, 10};

    /** The three ways of routing compared. */
    public enum Contender {
        /** Round robin over the whole pool, zone-unaware. */
        ROUND_ROBIN("roundRobin (zone-unaware)"),
        /** Round robin over the caller's zone only (Spring Cloud LoadBalancer's zone preference). */
        ALWAYS_LOCAL("always local"),
        /** lb4j's {@code localZone}, round robin within each zone. */
        LB4J("lb4j localZone");

        private final String label;

        Contender(String label) {
            this.label = label;
        }

        /** @return the name in the report */
        public String label() {
            return label;
        }
    }

    /**
     * @param contender who routed
     * @param requests requests sent
     * @param localShare share served in the caller's zone
     * @param feasibleLocal the largest local share any routing can have while every backend carries the same load
     * @param maxOverMean max / mean requests per serving backend
     * @param failed requests that reached a down backend or found none
     * @param perZone share of all requests served by each zone
     * @param fromA share of zone a's callers' requests served by each zone
     */
    public record Row(Contender contender, int requests, double localShare, double feasibleLocal,
                      double maxOverMean, long failed, Map<String, Double> perZone, Map<String, Double> fromA) {

        /** @return local share / feasible maximum */
        public double ofFeasible() {
            return localShare / feasibleLocal;
        }
    }

    private ZoneQuality() {
    }

    static List<Backend> fleet() {
        List<Backend> out = new ArrayList<>();
        for (int z = 0; z < ZONES.length; z++) {
            for (int i = 1; i <= SIZES[z]; i++) {
                out.add(Backend.of("10.0." + z + "." + i, 8080).withZone(ZONES[z]));
            }
        }
        return out;
    }

    /**
     * @param callerShares the demand share of each zone (those realized by the caller stream, in the measure)
     * @return the largest local share: sum over zones of min(demand, capacity share)
     */
    static double feasibleLocal(double[] callerShares, boolean zoneADown) {
        double total = 0;
        for (int z = 0; z < SIZES.length; z++) {
            total += zoneADown && z == 0 ? 0 : SIZES[z];
        }
        double sum = 0;
        for (int z = 0; z < SIZES.length; z++) {
            double cap = (zoneADown && z == 0 ? 0 : SIZES[z]) / total;
            sum += Math.min(callerShares[z], cap);
        }
        return sum;
    }

    /**
     * @param contender who routes
     * @param callerShares share of requests from callers in zones a, b, c
     * @param zoneADown whether every zone-a backend is down (and ejected by each pool before the measure)
     * @param requests requests to send
     * @param seed seed of the caller stream and of each pool's random source
     * @return the measure
     */
    public static Row measure(Contender contender, double[] callerShares, boolean zoneADown, int requests,
                              long seed) {
        List<Backend> all = fleet();
        Simulator.VirtualClock clock = new Simulator.VirtualClock();
        LoadBalancer[] pools = new LoadBalancer[ZONES.length];
        Map<String, Double> shares = new LinkedHashMap<>();
        for (int z = 0; z < ZONES.length; z++) {
            shares.put(ZONES[z], callerShares[z]);
        }
        for (int z = 0; z < ZONES.length; z++) {
            String zone = ZONES[z];
            List<Backend> members = all;
            if (contender == Contender.ALWAYS_LOCAL) {
                members = all.stream().filter(b -> b.zone().equals(zone)).toList();
            }
            LoadBalancer.Builder b = LoadBalancer.builder("zones-" + contender.name().toLowerCase() + "-" + zone)
                    .backends(members).strategy(Strategy.roundRobin()).ticker(clock)
                    .random(new SplittableRandom(seed * 31 + z)).slowStart(Duration.ZERO);
            if (contender == Contender.LB4J) {
                b.localZone(zone).callerZoneShares(shares);
            }
            pools[z] = b.build();
        }
        if (zoneADown) {
            for (LoadBalancer pool : pools) {
                for (Backend down : all) {
                    if (down.zone().equals("a") && pool.stats().stream().anyMatch(s -> s.backend().id().equals(down.id()))) {
                        for (int i = 0; i < 5; i++) {
                            pool.select(RequestContext.ofPinned(down.id())).failure(new IOException("down"));
                        }
                    }
                }
            }
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            index.put(all.get(i).id(), i);
        }
        long[] served = new long[all.size()];
        long[] fromAByZone = new long[ZONES.length];
        long fromA = 0;
        long local = 0;
        long failed = 0;
        long[] calls = new long[ZONES.length];
        SplittableRandom callers = new SplittableRandom(seed);
        for (int k = 0; k < requests; k++) {
            double u = callers.nextDouble();
            int z = u < callerShares[0] ? 0 : u < callerShares[0] + callerShares[1] ? 1 : 2;
            calls[z]++;
            Selection s;
            try {
                s = pools[z].select();
            } catch (NoBackendAvailableException e) {
                failed++;
                continue;
            }
            Backend b = s.backend();
            if (zoneADown && b.zone().equals("a")) {
                failed++;
                s.failure(new IOException("down"));
                continue;
            }
            s.success();
            served[index.get(b.id())]++;
            int bz = b.zone().charAt(0) - 'a';
            if (bz == z) {
                local++;
            }
            if (z == 0) {
                fromA++;
                fromAByZone[bz]++;
            }
        }
        for (LoadBalancer pool : pools) {
            pool.close();
        }
        long max = 0;
        long sum = 0;
        int serving = 0;
        long[] perZone = new long[ZONES.length];
        for (int i = 0; i < all.size(); i++) {
            perZone[all.get(i).zone().charAt(0) - 'a'] += served[i];
            if (zoneADown && all.get(i).zone().equals("a")) {
                continue;
            }
            serving++;
            sum += served[i];
            max = Math.max(max, served[i]);
        }
        Map<String, Double> zoneShare = new LinkedHashMap<>();
        Map<String, Double> aShare = new LinkedHashMap<>();
        for (int z = 0; z < ZONES.length; z++) {
            zoneShare.put(ZONES[z], perZone[z] / (double) requests);
            aShare.put(ZONES[z], fromA == 0 ? 0.0 : fromAByZone[z] / (double) fromA);
        }
        double[] realized = new double[ZONES.length];
        for (int z = 0; z < ZONES.length; z++) {
            realized[z] = calls[z] / (double) requests;
        }
        return new Row(contender, requests, local / (double) requests, feasibleLocal(realized, zoneADown),
                max / (sum / (double) serving), failed, zoneShare, aShare);
    }
}
