package io.github.lb4j.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The "what-if" command: give it your backends' latency profile, it runs every strategy (and the oracle) on it in
 * virtual time, prints the table and writes a chart.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.simulator.WhatIf -Dexec.args="--preset linkerd"
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.simulator.WhatIf \
 *     -Dexec.args="--backend 10*normal(167,5) --backend normal(2000,5) --rate 1000 --duration 60 --timeout 1000"
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.simulator.WhatIf -Dexec.args="--csv observed.csv --rate 500"
 * </pre>
 *
 * <p>Options:
 * <ul>
 *   <li>{@code --backend [COUNT*]DIST[@SERVERS]} one or more backends (repeatable): {@code normal(median,sd)},
 *       {@code lognormal(median,sigma)}, {@code exp(mean)}, {@code const(ms)}; SERVERS parallel servers (default
 *       unlimited: latency independent of load). Ids are b0, b1, ... in order.</li>
 *   <li>{@code --csv FILE} observed latencies, lines {@code backend,latency_ms} (a header line is skipped); each
 *       distinct backend resamples its own observations</li>
 *   <li>{@code --rate PER_SECOND} (default 1000), {@code --duration SECONDS} (default 60),
 *       {@code --timeout MS} (default 1000; 0 for none), {@code --seed N} (default 1)</li>
 *   <li>{@code --slow ID=DIST@FROM-TO} the backend serves with DIST from FROM to TO seconds (repeatable)</li>
 *   <li>{@code --crash ID@FROM-TO[:hang]} the backend refuses connections (or hangs) from FROM to TO seconds</li>
 *   <li>{@code --ejection on} also runs every strategy as lb-core ships it, with passive outlier detection
 *       (default off: the strategies alone)</li>
 *   <li>{@code --chart FILE} the PNG to write (default {@code what-if.png}); {@code --preset linkerd} Linkerd's
 *       "Beyond Round Robin" setup</li>
 * </ul>
 */
public final class WhatIf {

    private static final List<String> OPTIONS = List.of("backend", "csv", "rate", "duration", "timeout", "seed",
            "slow", "crash", "chart", "preset", "ejection");

    private WhatIf() {
    }

    /**
     * @param args the options above
     */
    public static void main(String[] args) {
        try {
            run(args, System.out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("what-if: " + e.getMessage());
            System.err.println("usage: --backend [COUNT*]DIST[@SERVERS] ... | --csv FILE | --preset linkerd;"
                    + " --rate N --duration S --timeout MS --slow ID=DIST@FROM-TO --crash ID@FROM-TO[:hang]"
                    + " --seed N --chart FILE.png");
            System.exit(2);
        } catch (IOException e) {
            System.err.println("what-if: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Runs the command.
     *
     * @param args the options
     * @param out where the table goes
     * @return the results, one per contender
     * @throws IOException if the CSV cannot be read or the chart written
     */
    public static List<Result> run(String[] args, PrintStream out) throws IOException {
        Map<String, List<String>> opts = parse(args);
        long seed = Long.parseLong(single(opts, "seed", "1"));
        Scenario.Builder b;
        if (opts.containsKey("preset")) {
            String preset = single(opts, "preset", "");
            if (!preset.equals("linkerd")) {
                throw new IllegalArgumentException("unknown preset '" + preset + "' (linkerd)");
            }
            b = null;
        } else {
            b = Scenario.builder("what-if")
                    .rate(Double.parseDouble(single(opts, "rate", "1000")))
                    .duration(Scenarios.seconds(Double.parseDouble(single(opts, "duration", "60"))))
                    .seed(seed);
            long timeoutMs = Long.parseLong(single(opts, "timeout", "1000"));
            if (timeoutMs > 0) {
                b.timeout(Duration.ofMillis(timeoutMs));
            }
            int added = 0;
            for (String spec : opts.getOrDefault("backend", List.of())) {
                added += addBackends(b, spec, added);
            }
            for (String file : opts.getOrDefault("csv", List.of())) {
                added += addCsv(b, Path.of(file), added);
            }
            if (added == 0) {
                throw new IllegalArgumentException("no backends: give --backend, --csv or --preset");
            }
            for (String slow : opts.getOrDefault("slow", List.of())) {
                addSlow(b, slow);
            }
            for (String crash : opts.getOrDefault("crash", List.of())) {
                addCrash(b, crash);
            }
        }
        Scenario scenario = b == null ? Scenarios.linkerd(1.0, seed) : b.build();
        List<Contender> contenders = new java.util.ArrayList<>(Contender.latencyContenders());
        String ejection = single(opts, "ejection", "off");
        if (ejection.equals("on")) {
            contenders.addAll(Contender.latencyContendersAsShipped());
        } else if (!ejection.equals("off")) {
            throw new IllegalArgumentException("--ejection must be on or off, got '" + ejection + "'");
        }
        List<Result> results = Simulator.runAll(scenario, contenders);
        out.printf(Locale.ROOT, "scenario %s: %d backend(s), %.0f req/s, timeout %s, seed %d%n", scenario.name(),
                scenario.backends().size(), scenario.rate(),
                scenario.timeoutNanos() == 0 ? "none" : scenario.timeoutNanos() / 1_000_000 + " ms", seed);
        out.print(Tables.latency(results));
        Path chart = Path.of(single(opts, "chart", "what-if.png"));
        Charts.latencyPercentiles("latency by percentile: " + scenario.name(), results, chart);
        Path timeline = chart.resolveSibling(chart.getFileName().toString().replace(".png", "") + "-success.png");
        Charts.successBySecond("success within SLO, per second: " + scenario.name(), results, timeline);
        out.println("charts: " + chart + ", " + timeline);
        return results;
    }

    static Map<String, List<String>> parse(String[] args) {
        Map<String, List<String>> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("expected an option such as --backend, got '" + a + "'");
            }
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq > 0 && OPTIONS.contains(key.substring(0, eq))) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option --" + key + " needs a value");
                }
                value = args[++i];
            }
            if (!OPTIONS.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
            opts.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return opts;
    }

    private static String single(Map<String, List<String>> opts, String key, String dflt) {
        List<String> v = opts.get(key);
        return v == null || v.isEmpty() ? dflt : v.get(v.size() - 1);
    }

    /** {@code [COUNT*]DIST[@SERVERS]}; returns backends added. */
    static int addBackends(Scenario.Builder b, String spec, int first) {
        String s = spec.trim();
        int count = 1;
        int star = s.indexOf('*');
        if (star > 0 && star < s.indexOf('(')) {
            count = Integer.parseInt(s.substring(0, star).trim());
            s = s.substring(star + 1);
        }
        int servers = 0;
        int at = s.lastIndexOf('@');
        if (at > s.lastIndexOf(')')) {
            servers = Integer.parseInt(s.substring(at + 1).trim());
            s = s.substring(0, at);
        }
        if (count < 1) {
            throw new IllegalArgumentException("backend count must be >= 1, got " + count + " in '" + spec + "'");
        }
        LatencyDistribution d = LatencyDistribution.parse(s);
        for (int i = 0; i < count; i++) {
            b.backend(Scenario.BackendSpec.of("b" + (first + i), d).withServers(servers));
        }
        return count;
    }

    /** Lines {@code backend,latency_ms}; a first line that does not parse is a header. */
    static int addCsv(Scenario.Builder b, Path file, int first) throws IOException {
        Map<String, List<Double>> byBackend = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split(",");
            if (cells.length < 2) {
                throw new IllegalArgumentException(file + ":" + (n + 1) + ": expected backend,latency_ms, got '"
                        + line + "'");
            }
            double ms;
            try {
                ms = Double.parseDouble(cells[1].trim());
            } catch (NumberFormatException e) {
                if (n == 0) {
                    continue; // header
                }
                throw new IllegalArgumentException(file + ":" + (n + 1) + ": '" + cells[1].trim()
                        + "' is not a latency in ms", e);
            }
            byBackend.computeIfAbsent(cells[0].trim(), k -> new ArrayList<>()).add(ms);
        }
        if (byBackend.isEmpty()) {
            throw new IllegalArgumentException(file + ": no latencies");
        }
        int i = first;
        for (Map.Entry<String, List<Double>> e : byBackend.entrySet()) {
            double[] samples = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            b.backend(Scenario.BackendSpec.of(e.getKey(), LatencyDistribution.empirical(e.getKey(), samples)));
            i++;
        }
        return i - first;
    }

    /** {@code ID=DIST@FROM-TO}. */
    static void addSlow(Scenario.Builder b, String spec) {
        int eq = spec.indexOf('=');
        int at = spec.lastIndexOf('@');
        if (eq <= 0 || at < eq) {
            throw new IllegalArgumentException("--slow must look like b3=normal(2000,5)@15-45, got '" + spec + "'");
        }
        String id = spec.substring(0, eq).trim();
        double[] window = window(spec.substring(at + 1), spec);
        b.at(Scenarios.seconds(window[0]),
                Scenario.Event.slowDown(id, LatencyDistribution.parse(spec.substring(eq + 1, at))));
        b.at(Scenarios.seconds(window[1]), Scenario.Event.recover(id));
    }

    /** {@code ID@FROM-TO[:hang]}. */
    static void addCrash(Scenario.Builder b, String spec) {
        int at = spec.indexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("--crash must look like b3@15-45 or b3@15-45:hang, got '" + spec + "'");
        }
        String id = spec.substring(0, at).trim();
        String rest = spec.substring(at + 1);
        Scenario.CrashMode mode = Scenario.CrashMode.REFUSE;
        if (rest.endsWith(":hang")) {
            mode = Scenario.CrashMode.HANG;
            rest = rest.substring(0, rest.length() - 5);
        }
        double[] window = window(rest, spec);
        b.at(Scenarios.seconds(window[0]), Scenario.Event.crash(id, mode));
        b.at(Scenarios.seconds(window[1]), Scenario.Event.recover(id));
    }

    private static double[] window(String s, String spec) {
        String[] p = s.split("-");
        if (p.length != 2) {
            throw new IllegalArgumentException("time window must look like 15-45 (seconds), got '" + s + "' in '"
                    + spec + "'");
        }
        double from = Double.parseDouble(p[0].trim());
        double to = Double.parseDouble(p[1].trim());
        if (!(from >= 0 && to > from)) {
            throw new IllegalArgumentException("time window must have 0 <= FROM < TO, got '" + s + "'");
        }
        return new double[] {from, to};
    }
}
