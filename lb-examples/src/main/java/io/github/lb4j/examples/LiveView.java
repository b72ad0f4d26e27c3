package io.github.lb4j.examples;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the demo shows while it runs: on a terminal, a per-backend table with a progress bar redrawn in place (ANSI
 * cursor movement); otherwise (output piped to a file or a CI log, or {@code --plain}) a plain line every few seconds.
 * Both show each backend's health as the pool sees it ({@code BackendStats.health()}); what the scenario did to a
 * server is labelled as the scenario's doing.
 *
 * <p>Thread-safety: called from the sampling thread only.
 */
interface LiveView {

    /** The state of the run after one sampling window. */
    record Progress(String strategy, int run, int runs, double elapsed, double total, String phase,
                    RunResult.Sample latest, RunResult.Counts totals, int rate) {
    }

    void update(Progress progress);

    /** The run ended: leave its last state on screen. */
    void finish();

    /**
     * @param out where to draw
     * @param plain true to print plain lines even on a terminal
     * @return the table on an interactive terminal, plain lines otherwise
     */
    static LiveView of(PrintStream out, boolean plain) {
        return !plain && isTerminal() ? new Table(out) : new Lines(out);
    }

    /**
     * @return whether standard output is an interactive terminal that understands ANSI escapes: a console exists
     *     (JDK 17 to 21 return none when input or output is redirected) and, on JDK 22 and later where a console
     *     always exists, {@code Console.isTerminal()} says so
     */
    static boolean isTerminal() {
        Console console = System.console();
        if (console == null || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // JDK 17-21: a console exists only on a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** The rows of the table, without escapes. */
    static List<String> render(Progress p) {
        List<String> lines = new ArrayList<>();
        String run = p.runs() > 1 ? " (run " + p.run() + " of " + p.runs() + ")" : "";
        lines.add("lb4j demo | strategy " + p.strategy() + run + " | " + p.rate() + " req/s");
        lines.add(bar(p.elapsed() / p.total(), 32) + String.format(Locale.ROOT, " %3.0f%%  %4.0fs / %.0fs   now: %s",
                100 * Math.min(1.0, p.elapsed() / p.total()), p.elapsed(), p.total(), p.phase()));
        lines.add("");
        lines.add(String.format(Locale.ROOT, "%-8s %-8s %-10s %7s %7s %9s %8s %8s %8s %9s",
                "backend", "scenario", "health", "req/s", "share", "in-flight", "p50 ms", "p99 ms", "failed", "answered"));
        RunResult.Sample s = p.latest();
        for (RunResult.BackendSample b : s.backends()) {
            lines.add(String.format(Locale.ROOT, "%-8s %-8s %-10s %7.0f %6.1f%% %9d %8s %8s %8d %9d",
                    b.name(), scenario(b.server()), b.health(),
                    b.rate(), 100 * b.share(), b.inFlight(), ms(b.p50Millis()), ms(b.p99Millis()),
                    b.failedAttempts(), b.total()));
        }
        lines.add("");
        RunResult.Counts c = p.totals();
        lines.add(String.format(Locale.ROOT,
                "requests: %d sent = %d answered (%d by a retry) + %d failed + %d in flight | last %.1f s: p50 %s ms,"
                        + " p99 %s ms",
                c.requests(), c.answered(), c.answeredByRetry(), c.failedRequests(), c.inFlight(), s.window(),
                ms(s.p50Millis()).trim(), ms(s.p99Millis()).trim()));
        lines.add(String.format(Locale.ROOT,
                "attempts: %d, of which %d failed = %d retried on another backend + %d not retried", c.attempts(),
                c.failedAttempts(), c.retried(), c.notRetried()));
        lines.add("(scenario: what the demo did to the server | health: the pool's verdict, BackendStats.health() |"
                + " failed: attempts the pool counted failed in the last window)");
        return lines;
    }

    /** Printed once above the plain lines: what their fields are. */
    String LEGEND = "(each line: the scenario's last step | per backend: the pool's health (BackendStats.health()),"
            + " requests/s, share, p99 | requests failed so far)";

    /** One line: progress, the scenario's last step, and per backend the pool's health, rate, share and p99. */
    static String line(Progress p) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "[%s %3.0fs/%.0fs] scenario: %-28s |",
                p.strategy(), p.elapsed(), p.total(), p.phase()));
        for (RunResult.BackendSample b : p.latest().backends()) {
            sb.append(String.format(Locale.ROOT, " %s %s %3.0f/s %3.0f%% p99 %s |", b.name(), b.health(), b.rate(),
                    100 * b.share(), Double.isNaN(b.p99Millis()) ? "-" : ms(b.p99Millis()).trim() + "ms"));
        }
        sb.append(" failed requests ").append(p.totals().failedRequests());
        return sb.toString();
    }

    /** @return what the scenario has done to a server: nothing ("-"), slowed it, or crashed it */
    static String scenario(HttpBackend.State state) {
        return switch (state) {
            case UP -> "-";
            case SLOW -> "slowed";
            case DOWN -> "crashed";
        };
    }

    static String ms(double v) {
        return Double.isNaN(v) ? "       -" : String.format(Locale.ROOT, "%8.1f", v);
    }

    static String bar(double fraction, int width) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    /** Redraws the table in place. */
    final class Table implements LiveView {
        private final PrintStream out;
        private int drawn;

        Table(PrintStream out) {
            this.out = out;
        }

        @Override
        public void update(Progress p) {
            StringBuilder sb = new StringBuilder();
            if (drawn > 0) {
                sb.append("\033[").append(drawn).append('F'); // to the start of the first line drawn last time
            }
            List<String> lines = render(p);
            for (String l : lines) {
                sb.append("\033[2K").append(l).append('\n');
            }
            for (int i = lines.size(); i < drawn; i++) {
                sb.append("\033[2K\n"); // the table shrank (a new run): blank what is left of the old one
            }
            drawn = Math.max(drawn, lines.size());
            out.print(sb);
            out.flush();
        }

        @Override
        public void finish() {
            drawn = 0; // leave the final table of this run on screen; the next run draws below it
            out.println();
        }
    }

    /** A plain line about every five seconds, at every phase change and at the end. */
    final class Lines implements LiveView {
        private final PrintStream out;
        private double lastPrinted = Double.NEGATIVE_INFINITY;
        private String lastPhase;
        private Progress pending;
        private boolean legendPrinted;

        Lines(PrintStream out) {
            this.out = out;
        }

        @Override
        public void update(Progress p) {
            if (!p.phase().equals(lastPhase) || p.elapsed() - lastPrinted >= 5.0) {
                print(p);
            } else {
                pending = p;
            }
        }

        private void print(Progress p) {
            if (!legendPrinted) {
                out.println(LEGEND);
                legendPrinted = true;
            }
            out.println(line(p));
            out.flush();
            lastPrinted = p.elapsed();
            lastPhase = p.phase();
            pending = null;
        }

        @Override
        public void finish() {
            if (pending != null) {
                print(pending);
            }
            lastPrinted = Double.NEGATIVE_INFINITY;
            lastPhase = null;
        }
    }
}
