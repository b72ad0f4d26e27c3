package io.github.lb4j.examples;

import io.github.lb4j.core.Strategy;
import io.github.lb4j.http.Hedging;
import io.github.lb4j.http.Route;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The demo's command line: {@code --duration 60s --strategy peakEwma --backends 4 --rate 200 --compare
 * --report lb4j-report --plain}. Every option is checked at once and a bad value is named in the message.
 */
final class DemoOptions {

    static final Duration DEFAULT_DURATION = Duration.ofSeconds(60);
    static final String DEFAULT_STRATEGY = "peakEwma";
    static final int DEFAULT_BACKENDS = 4;
    /** Requests per second: enough for smooth per-second percentiles, little enough for any laptop. */
    static final int DEFAULT_RATE = 200;
    static final Path DEFAULT_REPORT = Path.of("lb4j-report");
    /**
     * The run of {@code --compare} that adds hedging: peak EWMA, and a route that hedges a GET after the route's
     * observed p95 latency ({@link Hedging#atPercentile}) and cancels an attempt after {@link #PER_TRY_TIMEOUT}.
     */
    static final String HEDGED = "peakEwmaHedging";
    /** Above any answer the scenario's backends give (the slow one's stragglers take 450 ms), below the read timeout. */
    static final Duration PER_TRY_TIMEOUT = Duration.ofSeconds(1);
    /** The runs {@code --compare} makes, in the order the report shows them: three strategies, then hedging. */
    static final List<String> COMPARED = List.of("roundRobin", "leastRequests", "peakEwma", HEDGED);

    static final Map<String, Supplier<Strategy>> STRATEGIES = new LinkedHashMap<>();

    static {
        STRATEGIES.put("roundRobin", Strategy::roundRobin);
        STRATEGIES.put("random", Strategy::random);
        STRATEGIES.put("leastRequests", Strategy::leastRequests);
        STRATEGIES.put("peakEwma", Strategy::peakEwma);
        STRATEGIES.put("ringHash", Strategy::ringHash);
        STRATEGIES.put("maglev", Strategy::maglev);
        STRATEGIES.put("rendezvous", Strategy::rendezvous);
    }

    static final String USAGE = String.join("\n",
            "usage: Demo [--duration 60s] [--strategy peakEwma] [--backends 4] [--rate 200] [--compare]",
            "            [--report lb4j-report] [--plain]",
            "  --duration D   length of the whole run (all strategies with --compare): 45s, 2m, 1500ms; default 60s",
            "  --strategy S   " + String.join(", ", STRATEGIES.keySet()) + "; default " + DEFAULT_STRATEGY,
            "  --backends N   backends at the start, 3 to 12 (one more joins near the end); default "
                    + DEFAULT_BACKENDS,
            "  --rate R       requests per second, 1 to 5000; default " + DEFAULT_RATE,
            "  --compare      run the scenario for roundRobin, leastRequests, peakEwma and " + HEDGED
                    + " (peakEwma,",
            "                 hedging at the observed p95, " + PER_TRY_TIMEOUT.toSeconds()
                    + " s per-try timeout) and compare them",
            "  --report DIR   where the charts and index.html go; default " + DEFAULT_REPORT,
            "  --plain        print periodic lines instead of a live table, even on a terminal");

    Duration duration = DEFAULT_DURATION;
    String strategy = DEFAULT_STRATEGY;
    int backends = DEFAULT_BACKENDS;
    int rate = DEFAULT_RATE;
    boolean compare;
    Path report = DEFAULT_REPORT;
    boolean plain;
    boolean help;

    /** @return the strategies to run, one scenario each */
    List<String> strategies() {
        return compare ? COMPARED : List.of(strategy);
    }

    /** @return the scenario length of one strategy's run */
    Duration perRun() {
        return compare ? duration.dividedBy(COMPARED.size()) : duration;
    }

    static DemoOptions parse(String... args) {
        DemoOptions o = new DemoOptions();
        List<String> list = new ArrayList<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                list.add(a.substring(0, eq));
                list.add(a.substring(eq + 1));
            } else {
                list.add(a);
            }
        }
        for (int i = 0; i < list.size(); i++) {
            String name = list.get(i);
            switch (name) {
                case "--compare":
                    o.compare = true;
                    break;
                case "--plain":
                    o.plain = true;
                    break;
                case "-h":
                case "--help":
                    o.help = true;
                    break;
                case "--duration":
                    o.duration = parseDuration(name, value(list, ++i, name));
                    if (o.duration.compareTo(Duration.ofSeconds(3)) < 0 || o.duration.compareTo(Duration.ofHours(1)) > 0) {
                        throw new IllegalArgumentException("--duration must be between 3s and 1h, got "
                                + list.get(i));
                    }
                    break;
                case "--strategy":
                    String s = value(list, ++i, name);
                    o.strategy = STRATEGIES.keySet().stream().filter(k -> k.equalsIgnoreCase(s)).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException("--strategy must be one of "
                                    + STRATEGIES.keySet() + ", got '" + s + "'"));
                    break;
                case "--backends":
                    o.backends = parseInt(name, value(list, ++i, name), 3, 12);
                    break;
                case "--rate":
                    o.rate = parseInt(name, value(list, ++i, name), 1, 5000);
                    break;
                case "--report":
                    String dir = value(list, ++i, name);
                    if (dir.isBlank()) {
                        throw new IllegalArgumentException("--report must name a directory, got '" + dir + "'");
                    }
                    o.report = Path.of(dir);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + name + "'\n" + USAGE);
            }
        }
        return o;
    }

    private static String value(List<String> list, int i, String name) {
        if (i >= list.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return list.get(i);
    }

    private static int parseInt(String name, String text, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + text + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    /** "45s", "2m", "1500ms", "1h" or a bare number of seconds. */
    static Duration parseDuration(String name, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            } else if (t.endsWith("m")) {
                return Duration.ofSeconds(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60));
            } else if (t.endsWith("h")) {
                return Duration.ofSeconds(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 3600));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must look like 45s, 2m or 1500ms, got '" + text + "'");
        }
    }

    Strategy newStrategy(String name) {
        return STRATEGIES.get(HEDGED.equals(name) ? "peakEwma" : name).get();
    }

    /** @return whether the run named {@code name} hedges (see {@link #HEDGED}) */
    static boolean hedged(String name) {
        return HEDGED.equals(name);
    }

    /**
     * The hedging run's lowest hedge delay: above a healthy answer (7.5 to 12.5 ms), so that the first hundred
     * requests, before the route has observed its p95, are not all hedged after the default 5 ms.
     */
    static final Duration HEDGE_MIN_DELAY = Duration.ofMillis(15);

    /** @return the route of the hedging run over {@code pool}: hedges at the observed p95, per-try timeout */
    static Route hedgedRoute(io.github.lb4j.core.LoadBalancer pool) {
        return hedgedRouteBuilder(pool).build();
    }

    /** @return the builder of {@link #hedgedRoute}, to add a listener to */
    static Route.Builder hedgedRouteBuilder(io.github.lb4j.core.LoadBalancer pool) {
        return Route.builder(pool.name(), pool).perTryTimeout(PER_TRY_TIMEOUT)
                .hedging(Hedging.atPercentile(95).minDelay(HEDGE_MIN_DELAY));
    }
}
