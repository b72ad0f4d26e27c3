package io.github.lb4j.benchmarks;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.LoadBalancerEvent;
import io.github.lb4j.core.OutlierDetection;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whether a slow listener reaches the request threads (issue 19, item 5): the latency of one request, {@code select}
 * then a 5 ms call (a park, standing for the remote call) then its outcome, sampled (its p99.9 is the figure), on a
 * pool of five whose backend {@code b0} fails every call (3 failures in a row eject it for 1 s, then it returns and
 * fails its probes: about one ejection a second, reported by a request thread, and one return, applied by the first
 * select after it, each with its breaker's event) while a churn thread adds and removes a sixth backend every second. {@code listener=none} has no listener; {@code sleeping} has
 * one that sleeps 100 ms on every event (an exporter or alert hook gone slow), on the default listener executor;
 * {@code sleepingOnCaller} the same listener on a direct executor, which delivers on the thread that made the change,
 * as every pool did before issue 19 (the queue-and-drain code is the same). About 5 events a second, half of
 * what the sleeping listener can take, so that it is often idle when a request thread ejects b0: with a busier
 * listener the thread already delivering (the churn thread, the shared scheduler) takes every later event and the
 * request threads are stalled less often, the other threads all the more.
 *
 * <p>Why a 5 ms call: at most ten events a second reach a 100 ms listener, so for stalled requests to show at
 * p99.9 a second must hold few requests (here about 400); nanosecond {@code select -> success} loops would hide
 * any stall below p99.99.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar ListenerIsolationBenchmark -f 1 -wi 1 -w 5 -i 3 -r 10 \
 *     -rff /tmp/listeners.csv
 * </pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
@Threads(2)
public class ListenerIsolationBenchmark {

    static final long CALL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    static final long LISTENER_MILLIS = 100;
    static final long CHURN_MILLIS = 1000;

    @State(Scope.Benchmark)
    public static class Pool {
        @Param({"none", "sleepingOnCaller", "sleeping"})
        public String listener;

        LoadBalancer lb;
        Backend failing;
        final IOException failure = new IOException("bench: b0 fails every call");
        final AtomicLong events = new AtomicLong();
        private Thread churn;
        private volatile boolean stop;

        @Setup(Level.Trial)
        public void setUp() {
            List<Backend> five = List.of(backend(0), backend(1), backend(2), backend(3), backend(4));
            List<Backend> six = List.of(backend(0), backend(1), backend(2), backend(3), backend(4), backend(5));
            failing = five.get(0);
            // Ejections of a fixed second (base = max), so that b0 keeps coming back and being ejected again.
            OutlierDetection detection = OutlierDetection.builder().consecutiveFailures(3)
                    .baseEjectionTime(Duration.ofSeconds(1)).maxEjectionTime(Duration.ofSeconds(1)).build();
            // Not Ticker.system(): an ejection's end is then applied by the first select after it, on a request
            // thread, as with any ticker of the application's; with the system ticker the shared scheduler thread
            // applies it, and (before issue 19) delivered the events queued meanwhile itself, so that the request
            // threads' ejections, coming right after, rode along and the stall fell on that thread instead.
            Ticker clock = System::nanoTime;
            LoadBalancer.Builder b = LoadBalancer.builder("listener-bench").backends(five).ticker(clock)
                    .slowStart(Duration.ZERO).outlierDetection(detection);
            if (!listener.equals("none")) {
                b.listener(this::slowListener);
            }
            if (listener.equals("sleepingOnCaller")) {
                b.listenerExecutor(Runnable::run); // the delivery of lb4j 0.1 before issue 19: on the changing thread
            }
            lb = b.build();
            churn = new Thread(() -> {
                boolean big = false;
                while (!stop) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(CHURN_MILLIS));
                    big = !big;
                    lb.updateBackends(big ? six : five);
                }
            }, "bench-churn");
            churn.setDaemon(true);
            churn.start();
        }

        private void slowListener(LoadBalancerEvent e) {
            events.incrementAndGet();
            try {
                Thread.sleep(LISTENER_MILLIS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        private static Backend backend(int i) {
            return Backend.of("10.0.0." + (i + 1), 8080).withId("b" + i);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            stop = true;
            churn.join();
            lb.close();
            System.out.println("\n[listener-bench] listener=" + listener + " events heard: " + events.get());
        }
    }

    @Benchmark
    public Selection selectCallOutcome(Pool pool) {
        Selection s = pool.lb.select();
        LockSupport.parkNanos(CALL_NANOS);
        if (s.backend().id().equals(pool.failing.id())) {
            s.failure(pool.failure);
        } else {
            s.success();
        }
        return s;
    }
}
