package io.github.lb4j.benchmarks;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What an lb4j adapter adds to one call of its HTTP client over loopback: {@code plain} calls the
 * {@link LoopbackServer} at its address, {@code balanced} calls {@code http://bench/...} through the adapter and a
 * pool of that one backend ({@link AdapterPair}). Both include a real loopback round trip, so the ratio of the two
 * throughputs is what an application sees and {@code -prof gc} gives what lb4j allocates per call on top of the
 * client. One subclass per adapter ({@code OkHttpLoopbackOverheadBenchmark}, {@code JdkHttpOverheadBenchmark},
 * {@code HttpClient5OverheadBenchmark}, {@code SpringRestClientOverheadBenchmark}).
 *
 * <p>The server runs in this JVM unless {@code -Dlb4j.bench.port=N} names a {@link LoopbackServer} of another
 * process (the forked benchmark JVM inherits the property and the CPU affinity):
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar JdkHttpOverhead -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * taskset -c 0 java -Dlb4j.bench.port=N -jar lb-benchmarks/target/benchmarks.jar JdkHttpOverhead -prof gc
 * </pre>
 *
 * {@link AdapterOverheadDriver} measures the throughput ratio in alternating pairs of rounds, which this benchmark's
 * separate runs of {@code plain} and {@code balanced} cannot resolve on a loaded 2-core machine.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public abstract class AdapterOverheadBenchmark {

    private LoopbackServer server;
    private AdapterPair pair;

    /** One of {@link AdapterPair#NAMES}. */
    abstract String adapter();

    @Setup
    public void setUp() throws IOException {
        server = LoopbackServer.startOrUse();
        pair = AdapterPair.create(adapter(), server.port());
    }

    @TearDown
    public void tearDown() {
        pair.close();
        server.close();
    }

    @Benchmark
    public byte[] plain() throws Exception {
        return pair.plain();
    }

    @Benchmark
    public byte[] balanced() throws Exception {
        return pair.balanced();
    }
}
