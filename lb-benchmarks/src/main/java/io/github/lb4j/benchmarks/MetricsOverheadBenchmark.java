package io.github.lb4j.benchmarks;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Selection;
import io.github.lb4j.micrometer.LoadBalancerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What binding {@link LoadBalancerMetrics} costs on the request path: one {@code select -> success} cycle on a pool
 * with no binder ({@code none}, the baseline of the same run), bound to a {@link SimpleMeterRegistry}
 * ({@code simple}) and bound to a {@link PrometheusMeterRegistry} ({@code prometheus}). Round robin times nothing
 * itself, so binding adds two ticker reads per cycle there; peak EWMA reads the ticker anyway.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar MetricsOverhead -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetricsOverheadBenchmark {

    @State(Scope.Benchmark)
    public static class Pool {
        @Param({"roundRobin", "peakEwma"})
        public String strategy;

        @Param({"none", "simple", "prometheus"})
        public String metrics;

        LoadBalancer lb;
        MeterRegistry registry;

        @Setup(Level.Trial)
        public void setUp() {
            System.setProperty("lb4j.leakDetection", "sampled");
            lb = LoadBalancer.builder("bench").backends(SelectBenchmark.backends(10))
                    .strategy(SelectBenchmark.strategy(strategy)).build();
            switch (metrics) {
                case "none":
                    break;
                case "simple":
                    registry = new SimpleMeterRegistry();
                    break;
                case "prometheus":
                    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                    break;
                default:
                    throw new IllegalArgumentException("metrics: " + metrics);
            }
            if (registry != null) {
                new LoadBalancerMetrics(lb).bindTo(registry);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lb.close();
            if (registry != null) {
                registry.close();
            }
        }
    }

    @Benchmark
    public Selection selectSuccess(Pool p) {
        Selection s = p.lb.select();
        s.success();
        return s;
    }
}
