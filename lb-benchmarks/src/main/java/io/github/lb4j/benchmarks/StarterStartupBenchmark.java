package io.github.lb4j.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What lb-spring-boot-starter adds to the start of a Spring Boot application: one context start and close (no web
 * server; Boot's RestClient auto-configuration on, as spring-web is on the class path) with three pools configured,
 * once with the starter's auto-configuration and once with it excluded, in the same JVM. The pools' backends are
 * static and unreachable addresses (nothing is called); no health checks or discovery run, so the figure is the
 * cost of binding, checking and building the pools, the interceptor, the customizers and the beans.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar StarterStartupBenchmark
 * </pre>
 *
 * <p>Single-shot: each measured call is one full start and close, after warm-up starts that load the classes.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 20)
@Measurement(iterations = 40)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.springframework.boot.logging.LoggingSystem=none"})
@State(Scope.Benchmark)
public class StarterStartupBenchmark {

    private static final String[] POOLS = {
            "lb4j.pools.orders.backends=192.0.2.1:8080, 192.0.2.2:8080;weight=3",
            "lb4j.pools.orders.strategy=peak-ewma",
            "lb4j.pools.orders.route.max-attempts=2",
            "lb4j.pools.orders.route.per-try-timeout=200ms",
            "lb4j.pools.users.backends=192.0.2.3:8080, 192.0.2.4:8080",
            "lb4j.pools.users.outlier-detection.consecutive-failures=3",
            "lb4j.pools.payments.backends=192.0.2.5:8080;zone=a, 192.0.2.6:8080;zone=b",
            "lb4j.pools.payments.slow-start=10s",
            "spring.main.banner-mode=off"};

    /** The starter's auto-configurations, as its AutoConfiguration.imports lists them. */
    private static final String EXCLUDE = "spring.autoconfigure.exclude="
            + "io.github.lb4j.spring.boot.Lb4jAutoConfiguration,"
            + "io.github.lb4j.spring.boot.Lb4jClientAutoConfiguration,"
            + "io.github.lb4j.spring.boot.Lb4jHealthAutoConfiguration,"
            + "io.github.lb4j.spring.boot.Lb4jMetricsAutoConfiguration";

    /** The application: Boot's auto-configuration only. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    public static class App {
    }

    private static int start(String... extra) {
        SpringApplicationBuilder app = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .logStartupInfo(false).properties(POOLS);
        if (extra.length > 0) {
            app.properties(extra);
        }
        try (ConfigurableApplicationContext context = app.run()) {
            return context.getBeanDefinitionCount();
        }
    }

    /** Fails the run if excluding the starter changed nothing: then both benchmarks would measure the same. */
    @Setup(Level.Trial)
    public void check() {
        int with = start();
        int without = start(EXCLUDE);
        if (with <= without) {
            throw new IllegalStateException("the starter added no beans: " + with + " with, " + without + " without");
        }
    }

    @Benchmark
    public int withStarter() {
        return start();
    }

    @Benchmark
    public int withoutStarter() {
        return start(EXCLUDE);
    }
}
