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
        try {
            Files.createDirectories(FILE.toAbsolutePath().getParent());
            if (!Files.exists(FILE)) {
                Files.writeString(FILE, HEADER, StandardCharsets.UTF_8);
            }
            Files.writeString(FILE, row + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return row;
    }

    static Map<String, Integer> received(LoopbackServer... servers) {
        Map<String, Integer> m = new TreeMap<>();
        Arrays.stream(servers).forEach(s -> m.put(s.name, s.requests.get()));
        return m;
    }
}
