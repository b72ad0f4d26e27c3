package io.github.lb4j.examples;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.micrometer.LoadBalancerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * The demo a new user runs first: client-side load balancing with lb4j, live, on real HTTP backends.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Dexec.args="--duration 30s --strategy roundRobin"
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Dexec.args="--compare"
 * </pre>
 *
 * <p>It starts a few HTTP servers on the loopback interface inside this process, puts them in a pool, and sends
 * requests through OkHttp at a steady rate while a scenario plays: one backend turns slow, another crashes and comes
 * back, a new one joins. A live table shows where requests go; at the end a summary says what happened, and a report
 * directory holds charts (PNG) and an {@code index.html} that shows them. {@code --compare} plays the same scenario
 * for round robin, least requests and peak EWMA, then for peak EWMA with hedging at the observed p95 and a per-try
 * timeout ({@link DemoOptions#HEDGED}), one after the other, and compares them, with each run's p99.9 and the extra
 * requests its backends received.
 *
 * <p>Options: {@code --duration 60s --strategy peakEwma --backends 4 --rate 200 --compare --report lb4j-report
 * --plain}; {@code --help} lists them.
 */
public final class Demo {

    private Demo() {
    }

    /** Everything a finished demo produced. */
    record Outcome(List<RunResult> runs, List<Path> files) {
    }

    public static void main(String[] args) throws Exception {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(DemoOptions.USAGE);
            return;
        }
        Files.createDirectories(options.report);
        logTo(options.report.resolve("lb4j.log"));
        // Straight to file descriptor 1: under "mvn -B exec:java" System.out is Maven's, which strips the ANSI
        // escapes the live table redraws itself with.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        out.printf(Locale.ROOT, "lb4j demo: %d backends on %s, %d requests/s, %s over %d s%s%n", options.backends,
                "127.0.0.1", options.rate, String.join(", ", options.strategies()),
                options.duration.toSeconds(), options.compare ? " (" + options.perRun().toMillis() / 1000.0 + " s each)" : "");
        try (MetricsEndpoint metrics = MetricsEndpoint.start()) {
            out.println("metrics (Prometheus text format, while the demo runs): " + metrics.url());
            Outcome outcome = run(options, out, LiveView.of(out, options.plain), metrics);
            printSummary(outcome, options, out);
            printMetrics(metrics, out);
        }
    }

    /** The pools' own count of what they saw, from the meters the demo served, to set beside the summary. */
    static void printMetrics(MetricsEndpoint metrics, PrintStream out) {
        out.println();
        out.println("Metrics the pools published (lb-micrometer), by run:");
        for (String line : metricsSummary(metrics.registry())) {
            out.println("  " + line);
        }
    }

    /** One line per run: selections timed by outcome, ejections by reason, selects that found nothing. */
    static List<String> metricsSummary(MeterRegistry registry) {
        List<String> lines = new ArrayList<>();
        java.util.Set<String> runs = new java.util.TreeSet<>();
        registry.find(LoadBalancerMetrics.NO_BACKEND).counters().forEach(c -> runs.add(c.getId().getTag("run")));
        for (String run : runs) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-16s lb4j.requests", run));
            for (String outcome : List.of("success", "failure", "ignored")) {
                long n = (long) registry.find(LoadBalancerMetrics.REQUESTS).tags("run", run, "outcome", outcome)
                        .functionTimers().stream().mapToDouble(FunctionTimer::count).sum();
                sb.append(' ').append(outcome).append(' ').append(n);
            }
            sb.append("; lb4j.ejections");
            for (String reason : List.of("consecutive", "rate", "breaker", "check")) {
                double n = registry.find(LoadBalancerMetrics.EJECTIONS).tags("run", run, "reason", reason).counters()
                        .stream().mapToDouble(Counter::count).sum();
                sb.append(' ').append(reason).append(' ').append((long) n);
            }
            sb.append("; lb4j.no.backend ").append((long) registry.get(LoadBalancerMetrics.NO_BACKEND)
                    .tags("run", run).counter().count());
            lines.add(sb.toString());
        }
        return lines;
    }

    /**
     * The library logs through SLF4J; here slf4j-simple writes to a file in the report directory, so that log lines
     * do not tear the live table. A {@code -Dorg.slf4j.simpleLogger.logFile=System.err} on the command line wins.
     */
    private static void logTo(Path file) {
        if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
            System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
            // Maven sets this for its own logger (to "error" under -q) and exec:java shares its system properties.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
            System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
            System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        }
    }

    /** Plays the scenario once per strategy, then writes the report. */
    static Outcome run(DemoOptions options, PrintStream out, LiveView view) throws IOException, InterruptedException {
        return run(options, out, view, null);
    }

    /** Plays the scenario once per strategy, each run's pool bound to {@code metrics} (unless null). */
    static Outcome run(DemoOptions options, PrintStream out, LiveView view, MetricsEndpoint metrics)
            throws IOException, InterruptedException {
        warmUp();
        List<RunResult> runs = new ArrayList<>();
        List<String> strategies = options.strategies();
        for (int i = 0; i < strategies.size(); i++) {
            runs.add(new DemoRun(options, strategies.get(i), view, i + 1, strategies.size(), metrics).run());
        }
        List<Path> files = Report.write(options.report, runs, options);
        return new Outcome(runs, files);
    }

    /**
     * A second of traffic before anything is measured, so that the first run does not pay alone for class loading
     * and the JIT compiler (with {@code --compare} it would look slower than the others for no fault of its own).
     */
    static void warmUp() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        HttpBackend a = HttpBackend.start("warm-a", loopback, Duration.ofMillis(1));
        HttpBackend b = HttpBackend.start("warm-b", loopback, Duration.ofMillis(1));
        OkHttpClient client = new OkHttpClient();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try (LoadBalancer pool = LoadBalancer.builder("warm-up").backends(List.of(a.backend(), b.backend()))
                .strategy(Strategy.peakEwma()).build()) {
            BalancedHttp http = BalancedHttp.of(pool, client);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            List<Future<?>> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                tasks.add(callers.submit(() -> {
                    while (System.nanoTime() < end) {
                        http.get("/warm-up");
                    }
                    return null;
                }));
            }
            for (Future<?> f : tasks) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (ExecutionException e) {
                    return; // a warm-up only; the real run will report any real problem
                }
            }
        } finally {
            callers.shutdownNow();
            client.connectionPool().evictAll();
            a.close();
            b.close();
        }
    }

    /**
     * What every count of the summary means; each is counted on the client's side, per request once it ended, and
     * a request belongs to the phase in which it was sent.
     */
    static final List<String> DEFINITIONS = List.of(
            "extra: requests the backends received beyond one per answered request (hedges, and retries of requests"
                    + " a backend had already received), over the requests sent",
            "requests: sent by the demo = answered + failed; answered: got an HTTP answer below 500 (\"by a retry\":"
                    + " from a second backend)",
            "attempts: backends tried, one per request plus one per retry; failed attempts: no answer (refused,"
                    + " reset, timeout, 5xx)",
            "retried: failed attempts tried again on another backend; failed requests = failed attempts - retried"
                    + " (+ requests with no backend to try)");

    static void printSummary(Outcome outcome, DemoOptions options, PrintStream out) {
        List<RunResult> runs = outcome.runs();
        RunResult first = runs.get(0);
        String slow = first.slowBackend();
        out.println();
        out.println("Summary");
        out.printf(Locale.ROOT, "%-16s %-27s %-26s%n", "", "requests", "attempts");
        out.printf(Locale.ROOT, "%-16s %7s %9s %7s   %7s %7s %8s   %7s %7s %8s %6s  %-18s  %s%n", "strategy",
                "sent", "answered", "failed", "all", "failed", "retried", "p50 ms", "p99 ms", "p99.9 ms", "extra",
                "p99 ms, " + slow + " slow", slow + " share: steady -> slow");
        for (RunResult r : runs) {
            RunResult.Counts c = r.totals();
            out.printf(Locale.ROOT, "%-16s %7d %9d %7d   %7d %7d %8d   %7s %7s %8s %6s  %18s  %23s%n", r.strategy(),
                    c.requests(), c.answered(), c.failedRequests(), c.attempts(), c.failedAttempts(), c.retried(),
                    Report.num(r.p50Millis()), Report.num(r.p99Millis()), Report.num(r.p999Millis()),
                    extra(r), Report.num(r.phase(1).p99Millis()),
                    Report.pct(r.phase(0).share(slow)) + " -> " + Report.pct(r.phase(1).share(slow)));
        }
        for (RunResult r : runs) {
            out.println();
            out.println("What happened with " + r.strategy() + ":");
            for (String line : story(r)) {
                out.println("  " + line);
            }
            out.println();
            for (String line : phaseTable(r)) {
                out.println("  " + line);
            }
        }
        out.println();
        for (String line : DEFINITIONS) {
            out.println(line);
        }
        out.println();
        Path index = outcome.files().get(outcome.files().size() - 1).toAbsolutePath().normalize();
        out.println("Report: " + index);
        out.println("  charts: " + outcome.files().stream().filter(f -> f.toString().endsWith(".png"))
                .map(f -> f.getFileName().toString()).reduce((a, b) -> a + ", " + b).orElse("none"));
        out.println("  library log: " + options.report.resolve("lb4j.log").toAbsolutePath().normalize());
    }

    /** The share of extra requests, with one decimal: hedging adds a few percent. */
    static String extra(RunResult r) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * r.extraShare());
    }

    /** Header of {@link #phaseTable}; its rows are the phases, then "whole run", the sum of the rows above it. */
    static final List<String> PHASE_HEADER = List.of(
            String.format(Locale.ROOT, "%-28s %-38s %s", "", "requests", "attempts"),
            String.format(Locale.ROOT, "%-28s %7s %9s %11s %7s   %7s %7s %8s", "requests sent during", "sent",
                    "answered", "by a retry", "failed", "all", "failed", "retried"));

    /** Per phase and for the whole run: the counts of the requests sent during it. */
    static List<String> phaseTable(RunResult r) {
        List<String> lines = new ArrayList<>();
        lines.addAll(PHASE_HEADER);
        for (RunResult.Phase p : r.phases()) {
            lines.add(phaseRow(p.name(), p.counts()));
        }
        lines.add(phaseRow("whole run", r.totals()));
        return lines;
    }

    private static String phaseRow(String name, RunResult.Counts c) {
        return String.format(Locale.ROOT, "%-28s %7d %9d %11d %7d   %7d %7d %8d", name, c.requests(), c.answered(),
                c.answeredByRetry(), c.failedRequests(), c.attempts(), c.failedAttempts(), c.retried());
    }

    /** The run in plain sentences, one per scenario step, with the numbers that back each claim. */
    static List<String> story(RunResult r) {
        List<String> lines = new ArrayList<>();
        RunResult.Phase steady = r.phase(0);
        RunResult.Phase slowed = r.phase(1);
        RunResult.Phase down = r.phase(2);
        RunResult.Phase back = r.phase(3);
        RunResult.Phase added = r.phase(4);
        double before = steady.share(r.slowBackend());
        double during = slowed.share(r.slowBackend());
        String verdict = during < before / 2
                ? "the pool moved traffic away from it"
                : "the pool kept sending it its share: " + r.strategy() + " does not look at latency";
        lines.add(String.format(Locale.ROOT, "%s turned slow at %.0f s: its share went from %s to %s; %s.",
                r.slowBackend(), slowed.start(), Report.pct(before), Report.pct(during), verdict));
        lines.add(String.format(Locale.ROOT, "p99 latency of all requests: %s ms before, %s ms while %s was slow.",
                Report.num(steady.p99Millis()), Report.num(slowed.p99Millis()), r.slowBackend()));
        lines.add(String.format(Locale.ROOT, "%s the whole run: p99 %s ms, p99.9 %s ms; the backends received %d"
                        + " requests beyond the %d answered (%s of the requests sent).",
                DemoOptions.hedged(r.strategy()) ? "Hedging after the observed p95, with a "
                        + DemoOptions.PER_TRY_TIMEOUT.toSeconds() + " s per-try timeout, over" : "Over",
                Report.num(r.p99Millis()), Report.num(r.p999Millis()), r.extraRequests(), r.totals().answered(),
                extra(r)));
        RunResult.Counts c = down.counts();
        lines.add(String.format(Locale.ROOT,
                "%s crashed at %.0f s. Of the %d requests sent while it was down, %d attempts failed (%d sent to %s):"
                        + " %d were retried on another backend and %d were not, so %d requests failed%s%s.",
                r.crashedBackend(), down.start(), c.requests(), c.failedAttempts(),
                down.failedAttempts(r.crashedBackend()), r.crashedBackend(), c.retried(), c.notRetried(),
                c.failedRequests(),
                c.noBackend() > 0 ? " (" + c.noBackend() + " found no backend to try)" : "",
                c.notRetried() > 0 ? " (a GET is tried at most twice, and retries are capped at 20% of requests"
                        + " + 10/s)" : ""));
        lines.add(String.format(Locale.ROOT, "%s came back at %.0f s and served %s of the requests after that.",
                r.crashedBackend(), back.start(), Report.pct(back.share(r.crashedBackend()))));
        lines.add(String.format(Locale.ROOT, "%s joined at %.0f s and served %s of the requests after that.",
                r.addedBackend(), added.start(), Report.pct(added.share(r.addedBackend()))));
        RunResult.Counts all = r.totals();
        lines.add(String.format(Locale.ROOT,
                "Whole run: %d requests = %d answered (%d by a retry) + %d failed%s; %d attempts, %d failed = %d"
                        + " retried + %d not retried.",
                all.requests(), all.answered(), all.answeredByRetry(), all.failedRequests(),
                all.inFlight() != 0 ? " + " + all.inFlight() + " still in flight at the end" : "", all.attempts(),
                all.failedAttempts(), all.retried(), all.notRetried()));
        lines.add(all.failedAttempts() == r.poolFailures()
                ? String.format(Locale.ROOT, "The pool counted the same %d failed attempts (BackendStats.failures()).",
                        r.poolFailures())
                : String.format(Locale.ROOT, "The pool counted %d failures (BackendStats.failures()), the client %d"
                        + " failed attempts.", r.poolFailures(), all.failedAttempts()));
        if (r.shed() > 0) {
            lines.add(r.shed() + " requests were not sent: 512 were in flight already.");
        }
        return lines;
    }
}
