package io.github.lb4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Throughput of an lb4j adapter against its plain client, measured so that a 3 % difference can be resolved on a
 * shared 2-core machine: one JVM, one {@link AdapterPair}, rounds of plain and balanced calls alternating in pairs
 * (the order swapped every pair, so that a linear drift of the machine's speed hits both sides alike), and the
 * median of the per-pair throughput ratios with a seeded bootstrap interval and the min..max. The server is meant
 * to run in another process pinned to the other core ({@link LoopbackServer}, {@code lb-benchmarks/bench-adapters.sh}).
 *
 * <pre>
 * taskset -c 1 java -cp lb-benchmarks/target/benchmarks.jar io.github.lb4j.benchmarks.LoopbackServer 0 2 &amp;
 * taskset -c 0 java -cp lb-benchmarks/target/benchmarks.jar io.github.lb4j.benchmarks.AdapterOverheadDriver \
 *     --adapter jdk --port N --pairs 30 --round-ms 1000 --warmup-seconds 10
 * </pre>
 *
 * <p>Counting mode, for instruction counts under {@code valgrind --tool=callgrind}: {@code --calls N --side plain}
 * (or {@code balanced}) makes {@code --warmup-calls W} calls of each side, alternating, then N calls of the one side,
 * and exits. Two runs with different N after the same warm-up give the instructions of one steady-state call as
 * (I(N2) - I(N1)) / (N2 - N1).
 *
 * <p>Options: {@code --adapter} (one of {@code AdapterPair.NAMES}: okhttp, jdk, jdk-async, httpclient5,
 * httpclient5-async, spring, spring-noop-interceptor, spring-factory, spring-passthrough, webclient; required),
 * {@code --port} (of a running {@code LoopbackServer}; without it one is started in this JVM), {@code --pairs 30},
 * {@code --round-ms 1000}, {@code --warmup-seconds 10}, {@code --seed 1} (of the bootstrap), {@code --calls},
 * {@code --side}, {@code --warmup-calls 10000}.
 */
public final class AdapterOverheadDriver {

    private static final int BOOTSTRAP_SAMPLES = 10_000;

    private AdapterOverheadDriver() {
    }

    public static void main(String[] args) throws Exception {
        String adapter = null;
        String side = null;
        int port = 0;
        int pairs = 30;
        int roundMs = 1000;
        int warmupSeconds = 10;
        long seed = 1;
        long calls = -1;
        long warmupCalls = 10_000;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--adapter" -> adapter = v;
                case "--port" -> port = positive("--port", v);
                case "--pairs" -> pairs = positive("--pairs", v);
                case "--round-ms" -> roundMs = positive("--round-ms", v);
                case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--calls" -> calls = positive("--calls", v);
                case "--side" -> side = v;
                case "--warmup-calls" -> warmupCalls = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        if (adapter == null) {
            throw new IllegalArgumentException("--adapter is required, one of " + AdapterPair.NAMES);
        }
        try (LoopbackServer server = port > 0 ? null : LoopbackServer.start(0, 2);
                AdapterPair pair = AdapterPair.create(adapter, port > 0 ? port : server.port())) {
            if (calls >= 0) {
                count(pair, side, calls, warmupCalls);
            } else {
                pairs(pair, adapter, pairs, roundMs, warmupSeconds, seed);
            }
        }
    }

    private static int positive(String name, String value) {
        int n = Integer.parseInt(value);
        if (n <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return n;
    }

    private static void count(AdapterPair pair, String side, long calls, long warmupCalls) throws Exception {
        boolean balanced;
        if ("plain".equals(side)) {
            balanced = false;
        } else if ("balanced".equals(side)) {
            balanced = true;
        } else {
            throw new IllegalArgumentException("--side must be plain or balanced with --calls: " + side);
        }
        for (long i = 0; i < warmupCalls; i++) {
            check(pair.plain());
            check(pair.balanced());
        }
        for (long i = 0; i < calls; i++) {
            check(balanced ? pair.balanced() : pair.plain());
        }
        System.out.println("done " + calls + " " + side + " calls after " + warmupCalls + " warm-up pairs");
    }

    private static void pairs(AdapterPair pair, String adapter, int pairs, int roundMs, int warmupSeconds, long seed)
            throws Exception {
        System.out.printf(Locale.ROOT, "adapter %s, %d pairs of %d ms rounds, %d s warm-up, load average %.2f%n",
                adapter, pairs, roundMs, warmupSeconds, loadAverage());
        long warmupEnd = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        while (System.nanoTime() < warmupEnd) {
            round(pair, false, 100);
            round(pair, true, 100);
        }
        double[] ratios = new double[pairs];
        double[] cpuRatios = new double[pairs];
        double[] plainRates = new double[pairs];
        double[] lbRates = new double[pairs];
        System.out.println("pair first   plain/s      lb/s  ratio  cpu-us plain  cpu-us lb");
        for (int p = 0; p < pairs; p++) {
            boolean lbFirst = p % 2 == 1;
            Round first = round(pair, lbFirst, roundMs);
            Round second = round(pair, !lbFirst, roundMs);
            Round plain = lbFirst ? second : first;
            Round lb = lbFirst ? first : second;
            plainRates[p] = plain.rate();
            lbRates[p] = lb.rate();
            ratios[p] = lb.rate() / plain.rate();
            cpuRatios[p] = lb.cpuMicrosPerCall() / plain.cpuMicrosPerCall();
            System.out.printf(Locale.ROOT, "%4d %-5s %9.0f %9.0f  %.3f  %12.2f  %9.2f%n", p + 1,
                    lbFirst ? "lb" : "plain", plain.rate(), lb.rate(), ratios[p], plain.cpuMicrosPerCall(),
                    lb.cpuMicrosPerCall());
        }
        double[] ci = bootstrapMedian(ratios, seed);
        double[] cpuCi = bootstrapMedian(cpuRatios, seed);
        System.out.printf(Locale.ROOT, "RESULT %s plain %.0f/s lb %.0f/s (medians) ratio median %.3f "
                        + "[95%% bootstrap %.3f .. %.3f] min..max %.3f .. %.3f; pairs >= 0.97: %d of %d; "
                        + "client cpu per call lb/plain median %.3f [%.3f .. %.3f]; load average %.2f%n",
                adapter, median(plainRates), median(lbRates), median(ratios), ci[0], ci[1], min(ratios),
                max(ratios), Arrays.stream(ratios).filter(r -> r >= 0.97).count(), pairs, median(cpuRatios),
                cpuCi[0], cpuCi[1], loadAverage());
    }

    /** Calls of one side for a fixed time; the whole process's CPU time beside it (client threads of all kinds). */
    private record Round(long calls, long nanos, long cpuNanos) {
        double rate() {
            return calls * 1e9 / nanos;
        }

        double cpuMicrosPerCall() {
            return cpuNanos / 1e3 / calls;
        }
    }

    private static Round round(AdapterPair pair, boolean balanced, int millis) throws Exception {
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        long end = start + millis * 1_000_000L;
        long calls = 0;
        long now;
        do {
            check(balanced ? pair.balanced() : pair.plain());
            calls++;
            now = System.nanoTime();
        } while (now < end);
        return new Round(calls, now - start, processCpuNanos() - cpu0);
    }

    private static void check(byte[] body) {
        if (body.length != 2 || body[0] != 'o' || body[1] != 'k') {
            throw new IllegalStateException("unexpected body of " + body.length + " bytes");
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** The 2.5 % and 97.5 % quantiles of the median of resampled values (seeded: the same run, the same interval). */
    static double[] bootstrapMedian(double[] values, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] medians = new double[BOOTSTRAP_SAMPLES];
        double[] sample = new double[values.length];
        for (int b = 0; b < BOOTSTRAP_SAMPLES; b++) {
            for (int i = 0; i < sample.length; i++) {
                sample[i] = values[random.nextInt(values.length)];
            }
            medians[b] = median(sample);
        }
        Arrays.sort(medians);
        return new double[] {medians[(int) (BOOTSTRAP_SAMPLES * 0.025)], medians[(int) (BOOTSTRAP_SAMPLES * 0.975)]};
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}
