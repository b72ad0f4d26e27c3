package io.github.lb4j.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Per-scenario figures: printed to the test output and appended as a Markdown table row to
 * {@code target/chaos-figures.md}, from which docs/RELIABILITY.md takes the figures of a run.
 */
final class Figures {

    static final Path FILE = Path.of(System.getProperty("lb4j.figures", "target/chaos-figures.md"));
    private static final String HEADER = "| scenario | calls | GET failed | POST failed | retries | max latency ms"
            + " | p99 ms | seconds | received per backend | notes |\n"
            + "|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n";

    private Figures() {
    }

    /** Records one scenario's figures; returns the row. */
    static synchronized String record(String scenario, List<Load.Call> calls, long elapsedNanos,
                                      Map<String, Integer> received, String notes) {
        long getFailed = calls.stream().filter(c -> c.method().equals("GET") && !c.ok()).count();
        long postFailed = calls.stream().filter(c -> c.method().equals("POST") && !c.ok()).count();
        long retries = calls.stream().mapToLong(c -> Math.max(0, c.attempts() - 1)).sum();
        long[] latencies = calls.stream().mapToLong(Load.Call::nanos).sorted().toArray();
        long max = latencies.length == 0 ? 0 : latencies[latencies.length - 1];
        long p99 = latencies.length == 0 ? 0 : latencies[(int) Math.min(latencies.length - 1,
                Math.ceil(latencies.length * 0.99) - 1)];
        String perBackend = new TreeMap<>(received).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        String row = String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %.1f | %s | %s |", scenario,
                calls.size(), getFailed, postFailed, retries, TimeUnit.NANOSECONDS.toMillis(max),
                TimeUnit.NANOSECONDS.toMillis(p99), elapsedNanos / 1e9, perBackend, notes);
        System.out.println("[chaos figures] " + row);
        append(FILE, HEADER, row);
        return row;
    }

    static final Path FLEET_FILE = Path.of(System.getProperty("lb4j.fleet.figures", "target/fleet-figures.md"));
    private static final String FLEET_HEADER = "| adapter | scenario | calls | GET failed | POST failed | lost"
            + " | max ms | p99 ms | seconds | threads before/after | heap MB before/after | received per backend"
            + " | notes |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|\n";

    /** Records one fleet run (FleetChaosTest); returns the row. */
    static synchronized String fleet(Fleet.Result r) {
        List<Load.Call> calls = r.calls();
        long getFailed = calls.stream().filter(c -> c.method().equals("GET") && !c.ok()).count();
        long postFailed = calls.stream().filter(c -> c.method().equals("POST") && !c.ok()).count();
        long[] latencies = calls.stream().mapToLong(Load.Call::nanos).sorted().toArray();
        long max = latencies.length == 0 ? 0 : latencies[latencies.length - 1];
        long p99 = latencies.length == 0 ? 0 : latencies[(int) Math.min(latencies.length - 1,
                Math.ceil(latencies.length * 0.99) - 1)];
        long mb = 1024 * 1024;
        String row = String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %d | %d | %.1f | %d/%d | %d/%d | %s"
                        + " | %s |", r.adapter(), r.scenario(), calls.size(), getFailed, postFailed, r.lost(),
                TimeUnit.NANOSECONDS.toMillis(max), TimeUnit.NANOSECONDS.toMillis(p99), r.elapsedNanos() / 1e9,
                r.threadsBefore(), r.threadsAfter(), r.heapBeforeBytes() / mb, r.heapAfterBytes() / mb,
                r.received(), r.notes());
        System.out.println("[fleet figures] " + row);
        append(FLEET_FILE, FLEET_HEADER, row);
        return row;
    }

    /** A line between the fleet rows (soak rounds). */
    static synchronized void fleetNote(String note) {
        System.out.println("[fleet figures] " + note);
        append(FLEET_FILE, FLEET_HEADER, "| " + note + " |");
    }

    private static void append(Path file, String header, String row) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!Files.exists(file)) {
                Files.writeString(file, header, StandardCharsets.UTF_8);
            }
            Files.writeString(file, row + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Integer> received(LoopbackServer... servers) {
        Map<String, Integer> m = new TreeMap<>();
        Arrays.stream(servers).forEach(s -> m.put(s.name, s.requests.get()));
        return m;
    }
}
